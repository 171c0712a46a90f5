"""Committee sittings: a coordinator records a Jogorku Kenesh committee sitting with a consultation on its
agenda and who speaks for the association; the speakers get a briefing the day before (the scheduler
wakes ``send_due_briefings``, the outbox sends); after the sitting the coordinator records whether the
association's opinion entered the minutes, and the heads of the targeted municipalities that answered
are told."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import N_, InvalidInput, StaleAction, stale_button
from bot.services.procedures.log import log_event
from bot.services.status import compare_and_set
from bot.services.users import require_staff
from bot.timing import QuietHours, held
from bot.validation import clean_paragraphs, clean_text
from models import Answer, CommitteeSitting, Consultation, User, UserStatus
from models.deliveries import Broadcast, Delivery
from models.procedures import MinutesEntry, Reading, SittingStatus
from models.users import MUNICIPAL_ROLES

BRIEFING_KIND = "sitting_briefing"
SITTING_OUTCOME_KIND = "sitting_outcome"
# The briefing goes out from this hour of the day before the sitting (Bishkek time), not at night.
BRIEFING_HOUR = time(9, 0)
TEXT_MAX = 3000
MAX_SPEAKERS = 10
MAX_AGENDA = 10  # further consultations on one sitting's agenda


class SittingEvent:
    SCHEDULED = "sitting.scheduled"
    BRIEFED = "sitting.briefed"
    RECORDED = "sitting.recorded"


def briefing_due_at(starts_at: datetime, zone: ZoneInfo) -> datetime:
    """09:00 of the day before the sitting, in Bishkek."""
    day_before = starts_at.astimezone(zone).date() - timedelta(days=1)
    return datetime.combine(day_before, BRIEFING_HOUR, zone)


async def find_speakers(session: AsyncSession, references: list[str]) -> list[User]:
    """Speakers by Telegram id or @username; any registered, active user. An unknown one is refused."""
    if not references:
        raise InvalidInput(N_("Please name at least one speaker."))
    if len(references) > MAX_SPEAKERS:
        raise InvalidInput(N_("At most {limit} speakers."), limit=MAX_SPEAKERS)
    people = []
    for reference in references:
        reference = reference.strip()
        if reference.lstrip("-").isdigit():
            query = select(User).where(User.telegram_id == int(reference))
        else:
            query = select(User).where(User.telegram_username == reference.lstrip("@"))
        person = await session.scalar(query.where(User.status == UserStatus.ACTIVE))
        if person is None:
            raise InvalidInput(
                N_("Unknown speaker: {name}. Give a registered user's Telegram id or @username."),
                name=reference,
            )
        people.append(person)
    return people


async def schedule(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    *,
    committee: str,
    starts_at: datetime,
    place: str,
    reading: Reading,
    speakers: list[User],
    now: datetime,
) -> CommitteeSitting:
    require_staff(actor)
    if await session.get(Consultation, consultation_id) is None:
        raise StaleAction(N_("This consultation no longer exists."))
    if starts_at <= now:
        raise InvalidInput(N_("The sitting cannot be in the past."))
    if not speakers:
        raise InvalidInput(N_("Please name at least one speaker."))
    sitting = CommitteeSitting(
        consultation_id=consultation_id,
        status=SittingStatus.SCHEDULED,
        committee=clean_text(committee, max_length=300, min_length=3),
        starts_at=starts_at,
        place=clean_text(place, max_length=300, min_length=2),
        reading=reading,
        speaker_ids=[s.id for s in speakers],
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(sitting)
    log_event(
        session,
        consultation_id,
        SittingEvent.SCHEDULED,
        actor.id,
        now,
        committee=sitting.committee,
        at=starts_at.isoformat(),
        speakers=[s.full_name for s in speakers],
    )
    await session.commit()
    return sitting


async def set_on_agenda(
    session: AsyncSession, actor: User, sitting_id: int, consultation_id: int, *, on: bool
) -> list[int]:
    """Put a further consultation on the sitting's agenda, or take it off (pressing twice changes
    nothing). Only before the briefing went: the speakers were told what is on the agenda."""
    require_staff(actor)
    # The row is held until commit, so two coordinators editing the agenda at once lose nothing.
    sitting = await session.get(CommitteeSitting, sitting_id, with_for_update=True, populate_existing=True)
    if sitting is None or sitting.status is not SittingStatus.SCHEDULED or sitting.briefing_sent_at:
        await session.rollback()
        raise StaleAction(N_("The agenda of this sitting can no longer be changed."))
    if consultation_id == sitting.consultation_id:  # its own is on the agenda anyway: forged data
        await session.rollback()
        raise stale_button()
    if await session.get(Consultation, consultation_id) is None:
        await session.rollback()
        raise StaleAction(N_("This consultation no longer exists."))
    agenda = [cid for cid in (sitting.agenda_ids or []) if cid != consultation_id]
    if on:
        if len(agenda) >= MAX_AGENDA:
            await session.rollback()
            raise InvalidInput(N_("At most {limit} further consultations on one agenda."), limit=MAX_AGENDA)
        agenda.append(consultation_id)
    sitting.agenda_ids = agenda
    await session.commit()
    return agenda


def _deliveries(broadcast: Broadcast, kind: str, people: list[User], now: datetime) -> list[Delivery]:
    return [
        Delivery(
            broadcast_id=broadcast.id,
            user_id=person.id,
            chat_id=person.telegram_id,
            kind=kind,
            payload={},
            not_before=now,
        )
        for person in people
    ]


async def _brief_one(session: AsyncSession, sitting_id: int, now: datetime) -> bool:
    # First write: of two processes (or two runs) only one sends the briefing.
    changed = await session.execute(
        CommitteeSitting.__table__.update()
        .where(
            CommitteeSitting.id == sitting_id,
            CommitteeSitting.status == SittingStatus.SCHEDULED,
            CommitteeSitting.briefing_sent_at.is_(None),
        )
        .values(briefing_sent_at=now)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        return False
    sitting = await session.get(CommitteeSitting, sitting_id, populate_existing=True)
    assert sitting is not None
    people = list(
        await session.scalars(
            select(User).where(User.id.in_(sitting.speaker_ids or []), User.status == UserStatus.ACTIVE)
        )
    )
    broadcast = Broadcast(kind=BRIEFING_KIND, subject_id=sitting.id, created_at=now, total=len(people))
    session.add(broadcast)
    await session.flush()
    session.add_all(_deliveries(broadcast, BRIEFING_KIND, people, now))
    log_event(session, sitting.consultation_id, SittingEvent.BRIEFED, None, now, speakers=len(people))
    await session.commit()
    return True


async def send_due_briefings(
    session_factory: async_sessionmaker[AsyncSession],
    now: datetime,
    zone: ZoneInfo,
    quiet: QuietHours | None = None,
) -> list[int]:
    """Queue the briefings of the sittings starting tomorrow (from 09:00 of the day before); one due in
    the quiet hours (e.g. a sitting scheduled late in the evening) waits for the morning, unless the
    sitting itself starts before the quiet hours end."""
    async with session_factory() as session:
        upcoming = list(
            await session.execute(
                select(CommitteeSitting.id, CommitteeSitting.starts_at).where(
                    CommitteeSitting.status == SittingStatus.SCHEDULED,
                    CommitteeSitting.briefing_sent_at.is_(None),
                    CommitteeSitting.starts_at > now,
                    CommitteeSitting.starts_at <= now + timedelta(days=2),
                )
            )
        )
    briefed = []
    for sitting_id, starts_at in upcoming:
        if now < briefing_due_at(starts_at, zone) or held(quiet, now, zone, starts_at):
            continue
        async with session_factory() as session:
            if await _brief_one(session, sitting_id, now):
                briefed.append(sitting_id)
    return briefed


async def record_minutes(
    session: AsyncSession,
    actor: User,
    sitting_id: int,
    *,
    attended: bool,
    opinion: str | None,
    minutes: MinutesEntry,
    minutes_number: str | None,
    decision: str | None,
    now: datetime,
) -> int:
    """After the sitting: on record, and the heads of the targeted municipalities that answered told.
    Returns the number of notices queued."""
    require_staff(actor)
    sitting = await session.get(CommitteeSitting, sitting_id)
    if sitting is None:
        raise StaleAction(N_("This sitting no longer exists."))
    if sitting.starts_at > now:
        raise InvalidInput(N_("The sitting has not taken place yet."))
    cleaned_opinion = clean_paragraphs(opinion, max_length=TEXT_MAX) if opinion else None
    cleaned_decision = clean_paragraphs(decision, max_length=TEXT_MAX) if decision else None
    number = clean_text(minutes_number, max_length=64) if minutes_number else None
    if not await compare_and_set(
        session,
        CommitteeSitting,
        sitting_id,
        SittingStatus.SCHEDULED,
        SittingStatus.RECORDED,
        recorded_at=now,
    ):
        await session.rollback()
        raise StaleAction(N_("This was already recorded."))
    sitting.attended, sitting.opinion, sitting.minutes = attended, cleaned_opinion, minutes
    sitting.minutes_number, sitting.decision = number, cleaned_decision
    answered = select(Answer.municipality_id).where(
        Answer.consultation_id == sitting.consultation_id, Answer.is_current.is_(True)
    )
    heads = list(
        await session.scalars(
            select(User).where(
                User.status == UserStatus.ACTIVE,
                User.role.in_(MUNICIPAL_ROLES),
                User.municipality_id.in_(answered.scalar_subquery()),
            )
        )
    )
    broadcast = Broadcast(kind=SITTING_OUTCOME_KIND, subject_id=sitting.id, created_at=now, total=len(heads))
    session.add(broadcast)
    await session.flush()
    session.add_all(_deliveries(broadcast, SITTING_OUTCOME_KIND, heads, now))
    log_event(
        session,
        sitting.consultation_id,
        SittingEvent.RECORDED,
        actor.id,
        now,
        attended=attended,
        minutes=minutes.value,
        number=number,
    )
    await session.commit()
    return len(heads)
