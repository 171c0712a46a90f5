"""Invitation links: single-use and expiring, for one municipality's head or for a new coordinator."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, StaleAction, stale_button
from bot.services import audit
from bot.services.users import not_allowed, require_staff
from bot.validation import POSITION_MAX, clean_person_name, clean_text
from models import Invite, Municipality, Role, User, UserStatus

INVITE_LIFETIME = timedelta(days=7)
# Telegram's deep-link payload allows up to 64 characters of A-Z, a-z, 0-9, _ and -.
CODE_BYTES = 12


async def create_invite(
    session: AsyncSession, actor: User, *, role: Role, municipality_id: int | None, now: datetime
) -> Invite:
    """A new link for a head of ``municipality_id`` (coordinators) or for a coordinator (admins only)."""
    if role is Role.HEAD:
        require_staff(actor)
        if municipality_id is None or await session.get(Municipality, municipality_id) is None:
            raise StaleAction(N_("This municipality is no longer in the registry. Please choose again."))
    elif role is Role.COORDINATOR:
        if not actor.has_role(Role.ADMIN):
            raise not_allowed(actor, N_("Only administrators can appoint coordinators."))
        municipality_id = None
    else:
        require_staff(actor)
        raise stale_button()
    invite = Invite(
        code=secrets.token_urlsafe(CODE_BYTES),
        role=role,
        municipality_id=municipality_id,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + INVITE_LIFETIME,
    )
    session.add(invite)
    await session.flush()
    audit.record(
        session,
        "invite.create",
        actor_id=actor.id,
        now=now,
        object_type="invite",
        object_id=invite.id,
        role=role.value,
        municipality_id=municipality_id,
    )
    await session.commit()
    await session.refresh(invite, ["municipality"])
    return invite


async def find_usable_invite(session: AsyncSession, code: str, now: datetime) -> Invite:
    """The invite behind a deep link, or a clear refusal: unknown, already used, or expired."""
    invite = await session.scalar(select(Invite).where(Invite.code == code[:64]))
    if invite is None:
        raise StaleAction(N_("This invitation link is not valid. Ask your association for a new one."))
    if invite.used_at is not None:
        raise StaleAction(
            N_("This invitation link has already been used. Ask your association for a new one.")
        )
    if invite.expires_at <= now:
        raise StaleAction(N_("This invitation link has expired. Ask your association for a new one."))
    return invite


async def redeem_invite(
    session: AsyncSession, user: User, code: str, *, full_name: str, position: str, now: datetime
) -> User:
    """Use the invite: the user becomes an active head of its municipality, or a coordinator."""
    full_name = clean_person_name(full_name)
    position = clean_text(position, max_length=POSITION_MAX, min_length=2)
    invite = await find_usable_invite(session, code, now)
    # Claim the invite atomically; a second person racing for the same link loses here.
    claimed = await session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None))
        .values(used_at=now, used_by_id=user.id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        raise StaleAction(
            N_("This invitation link has already been used. Ask your association for a new one.")
        )
    user.role = invite.role
    user.municipality_id = invite.municipality_id
    user.full_name, user.position = full_name, position
    user.status, user.decided_at, user.decided_by_id = UserStatus.ACTIVE, now, invite.created_by_id
    audit.record(
        session,
        "invite.redeem",
        actor_id=user.id,
        now=now,
        object_type="invite",
        object_id=invite.id,
        role=invite.role.value,
        municipality_id=invite.municipality_id,
    )
    await session.commit()
    await session.refresh(user, ["municipality"])
    return user
