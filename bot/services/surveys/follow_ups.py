"""Impact follow-ups: the act's entry into force, a survey scheduled 6 or 12 months later, and the
scheduler's job that sends each one on its day, once, across processes."""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import N_, AlreadyDone, InvalidInput, StaleAction
from bot.services import audit
from bot.services.consultations import open_draft
from bot.services.surveys.creating import SURVEY_DAYS, Presenter, add_survey
from bot.services.surveys.templates import FOLLOW_UP_MONTHS, IMPACT
from bot.services.users import require_staff
from models import Position, User
from models.consultations import (
    Consultation,
    ConsultationEvent,
    ConsultationKind,
    ConsultationStatus,
    ConsultationTarget,
)
from models.surveys import FollowUp

log = logging.getLogger(__name__)

_AFTER_OUTCOME = (ConsultationStatus.OUTCOME_RECORDED, ConsultationStatus.FOLLOW_UP)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


async def _recorded(session: AsyncSession, consultation_id: int) -> tuple[Consultation, Position]:
    consultation = await session.get(Consultation, consultation_id)
    position = await session.scalar(select(Position).where(Position.consultation_id == consultation_id))
    if consultation is None or position is None or consultation.status not in _AFTER_OUTCOME:
        raise StaleAction(N_("Record the outcome first: a follow-up needs the act's fate."))
    return consultation, position


async def set_entry_into_force(
    session: AsyncSession, actor: User, consultation_id: int, day: date, zone: ZoneInfo
) -> datetime:
    """The act took effect on ``day`` (Bishkek): kept as that day's midnight; follow-ups count from it."""
    require_staff(actor)
    _consultation, position = await _recorded(session, consultation_id)
    position.in_force_at = datetime.combine(day, time(0, 0), zone)
    await session.commit()
    return position.in_force_at


async def schedule_follow_up(
    session: AsyncSession, actor: User, consultation_id: int, months: int, now: datetime
) -> FollowUp:
    """An impact survey to the same municipalities ``months`` after the act took effect (a date
    already past means: at the next check). Scheduling the same one twice is told, not doubled."""
    require_staff(actor)
    if months not in FOLLOW_UP_MONTHS:
        raise InvalidInput(N_("A follow-up is sent 6 or 12 months after the act takes effect."))
    _consultation, position = await _recorded(session, consultation_id)
    if position.in_force_at is None:
        raise InvalidInput(N_("First give the date the act took effect."))
    existing = await session.scalar(
        select(FollowUp).where(FollowUp.consultation_id == consultation_id, FollowUp.months == months)
    )
    if existing is not None:
        raise AlreadyDone(N_("This follow-up is already scheduled."))
    follow_up = FollowUp(
        consultation_id=consultation_id,
        months=months,
        due_at=add_months(position.in_force_at, months),
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(follow_up)
    audit.record(
        session,
        "follow_up.schedule",
        actor_id=actor.id,
        now=now,
        object_type="consultation",
        object_id=consultation_id,
        months=months,
    )
    await session.commit()
    return follow_up


async def follow_ups_of(session: AsyncSession, consultation_id: int) -> list[FollowUp]:
    return list(
        await session.scalars(
            select(FollowUp).where(FollowUp.consultation_id == consultation_id).order_by(FollowUp.months)
        )
    )


@dataclass(frozen=True)
class SentFollowUp:
    follow_up_id: int
    survey_id: int
    recipients: int


async def send_due(
    session_factory: async_sessionmaker[AsyncSession], now: datetime, presenter: Presenter
) -> list[SentFollowUp]:
    """Send every follow-up whose day has come: each is claimed (compare-and-set on ``sent_at``) in the
    transaction that makes and opens its survey, so two processes never send the same one."""
    async with session_factory() as session:
        due = list(
            await session.scalars(
                select(FollowUp.id)
                .where(FollowUp.due_at <= now, FollowUp.sent_at.is_(None))
                .order_by(FollowUp.due_at)
            )
        )
    sent: list[SentFollowUp] = []
    for follow_up_id in due:
        async with session_factory() as session:
            try:
                result = await _send_one(session, follow_up_id, now, presenter)
            except Exception:  # one broken follow-up must not stop the others; it is retried next time
                await session.rollback()
                log.exception("follow-up %s not sent", follow_up_id)
                continue
            if result is not None:
                sent.append(result)
    return sent


async def _send_one(
    session: AsyncSession, follow_up_id: int, now: datetime, presenter: Presenter
) -> SentFollowUp | None:
    claimed = await session.execute(
        update(FollowUp).where(FollowUp.id == follow_up_id, FollowUp.sent_at.is_(None)).values(sent_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        return None
    follow_up = await session.get(FollowUp, follow_up_id)
    assert follow_up is not None
    act = await session.get(Consultation, follow_up.consultation_id)
    assert act is not None
    targets = list(
        await session.scalars(
            select(ConsultationTarget.municipality_id).where(ConsultationTarget.consultation_id == act.id)
        )
    )
    survey = await add_survey(
        session,
        now,
        presenter(IMPACT, act, follow_up.months),
        audience={"kind": "list", "ids": sorted(targets)},
        deadline=now + SURVEY_DAYS,
        actor_id=follow_up.created_by_id,
        template=IMPACT,
        follows_id=act.id,
    )
    broadcast = await open_draft(session, survey, None, now)
    follow_up.survey_id = survey.id
    if act.status is ConsultationStatus.OUTCOME_RECORDED:
        # The act's lifecycle reaches «follow-up» with its first impact survey.
        moved = await session.execute(
            update(Consultation)
            .where(Consultation.id == act.id, Consultation.status == ConsultationStatus.OUTCOME_RECORDED)
            .values(status=ConsultationStatus.FOLLOW_UP)
        )
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            session.add(
                ConsultationEvent(
                    consultation_id=act.id,
                    from_status=ConsultationStatus.OUTCOME_RECORDED,
                    to_status=ConsultationStatus.FOLLOW_UP,
                    actor_id=None,
                    at=now,
                    note=f"follow-up {follow_up.months}",
                )
            )
    await session.commit()
    return SentFollowUp(follow_up_id, survey.id, broadcast.total)


async def acts_to_follow(session: AsyncSession, limit: int = 20) -> list[Consultation]:
    """Consultations on bills whose outcome is recorded: the acts an impact follow-up can be about."""
    return list(
        await session.scalars(
            select(Consultation)
            .where(Consultation.kind == ConsultationKind.BILL, Consultation.status.in_(_AFTER_OUTCOME))
            .order_by(Consultation.id.desc())
            .limit(limit)
        )
    )


async def act_for_follow_up(session: AsyncSession, consultation_id: int) -> tuple[Consultation, Position]:
    """The act and its position, if its outcome is recorded (a forged id is refused)."""
    return await _recorded(session, consultation_id)
