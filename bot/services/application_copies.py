"""The cards of a sign-up application sent to staff members, kept until someone decides: then every
other copy is edited to say who decided, so that nobody presses a button that no longer means anything."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import ApplicationCopy, User


@dataclass(frozen=True)
class Copy:
    staff: User
    chat_id: int
    message_id: int


async def remember(
    session: AsyncSession, applicant_id: int, staff_id: int, chat_id: int, message_id: int
) -> None:
    session.add(
        ApplicationCopy(applicant_id=applicant_id, staff_id=staff_id, chat_id=chat_id, message_id=message_id)
    )
    await session.commit()


async def take_copies(session: AsyncSession, applicant_id: int) -> list[Copy]:
    """Every remembered copy of the application, forgotten as they are handed out (they are edited once)."""
    rows = (
        await session.execute(
            select(ApplicationCopy, User)
            .join(User, User.id == ApplicationCopy.staff_id)
            .where(ApplicationCopy.applicant_id == applicant_id)
            .order_by(ApplicationCopy.id)
        )
    ).all()
    await session.execute(delete(ApplicationCopy).where(ApplicationCopy.applicant_id == applicant_id))
    await session.commit()
    return [Copy(staff, copy.chat_id, copy.message_id) for copy, staff in rows]
