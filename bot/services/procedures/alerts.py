"""Near-term alerts: the coordinator is told when the association's term for an unsent answer is 5, 2
and 1 working days away, each once, through the outbox. The scheduler wakes ``send_near_term_alerts``
up; what is due is read from the database, so a restart repeats nothing and a missed day is caught up
with one alert (the nearest), not several."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.procedures.approval import today_in
from bot.services.procedures.calendar import WorkCalendar, load_calendar
from bot.services.procedures.log import EventKind, log_event
from bot.services.status import compare_and_set
from bot.timing import QuietHours, held
from models import ApprovalRequest, Consultation, Role, User, UserStatus
from models.deliveries import Broadcast, Delivery
from models.procedures import ApprovalStatus

ALERT_KIND = "approval_alert"
ALERT_DAYS = (5, 2, 1)  # working days before the association's term


def alert_due(left: int, sent: list[int], thresholds: tuple[int, ...] = ALERT_DAYS) -> list[int]:
    """The thresholds an alert now covers: those at or above the working days left that were not sent
    yet. Empty when nothing is due (too early, already told, or the term has passed)."""
    if left < 0:
        return []
    return [t for t in thresholds if t >= left and t not in sent]


async def _recipients(
    session: AsyncSession, approval: ApprovalRequest, consultation: Consultation
) -> list[User]:
    """Who registered the request (else the consultation's author, else every active coordinator)."""
    staff = select(User).where(
        User.status == UserStatus.ACTIVE, User.role.in_([Role.COORDINATOR, Role.ADMIN])
    )
    for author in (approval.created_by_id, consultation.created_by_id):
        if author is not None:
            people = list(await session.scalars(staff.where(User.id == author)))
            if people:
                return people
    return list(await session.scalars(staff))


async def _alert_one(
    session: AsyncSession, approval_id: int, calendar: WorkCalendar, now: datetime, zone: ZoneInfo
) -> bool:
    # First write: the row is held until commit, so two processes cannot both send the same alert.
    if not await compare_and_set(
        session, ApprovalRequest, approval_id, ApprovalStatus.AWAITING, ApprovalStatus.AWAITING
    ):
        await session.rollback()
        return False
    approval = await session.get(ApprovalRequest, approval_id, populate_existing=True)
    consultation = await session.get(Consultation, approval.consultation_id)  # type: ignore[union-attr]
    assert approval is not None and consultation is not None
    left = calendar.working_days_left(today_in(now, zone), approval.due_on)
    covered = alert_due(left, list(approval.alerts_sent or []))
    if not covered:
        await session.rollback()
        return False
    approval.alerts_sent = sorted({*(approval.alerts_sent or []), *covered}, reverse=True)
    broadcast = Broadcast(kind=ALERT_KIND, subject_id=consultation.id, created_at=now)
    session.add(broadcast)
    await session.flush()
    people = await _recipients(session, approval, consultation)
    session.add_all(
        Delivery(
            broadcast_id=broadcast.id,
            user_id=person.id,
            chat_id=person.telegram_id,
            kind=ALERT_KIND,
            payload={"left": left},
            not_before=now,
        )
        for person in people
    )
    broadcast.total = len(people)
    log_event(session, consultation.id, EventKind.ALERT, None, now, left=left, recipients=len(people))
    await session.commit()
    return True


async def send_near_term_alerts(
    session_factory: async_sessionmaker[AsyncSession],
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None = None,
) -> list[int]:
    """Queue the alerts that are due; returns the consultations alerted about. In the quiet hours nothing
    is queued: the alerts count working days, so the morning is soon enough."""
    if held(quiet, now, zone):
        return []
    async with session_factory() as session:
        calendar = await load_calendar(session)
        awaiting = list(
            await session.execute(
                select(ApprovalRequest.id, ApprovalRequest.consultation_id).where(
                    ApprovalRequest.status == ApprovalStatus.AWAITING
                )
            )
        )
    alerted = []
    for approval_id, consultation_id in awaiting:
        async with session_factory() as session:
            if await _alert_one(session, approval_id, calendar, now, zone):
                alerted.append(consultation_id)
    return alerted
