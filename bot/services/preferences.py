"""A person's own choices (/settings): the weekly digest and which reminders they get."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models import ReminderChoice, User


async def set_digest(session: AsyncSession, user: User, weekly: bool) -> User:
    user.digest_weekly = weekly
    await session.commit()
    return user


async def set_reminders(session: AsyncSession, user: User, choice: ReminderChoice) -> User:
    """Stored as chosen; a head's «off» still lets the last reminder through (reminders.wants_reminder)."""
    user.reminders = choice
    await session.commit()
    return user
