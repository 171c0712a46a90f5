"""People: first contact, language, sign-up applications and the staff's decisions on them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload

from bot.errors import N_, AlreadyDone, InvalidInput, NotAllowed, StaleAction
from bot.services import audit
from bot.services.status import compare_and_set
from models import Municipality, Role, User, UserStatus
from models.users import MUNICIPAL_ROLES, STAFF_ROLES, AdminSource


def not_allowed(user: User, key: str) -> NotAllowed:
    """The refusal for ``user``; someone whose rights were revoked is told that instead of ``key``."""
    if user.status is UserStatus.REVOKED:
        return NotAllowed(
            N_(
                "Your rights in Pikir have been withdrawn. "
                "If you think this is a mistake, contact your association."
            )
        )
    return NotAllowed(key)


def require_staff(user: User) -> None:
    """Refuse anyone but an active coordinator or admin; every staff action checks this on the server."""
    if not user.is_staff:
        raise not_allowed(user, N_("Only association coordinators can do this."))


async def get_or_create_user(
    session: AsyncSession,
    telegram_id: int,
    *,
    telegram_name: str | None,
    telegram_username: str | None,
    admin_ids: Iterable[int],
    now: datetime,
) -> User:
    """The user row for a Telegram account; ids listed in ADMIN_IDS are admins from their first message.

    Runs on every update, so it is one indexed query on the user's table alone and writes only when
    something changed. The municipality (a join of four tables) is left out: see ``with_municipality``.
    """
    user = await session.scalar(
        select(User).where(User.telegram_id == telegram_id).options(lazyload(User.municipality))
    )
    changed = False
    if user is None:
        user = User(telegram_id=telegram_id, role=Role.NONE, status=UserStatus.PENDING, created_at=now)
        session.add(user)
        changed = True
    if telegram_id in set(admin_ids) and not (user.role is Role.ADMIN and user.is_active):
        user.role, user.status, user.admin_source = Role.ADMIN, UserStatus.ACTIVE, AdminSource.SETTINGS
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


async def with_municipality(session: AsyncSession, user: User) -> User:
    """``user`` with its municipality loaded, for texts that name it (the per-update load leaves it out)."""
    if user.municipality_id is not None and "municipality" in inspect(user).unloaded:
        await session.refresh(user, ["municipality"])
    return user


async def ensure_admins(session: AsyncSession, admin_ids: Iterable[int], now: datetime) -> list[User]:
    """Make every ADMIN_IDS account an active admin at start-up, whether or not it has written yet;
    an admin made by ADMIN_IDS whose id is no longer listed is revoked. Returns those revoked."""
    admin_ids = frozenset(admin_ids)
    for telegram_id in admin_ids:
        await get_or_create_user(
            session, telegram_id, telegram_name=None, telegram_username=None, admin_ids=admin_ids, now=now
        )
    # Admins made with `add-admin` keep their rights: only the list can take back what the list gave.
    gone = list(
        await session.scalars(
            select(User).where(
                User.role == Role.ADMIN,
                User.status == UserStatus.ACTIVE,
                User.admin_source == AdminSource.SETTINGS,
                User.telegram_id.not_in(admin_ids),
            )
        )
    )
    for user in gone:
        user.status = UserStatus.REVOKED
        audit.record(
            session, "user.admin_left_settings", actor_id=None, now=now, object_type="user", object_id=user.id
        )
    await session.commit()
    return gone


async def grant_admin(session: AsyncSession, telegram_id: int, now: datetime) -> User:
    """`python -m bot add-admin`: an admin whose rights stay when ADMIN_IDS changes."""
    user = await get_or_create_user(
        session, telegram_id, telegram_name=None, telegram_username=None, admin_ids=(), now=now
    )
    user.role, user.status, user.admin_source = Role.ADMIN, UserStatus.ACTIVE, AdminSource.COMMAND_LINE
    audit.record(
        session, "user.admin_from_command_line", actor_id=None, now=now, object_type="user", object_id=user.id
    )
    await session.commit()
    return user


def may_revoke(actor: User | None, target: User) -> bool:
    """Admins (and the command line) may revoke anyone; coordinators only heads and deputies."""
    if actor is None or actor.has_role(Role.ADMIN):
        return True
    return actor.is_staff and target.role in MUNICIPAL_ROLES


async def revocable(session: AsyncSession, actor: User | None, target_id: int) -> User:
    """The person ``actor`` may revoke (``None``: the command line), or the reason why not."""
    if actor is not None:
        require_staff(actor)
    target = await session.get(User, target_id, populate_existing=True)
    if target is None or not target.is_active or target.role is Role.NONE:
        raise StaleAction(N_("This person has no rights to take back (already revoked?)."))
    if not may_revoke(actor, target):
        raise NotAllowed(N_("Only administrators can revoke coordinators, administrators and observers."))
    if actor is not None and actor.id == target.id:
        raise NotAllowed(N_("You cannot revoke your own rights."))
    if target.role is Role.ADMIN and target.admin_source is AdminSource.SETTINGS:
        # The list would make them admin again at the next message or start; the list is the place.
        raise NotAllowed(
            N_(
                "This administrator is listed in ADMIN_IDS: "
                "remove the id from the settings and restart the bot."
            )
        )
    return target


async def revoke(session: AsyncSession, actor: User | None, target_id: int, *, now: datetime) -> User:
    """Take back someone's role at once; ``actor`` None is the command line. Recorded in the audit log."""
    target = await revocable(session, actor, target_id)
    role = target.role
    # Compare-and-set on status and role: of two people revoking at once, only one moves the row.
    moved = await compare_and_set(
        session,
        User,
        target.id,
        UserStatus.ACTIVE,
        UserStatus.REVOKED,
        User.role == role,
        decided_at=now,
        decided_by_id=actor.id if actor else None,
    )
    if not moved:
        await session.rollback()
        raise AlreadyDone(N_("This person has no rights to take back (already revoked?)."))
    audit.record(
        session,
        "user.revoke",
        actor_id=actor.id if actor else None,
        now=now,
        object_type="user",
        object_id=target.id,
        role=role.value,
        via="bot" if actor else "command line",
    )
    await session.commit()
    revoked = await session.get(User, target.id, populate_existing=True)
    assert revoked is not None
    return revoked


async def revocable_staff(session: AsyncSession) -> list[User]:
    """Active coordinators, admins and observers, for an admin's /revoke list."""
    rows = await session.scalars(
        select(User)
        .where(User.status == UserStatus.ACTIVE, User.role.in_([*STAFF_ROLES, Role.OBSERVER]))
        .order_by(User.role, User.full_name, User.id)
    )
    return list(rows)


async def people_of(session: AsyncSession, municipality_id: int) -> list[User]:
    """A municipality's active heads and deputies."""
    rows = await session.scalars(
        select(User)
        .where(
            User.municipality_id == municipality_id,
            User.status == UserStatus.ACTIVE,
            User.role.in_(MUNICIPAL_ROLES),
        )
        .order_by(User.role, User.id)
    )
    return list(rows)


async def set_language(session: AsyncSession, user: User, language: str) -> None:
    if language not in ("ky", "ru"):
        raise InvalidInput(N_("Please choose a language with the buttons."))
    user.language = language
    await session.commit()


@dataclass(frozen=True)
class Application:
    """What a municipal employee asks to be: who, for which municipality, in which role."""

    municipality_id: int
    role: Role
    full_name: str
    position: str


async def submit_application(
    session: AsyncSession, user: User, application: Application, now: datetime
) -> User:
    """File a sign-up application; it waits for a coordinator's decision."""
    if application.role not in MUNICIPAL_ROLES:
        raise InvalidInput(N_("Please choose a role with the buttons."))
    if user.is_active and user.role is not Role.NONE:
        raise StaleAction(N_("You are already registered."))
    municipality = await session.get(Municipality, application.municipality_id)
    if municipality is None:
        raise StaleAction(N_("This municipality is no longer in the registry. Please choose again."))
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
    # Compare-and-set on the status: of two coordinators (or two presses) at once only one decides.
    decided = await compare_and_set(
        session,
        User,
        applicant_id,
        UserStatus.PENDING,
        new_status,
        User.role.in_(MUNICIPAL_ROLES),
        decided_at=now,
        decided_by_id=actor.id,
    )
    if not decided:
        await session.rollback()
        raise await _decided_before(session, applicant_id)
    applicant = await session.get(User, applicant_id, populate_existing=True)
    assert applicant is not None  # the update above found it
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


async def _decided_before(session: AsyncSession, applicant_id: int) -> StaleAction:
    """The refusal for a decision that came second: who decided it, when that is known."""
    applicant = await session.get(User, applicant_id, populate_existing=True)
    decider = None
    if applicant is not None and applicant.status in (UserStatus.ACTIVE, UserStatus.REJECTED):
        decider = await session.get(User, applicant.decided_by_id) if applicant.decided_by_id else None
    if applicant is None or decider is None:
        return StaleAction(N_("This application has already been decided or withdrawn."))
    name = decider.full_name or decider.telegram_name or str(decider.telegram_id)
    if applicant.status is UserStatus.ACTIVE:
        return AlreadyDone(N_("{name} has already approved this application."), name=name)
    return AlreadyDone(N_("{name} has already rejected this application."), name=name)


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
