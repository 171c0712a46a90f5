"""People: first contact, language, sign-up applications and the staff's decisions on them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed, StaleAction
from bot.i18n import _
from bot.services import audit
from bot.validation import POSITION_MAX, clean_person_name, clean_text
from models import Municipality, Role, User, UserStatus
from models.users import MUNICIPAL_ROLES, STAFF_ROLES


def require_staff(user: User) -> None:
    """Refuse anyone but an active coordinator or admin; every staff action checks this on the server."""
    if not user.is_staff:
        raise NotAllowed(_("Only association coordinators can do this."))


async def get_or_create_user(
    session: AsyncSession,
    telegram_id: int,
    *,
    telegram_name: str | None,
    telegram_username: str | None,
    admin_ids: Iterable[int],
    now: datetime,
) -> User:
    """The user row for a Telegram account; ids listed in ADMIN_IDS are admins from their first message."""
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    changed = False
    if user is None:
        user = User(telegram_id=telegram_id, role=Role.NONE, status=UserStatus.PENDING, created_at=now)
        session.add(user)
        changed = True
    if telegram_id in set(admin_ids) and not (user.role is Role.ADMIN and user.is_active):
        user.role, user.status = Role.ADMIN, UserStatus.ACTIVE
        await session.flush()
        audit.record(
            session, "user.admin_from_settings", actor_id=None, now=now, object_type="user", object_id=user.id
        )
        changed = True
    if telegram_name is not None and user.telegram_name != telegram_name[:200]:
        user.telegram_name = telegram_name[:200]
        changed = True
    if user.telegram_username != telegram_username:
        user.telegram_username = telegram_username
        changed = True
    if changed:
        await session.commit()
    return user


async def ensure_admins(session: AsyncSession, admin_ids: Iterable[int], now: datetime) -> None:
    """Make every ADMIN_IDS account an active admin at start-up, whether or not it has written yet."""
    for telegram_id in admin_ids:
        await get_or_create_user(
            session, telegram_id, telegram_name=None, telegram_username=None, admin_ids=admin_ids, now=now
        )


async def set_language(session: AsyncSession, user: User, language: str) -> None:
    if language not in ("ky", "ru"):
        raise InvalidInput(_("Please choose a language with the buttons."))
    user.language = language
    await session.commit()


@dataclass(frozen=True)
class Application:
    """What a municipal employee asks to be: who, for which municipality, in which role."""

    municipality_id: int
    role: Role
    full_name: str
    position: str


def validate_application(municipality_id: int, role: Role, full_name: str, position: str) -> Application:
    if role not in MUNICIPAL_ROLES:
        raise InvalidInput(_("Please choose a role with the buttons."))
    return Application(
        municipality_id=municipality_id,
        role=role,
        full_name=clean_person_name(full_name),
        position=clean_text(position, max_length=POSITION_MAX, min_length=2),
    )


async def submit_application(
    session: AsyncSession, user: User, application: Application, now: datetime
) -> User:
    """File a sign-up application; it waits for a coordinator's decision."""
    if user.is_active and user.role is not Role.NONE:
        raise StaleAction(_("You are already registered."))
    municipality = await session.get(Municipality, application.municipality_id)
    if municipality is None:
        raise StaleAction(_("This municipality is no longer in the registry. Please choose again."))
    user.municipality_id = municipality.id
    user.role = application.role
    user.full_name = application.full_name
    user.position = application.position
    user.status = UserStatus.PENDING
    user.decided_at = user.decided_by_id = None
    audit.record(
        session,
        "user.apply",
        actor_id=user.id,
        now=now,
        object_type="user",
        object_id=user.id,
        municipality=municipality.soate,
        role=application.role.value,
    )
    await session.commit()
    await session.refresh(user, ["municipality"])
    return user


async def decide_application(
    session: AsyncSession, actor: User, applicant_id: int, *, approve: bool, now: datetime
) -> User:
    """Approve or reject a pending application; only staff may, and only once."""
    require_staff(actor)
    new_status = UserStatus.ACTIVE if approve else UserStatus.REJECTED
    # The WHERE on status makes two coordinators pressing at once safe: only one update matches.
    result = await session.execute(
        update(User)
        .where(User.id == applicant_id, User.status == UserStatus.PENDING, User.role.in_(MUNICIPAL_ROLES))
        .values(status=new_status, decided_at=now, decided_by_id=actor.id)
    )
    applicant = await session.get(User, applicant_id, populate_existing=True)
    if result.rowcount != 1 or applicant is None:  # type: ignore[attr-defined]
        await session.rollback()
        raise StaleAction(_("This application has already been decided or withdrawn."))
    audit.record(
        session,
        "user.approve" if approve else "user.reject",
        actor_id=actor.id,
        now=now,
        object_type="user",
        object_id=applicant_id,
    )
    await session.commit()
    return applicant


async def pending_applications(session: AsyncSession, limit: int = 20) -> list[User]:
    rows = await session.scalars(
        select(User)
        .where(User.status == UserStatus.PENDING, User.role.in_(MUNICIPAL_ROLES))
        .order_by(User.created_at, User.id)
        .limit(limit)
    )
    return list(rows)


async def active_staff(session: AsyncSession) -> list[User]:
    rows = await session.scalars(
        select(User).where(User.status == UserStatus.ACTIVE, User.role.in_(STAFF_ROLES)).order_by(User.id)
    )
    return list(rows)


async def active_head(session: AsyncSession, municipality_id: int) -> User | None:
    return await session.scalar(
        select(User).where(
            User.municipality_id == municipality_id,
            User.role == Role.HEAD,
            User.status == UserStatus.ACTIVE,
        )
    )
