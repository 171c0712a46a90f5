"""Expert conclusions: the coordinator asks experts (association staff, or chosen heads) for a structured
conclusion on a consultation; each expert writes it part by part, like an answer (the parts are kept in
the database, so a restart loses nothing), chooses the overall conclusion and submits it. The
conclusion document combines the experts' parts with the heads' figures (``conclusion_data``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, AlreadyDone, InvalidInput, StaleAction
from bot.services.positions import PositionSummary, summarise
from bot.services.procedures.log import log_event
from bot.services.status import compare_and_set
from bot.services.users import not_allowed, require_staff
from bot.validation import clean_paragraphs
from models import Consultation, ExpertAssignment, Role, User, UserStatus
from models.deliveries import Broadcast, Delivery
from models.procedures import ExpertStatus, ExpertVerdict

PART_MAX = 3000
# The parts of a conclusion, in the order they are asked (the verdict comes last, by buttons).
PARTS = ("lsg_law", "budget_law", "finance", "mandates", "services", "risks", "recommendations")
VERDICT_STEP = "verdict"
REVIEW_STEP = "review"
EXPERT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.HEAD, Role.DEPUTY)
EXPERT_REQUEST_KIND = "expert_request"


class ExpertEvent:
    ASKED = "expert.asked"
    SUBMITTED = "expert.submitted"


async def _consultation(session: AsyncSession, consultation_id: int) -> Consultation:
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    return consultation


async def ask_expert(
    session: AsyncSession, actor: User, consultation_id: int, expert_id: int, now: datetime
) -> ExpertAssignment:
    """Ask one expert; the request reaches them through the outbox, in their language."""
    require_staff(actor)
    await _consultation(session, consultation_id)
    expert = await session.get(User, expert_id)
    if expert is None or expert.status is not UserStatus.ACTIVE or expert.role not in EXPERT_ROLES:
        raise InvalidInput(N_("This person cannot be asked: only active staff, heads and deputies."))
    existing = await session.scalar(
        select(ExpertAssignment).where(
            ExpertAssignment.consultation_id == consultation_id, ExpertAssignment.user_id == expert_id
        )
    )
    if existing is not None:
        raise AlreadyDone(N_("This expert has already been asked."))
    assignment = ExpertAssignment(
        consultation_id=consultation_id,
        user_id=expert_id,
        status=ExpertStatus.ASKED,
        step=PARTS[0],
        parts={},
        asked_by_id=actor.id,
        asked_at=now,
    )
    session.add(assignment)
    broadcast = Broadcast(kind=EXPERT_REQUEST_KIND, subject_id=consultation_id, created_at=now, total=1)
    session.add(broadcast)
    await session.flush()
    session.add(
        Delivery(
            broadcast_id=broadcast.id,
            user_id=expert.id,
            chat_id=expert.telegram_id,
            kind=EXPERT_REQUEST_KIND,
            payload={},
            not_before=now,
        )
    )
    log_event(session, consultation_id, ExpertEvent.ASKED, actor.id, now, expert=expert.full_name)
    await session.commit()
    return assignment


async def assignments(session: AsyncSession, consultation_id: int) -> list[tuple[ExpertAssignment, User]]:
    rows = await session.execute(
        select(ExpertAssignment, User)
        .join(User, User.id == ExpertAssignment.user_id)
        .where(ExpertAssignment.consultation_id == consultation_id)
        .order_by(ExpertAssignment.id)
    )
    return [(a, u) for a, u in rows]


async def own_assignment(session: AsyncSession, user: User, consultation_id: int) -> ExpertAssignment:
    """The expert's own assignment, still being written; anyone else is refused."""
    if user.status is not UserStatus.ACTIVE or user.role not in EXPERT_ROLES:
        raise not_allowed(user, N_("You were not asked for an expert conclusion on this consultation."))
    assignment = await session.scalar(
        select(ExpertAssignment).where(
            ExpertAssignment.consultation_id == consultation_id, ExpertAssignment.user_id == user.id
        )
    )
    if assignment is None:
        raise not_allowed(user, N_("You were not asked for an expert conclusion on this consultation."))
    if assignment.status is ExpertStatus.SUBMITTED:
        raise AlreadyDone(N_("Your expert conclusion is already submitted. Thank you."))
    return assignment


def next_step(step: str) -> str:
    if step in PARTS:
        index = PARTS.index(step)
        return PARTS[index + 1] if index + 1 < len(PARTS) else VERDICT_STEP
    return REVIEW_STEP


async def _hold(session: AsyncSession, assignment: ExpertAssignment) -> None:
    """Compare-and-set the status to itself: a part racing with the submission waits for it or loses."""
    if not await compare_and_set(
        session, ExpertAssignment, assignment.id, ExpertStatus.ASKED, ExpertStatus.ASKED
    ):
        await session.rollback()
        raise AlreadyDone(N_("Your expert conclusion is already submitted. Thank you."))


async def save_part(
    session: AsyncSession, user: User, consultation_id: int, part: str, text: str | None
) -> ExpertAssignment:
    """The expert's text for ``part`` (None: skipped), and the step moves on. A part from an old
    message (not the one being asked) is refused, so nothing is written in the wrong place."""
    assignment = await own_assignment(session, user, consultation_id)
    if part != assignment.step or part not in PARTS:
        raise StaleAction(N_("This button is no longer active. Please use the latest message."))
    cleaned = clean_paragraphs(text, max_length=PART_MAX) if text is not None else None
    await _hold(session, assignment)
    assignment.parts = {**(assignment.parts or {}), part: cleaned}
    assignment.step = next_step(part)
    await session.commit()
    return assignment


async def choose_verdict(
    session: AsyncSession, user: User, consultation_id: int, verdict: ExpertVerdict
) -> ExpertAssignment:
    assignment = await own_assignment(session, user, consultation_id)
    if assignment.step not in (VERDICT_STEP, REVIEW_STEP):
        raise StaleAction(N_("This button is no longer active. Please use the latest message."))
    await _hold(session, assignment)
    assignment.verdict, assignment.step = verdict, REVIEW_STEP
    await session.commit()
    return assignment


async def restart(session: AsyncSession, user: User, consultation_id: int) -> ExpertAssignment:
    """Go back to the first part; what was written stays until it is written again."""
    assignment = await own_assignment(session, user, consultation_id)
    await _hold(session, assignment)
    assignment.step = PARTS[0]
    await session.commit()
    return assignment


async def submit(session: AsyncSession, user: User, consultation_id: int, now: datetime) -> ExpertAssignment:
    assignment = await own_assignment(session, user, consultation_id)
    if assignment.verdict is None or assignment.step != REVIEW_STEP:
        raise InvalidInput(N_("Please choose the overall conclusion first."))
    if not await compare_and_set(
        session, ExpertAssignment, assignment.id, ExpertStatus.ASKED, ExpertStatus.SUBMITTED, submitted_at=now
    ):
        await session.rollback()
        raise AlreadyDone(N_("Your expert conclusion is already submitted. Thank you."))
    log_event(
        session,
        consultation_id,
        ExpertEvent.SUBMITTED,
        user.id,
        now,
        expert=user.full_name,
        verdict=assignment.verdict.value,
    )
    await session.commit()
    return assignment


@dataclass(frozen=True)
class ExpertPart:
    expert: str
    parts: dict[str, str | None]
    verdict: ExpertVerdict


@dataclass(frozen=True)
class ConclusionData:
    consultation: Consultation
    locale: str
    experts: list[ExpertPart]
    summary: PositionSummary  # the heads' figures: answers, stances, costs, unfunded mandates
    generated_at: datetime


async def conclusion_data(
    session: AsyncSession, actor: User, consultation_id: int, locale: str, quorum: float, now: datetime
) -> ConclusionData:
    require_staff(actor)
    consultation = await _consultation(session, consultation_id)
    submitted = [
        ExpertPart(user.full_name or user.telegram_name or "—", dict(a.parts or {}), a.verdict)  # type: ignore[arg-type]
        for a, user in await assignments(session, consultation_id)
        if a.status is ExpertStatus.SUBMITTED and a.verdict is not None
    ]
    if not submitted:
        raise InvalidInput(N_("No expert has submitted a conclusion yet."))
    summary = await summarise(session, consultation_id, locale, quorum)
    return ConclusionData(consultation, locale, submitted, summary, now)
