"""Approval requests: a consultation marked as a state body's request for the association's approval,
its terms in calendar or working days, the parts of the answer letter, and sending the answer.

Each status move is compare-and-set on ``approval_request.status`` (a repeated press or a second
coordinator finds it moved and is told so); every step is in the consultation's log (``log``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, AlreadyDone, InvalidInput, StaleAction
from bot.services.procedures.calendar import WorkCalendar
from bot.services.procedures.log import EventKind, log_event
from bot.services.status import compare_and_set
from bot.services.users import require_staff
from bot.validation import clean_paragraphs, clean_text
from models import ApprovalRequest, Consultation, User
from models.consultations import ConsultationStatus
from models.procedures import ApprovalDecision, ApprovalStatus, StateBodyKind, TermUnit

BODY_NAME_MAX = 300
LETTER_NUMBER_MAX = 64
TERM_MAX_DAYS = 365
REMARKS_MAX = 8000
# The heads' deadline is this hour of its day (the end of office hours in Bishkek).
HEADS_DEADLINE_TIME = time(18, 0)
# The letter is written once the position is adopted (its remarks are the accepted proposals).
LETTER_STATUSES = (
    ConsultationStatus.POSITION_ADOPTED,
    ConsultationStatus.SUBMITTED,
    ConsultationStatus.OUTCOME_RECORDED,
    ConsultationStatus.FOLLOW_UP,
)


def today_in(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


@dataclass(frozen=True)
class Terms:
    """The association's term and the heads' deadline, a margin of working days before it."""

    due_on: date
    heads_due_on: date


def compute_terms(
    calendar: WorkCalendar, incoming_date: date, days: int, unit: TermUnit, margin: int
) -> Terms:
    """The term runs from the incoming letter's date; the heads answer ``margin`` working days earlier,
    so that the association has those days to adopt its position and sign the letter."""
    due = calendar.term_end(incoming_date, days, unit)
    return Terms(due, calendar.subtract_working_days(due, margin))


def clean_body_name(text: str | None) -> str:
    return clean_text(text, max_length=BODY_NAME_MAX, min_length=3)


def clean_letter_number(text: str | None) -> str:
    return clean_text(text, max_length=LETTER_NUMBER_MAX)


def check_term_days(days: int) -> int:
    if days < 1:
        raise InvalidInput(N_("The term must be at least one day."))
    if days > TERM_MAX_DAYS:
        raise InvalidInput(N_("The term can be at most {limit} days."), limit=TERM_MAX_DAYS)
    return days


def check_past_date(day: date, today: date) -> date:
    if day > today:
        raise InvalidInput(N_("The date of a letter cannot be in the future."))
    return day


async def get_approval(session: AsyncSession, consultation_id: int) -> tuple[Consultation, ApprovalRequest]:
    """The consultation and its approval request; a forged id or a plain consultation is refused."""
    consultation = await session.get(Consultation, consultation_id)
    approval = await session.scalar(
        select(ApprovalRequest).where(ApprovalRequest.consultation_id == consultation_id)
    )
    if consultation is None or approval is None:
        raise StaleAction(N_("This consultation is not an approval request."))
    return consultation, approval


async def find_approval(session: AsyncSession, consultation_id: int) -> ApprovalRequest | None:
    return await session.scalar(
        select(ApprovalRequest).where(ApprovalRequest.consultation_id == consultation_id)
    )


async def move(
    session: AsyncSession, approval: ApprovalRequest, allowed: tuple[ApprovalStatus, ...], to: ApprovalStatus
) -> None:
    """Compare-and-set from the status read (one of ``allowed``) to ``to``; the first write of the
    transaction, so that of two presses one moves it and the other is told it was done."""
    expected = approval.status
    if expected is to and to not in allowed:
        raise AlreadyDone(N_("This was already recorded."))
    if expected not in allowed:
        raise StaleAction(N_("This step is not possible for the approval in its current state."))
    if not await compare_and_set(session, ApprovalRequest, approval.id, expected, to):
        await session.rollback()
        raise AlreadyDone(N_("This was already recorded."))
    approval.status = to


async def register(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    *,
    body_kind: StateBodyKind,
    body_name: str,
    incoming_number: str,
    incoming_date: date,
    term_days: int,
    term_unit: TermUnit,
    calendar: WorkCalendar,
    margin: int,
    now: datetime,
    zone: ZoneInfo,
) -> ApprovalRequest:
    """Mark the consultation as an approval request. A draft gets the heads' deadline as its deadline;
    a published one keeps its own (the screen warns when it is later than the heads' deadline)."""
    require_staff(actor)
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    if await find_approval(session, consultation_id) is not None:
        raise AlreadyDone(N_("This consultation is already an approval request."))
    today = today_in(now, zone)
    check_past_date(incoming_date, today)
    terms = compute_terms(calendar, incoming_date, check_term_days(term_days), term_unit, margin)
    if terms.due_on < today:
        raise InvalidInput(N_("By these dates the term for the answer has already passed."))
    approval = ApprovalRequest(
        consultation_id=consultation_id,
        status=ApprovalStatus.AWAITING,
        body_kind=body_kind,
        body_name=clean_body_name(body_name),
        incoming_number=clean_letter_number(incoming_number),
        incoming_date=incoming_date,
        term_days=term_days,
        term_unit=term_unit,
        due_on=terms.due_on,
        heads_due_on=terms.heads_due_on,
        margin_days=margin,
        letter_language="ru",
        addressee=clean_body_name(body_name),
        remark_keys=[],
        alerts_sent=[],
        conciliation_protocol=False,
        created_by_id=actor.id,
        created_at=now,
    )
    session.add(approval)
    if consultation.status is ConsultationStatus.DRAFT and terms.heads_due_on > today:
        consultation.deadline = datetime.combine(terms.heads_due_on, HEADS_DEADLINE_TIME, zone)
    log_event(
        session,
        consultation_id,
        EventKind.REGISTERED,
        actor.id,
        now,
        body=approval.body_name,
        number=approval.incoming_number,
        date=incoming_date.isoformat(),
        term=f"{term_days} {term_unit.value}",
        due=terms.due_on.isoformat(),
        heads_due=terms.heads_due_on.isoformat(),
    )
    await session.commit()
    return approval


def heads_deadline_too_late(consultation: Consultation, approval: ApprovalRequest, zone: ZoneInfo) -> bool:
    """The consultation's deadline for heads falls after the heads' deadline of the approval."""
    if consultation.deadline is None:
        return False
    return consultation.deadline.astimezone(zone).date() > approval.heads_due_on


async def _editable(session: AsyncSession, actor: User, consultation_id: int) -> ApprovalRequest:
    """The approval, its letter still editable (not sent), held against a racing send until commit."""
    require_staff(actor)
    _consultation, approval = await get_approval(session, consultation_id)
    if approval.status is not ApprovalStatus.AWAITING:
        raise StaleAction(N_("The answer is already sent; the letter can no longer be changed."))
    await move(session, approval, (ApprovalStatus.AWAITING,), ApprovalStatus.AWAITING)
    return approval


async def set_letter(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    now: datetime,
    zone: ZoneInfo,
    *,
    addressee: str | None = None,
    outgoing_number: str | None = None,
    outgoing_date: date | None = None,
    decision: ApprovalDecision | None = None,
    language: str | None = None,
    remarks_text: str | None = None,
    reset_remarks: bool = False,
) -> ApprovalRequest:
    """Change one or more parts of the answer letter before it is sent."""
    approval = await _editable(session, actor, consultation_id)
    if addressee is not None:
        approval.addressee = clean_body_name(addressee)
    if outgoing_number is not None:
        approval.outgoing_number = clean_letter_number(outgoing_number)
    if outgoing_date is not None:
        check_past_date(outgoing_date, today_in(now, zone))
        if outgoing_date < approval.incoming_date:
            raise InvalidInput(N_("The answer cannot be dated before the incoming letter."))
        approval.outgoing_date = outgoing_date
    if decision is not None:
        approval.decision = decision
    if language is not None:
        if language not in ("ky", "ru"):
            raise StaleAction(N_("This button is no longer active. Please use the latest message."))
        approval.letter_language = language
    if remarks_text is not None:
        approval.remarks_text = clean_paragraphs(remarks_text, max_length=REMARKS_MAX)
    if reset_remarks:
        approval.remarks_text = None
    await session.commit()
    return approval


async def toggle_remark(
    session: AsyncSession, actor: User, consultation_id: int, key: str, known_keys: list[str]
) -> ApprovalRequest:
    """Accept a proposal group as one of the letter's remarks, or take it out again."""
    if key not in known_keys:
        raise StaleAction(N_("This proposal is not among the answers."))
    approval = await _editable(session, actor, consultation_id)
    keys = list(approval.remark_keys or [])
    approval.remark_keys = [k for k in keys if k != key] if key in keys else [*keys, key]
    await session.commit()
    return approval


def letter_problem(
    consultation: Consultation, approval: ApprovalRequest
) -> StaleAction | InvalidInput | None:
    """Why the letter cannot be generated yet, or None."""
    if consultation.status not in LETTER_STATUSES:
        return StaleAction(N_("The letter can be drafted only once the position is adopted."))
    if approval.decision is None:
        return InvalidInput(N_("Please choose the decision first."))
    if not approval.outgoing_number or approval.outgoing_date is None:
        return InvalidInput(N_("Please enter the outgoing number and date of the letter first."))
    if approval.decision is not ApprovalDecision.APPROVED and not (
        approval.remark_keys or approval.remarks_text
    ):
        return InvalidInput(N_("Please choose the remarks first: with this decision the letter lists them."))
    return None


async def record_letter(session: AsyncSession, actor: User, consultation_id: int, now: datetime) -> None:
    """The letter was generated: checked first (refused with the reason), then logged."""
    require_staff(actor)
    consultation, approval = await get_approval(session, consultation_id)
    problem = letter_problem(consultation, approval)
    if problem is not None:
        raise problem
    approval.letter_generated_at = now
    log_event(
        session,
        consultation_id,
        EventKind.LETTER,
        actor.id,
        now,
        number=approval.outgoing_number,
        date=approval.outgoing_date.isoformat() if approval.outgoing_date else None,
        decision=approval.decision.value if approval.decision else None,
        language=approval.letter_language,
    )
    await session.commit()


async def mark_answered(session: AsyncSession, actor: User, consultation_id: int, now: datetime) -> None:
    """The signed letter went out: the term is met and the near-term alerts stop."""
    require_staff(actor)
    consultation, approval = await get_approval(session, consultation_id)
    if approval.status is ApprovalStatus.AWAITING:
        problem = letter_problem(consultation, approval)
        if problem is not None:
            raise problem
        if approval.letter_generated_at is None:
            raise InvalidInput(N_("Please generate the letter first."))
    await move(session, approval, (ApprovalStatus.AWAITING,), ApprovalStatus.ANSWERED)
    approval.answered_at = now
    log_event(
        session,
        consultation_id,
        EventKind.ANSWERED,
        actor.id,
        now,
        decision=approval.decision.value if approval.decision else None,
        number=approval.outgoing_number,
    )
    await session.commit()


def working_days_to_due(
    calendar: WorkCalendar, approval: ApprovalRequest, now: datetime, zone: ZoneInfo
) -> int:
    return calendar.working_days_left(today_in(now, zone), approval.due_on)
