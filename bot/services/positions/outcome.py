"""After submission: the coordinator's notes on each grouped proposal (the government's view, the
decision taken), what became of the act, and the notices that close the loop with the municipalities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput, StaleAction
from bot.services import audit
from bot.services.consultations import check_transition, transition
from bot.services.positions.lifecycle import get_position, notify, require_status
from bot.services.users import require_staff
from bot.validation import check_length, clean_paragraphs
from models import (
    ActFate,
    Amendment,
    Answer,
    NoAgreementRoute,
    Position,
    ProposalDecision,
    ProposalGroup,
    User,
    UserStatus,
)
from models.consultations import ConsultationStatus
from models.users import MUNICIPAL_ROLES

NOTE_MAX = 3000

# The disagreement protocol's first item, the budget as a whole, is kept as a group with this key
# (no article reference normalises to an empty key).
BUDGET_KEY = ""
OUTCOME_KIND = "outcome"  # what became of its proposals, to each municipality that answered


async def group_record(session: AsyncSession, consultation_id: int, key: str) -> ProposalGroup:
    """The coordinator's notes on one grouped proposal, created on first use."""
    record = await session.scalar(
        select(ProposalGroup).where(
            ProposalGroup.consultation_id == consultation_id, ProposalGroup.article_key == key
        )
    )
    if record is None:
        record = ProposalGroup(consultation_id=consultation_id, article_key=key)
        session.add(record)
    return record


async def group_records(session: AsyncSession, consultation_id: int) -> dict[str, ProposalGroup]:
    rows = await session.scalars(
        select(ProposalGroup).where(ProposalGroup.consultation_id == consultation_id)
    )
    return {row.article_key: row for row in rows}


async def _known_group(session: AsyncSession, consultation_id: int, key: str) -> None:
    """A forged or stale article key is refused: it must be one the answers actually contain."""
    hit = await session.scalar(
        select(Amendment.id)
        .join(Answer, Answer.id == Amendment.answer_id)
        .where(
            Answer.consultation_id == consultation_id,
            Answer.is_current.is_(True),
            Amendment.article_key == key,
        )
        .limit(1)
    )
    if hit is None:
        raise StaleAction(N_("This proposal is not among the answers."))


async def set_government_view(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    key: str | None,
    *,
    government_position: str | None = None,
    recommendation: str | None = None,
) -> None:
    """For the disagreement protocol: the government's view of an item (``key`` None: the budget as a
    whole) and the recommended balanced decision."""
    require_staff(actor)
    consultation, _position = await get_position(session, consultation_id)
    if not consultation.inter_budget:
        raise StaleAction(N_("A disagreement protocol is made only for inter-budget consultations."))
    await require_status(
        session,
        consultation,
        ConsultationStatus.CLOSED,
        ConsultationStatus.POSITION_ADOPTED,
        ConsultationStatus.SUBMITTED,
    )
    if key is None:
        key = BUDGET_KEY
    else:
        await _known_group(session, consultation_id, key)
    record = await group_record(session, consultation_id, key)
    if government_position is not None:
        record.government_position = clean_paragraphs(government_position, max_length=NOTE_MAX)
    if recommendation is not None:
        record.recommendation = clean_paragraphs(recommendation, max_length=NOTE_MAX)
    await session.commit()


async def decide_group(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    key: str,
    decision: ProposalDecision,
    reason: str | None = None,
) -> ProposalGroup:
    """What parliament or the government did with one grouped proposal."""
    require_staff(actor)
    consultation, _position = await get_position(session, consultation_id)
    await require_status(session, consultation, ConsultationStatus.SUBMITTED)
    await _known_group(session, consultation_id, key)
    record = await group_record(session, consultation_id, key)
    record.decision = decision
    if reason is not None:
        record.reason = clean_paragraphs(reason, max_length=NOTE_MAX)
    await session.commit()
    return record


async def set_outcome(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    *,
    act_fate: ActFate | None = None,
    route: NoAgreementRoute | None = None,
    note: str | None = None,
) -> Position:
    require_staff(actor)
    consultation, position = await get_position(session, consultation_id)
    await require_status(session, consultation, ConsultationStatus.SUBMITTED)
    if act_fate is not None:
        position.act_fate = act_fate
    if route is not None:
        position.no_agreement_route = route
    if note is not None:
        position.outcome_note = check_length(clean_paragraphs(note, max_length=NOTE_MAX), max_length=NOTE_MAX)
    await session.commit()
    return position


async def record_outcome(session: AsyncSession, actor: User, consultation_id: int, now: datetime) -> int:
    """Close the loop: the outcome is final and every municipality that answered is told its part.
    Returns the number of notices queued."""
    require_staff(actor)
    consultation, position = await get_position(session, consultation_id)
    check_transition(consultation, ConsultationStatus.OUTCOME_RECORDED)
    if position.act_fate is None:
        raise InvalidInput(N_("Please say first what became of the act."))
    # The articles proposed in the answers that have no recorded decision yet.
    decided = select(ProposalGroup.article_key).where(
        ProposalGroup.consultation_id == consultation_id, ProposalGroup.decision.is_not(None)
    )
    undecided = await session.scalar(
        select(func.count(func.distinct(Amendment.article_key)))
        .join(Answer, Answer.id == Amendment.answer_id)
        .where(
            Answer.consultation_id == consultation_id,
            Answer.is_current.is_(True),
            Amendment.article_key.not_in(decided.scalar_subquery()),
        )
    )
    if undecided:
        raise InvalidInput(
            N_("Please record the decision on every proposal first; {count} are left."), count=undecided
        )
    await transition(session, consultation, ConsultationStatus.OUTCOME_RECORDED, actor.id, now)
    if position.no_agreement_route is None:
        position.no_agreement_route = NoAgreementRoute.NONE
    position.outcome_recorded_at = now
    answered = select(Answer.municipality_id).where(
        Answer.consultation_id == consultation_id, Answer.is_current.is_(True)
    )
    recipients = select(User.id, User.telegram_id).where(
        User.status == UserStatus.ACTIVE,
        User.role.in_(MUNICIPAL_ROLES),
        User.municipality_id.in_(answered.scalar_subquery()),
    )
    count = await notify(session, OUTCOME_KIND, consultation_id, recipients, now)
    audit.record(
        session,
        "consultation.outcome",
        actor_id=actor.id,
        now=now,
        object_type="consultation",
        object_id=consultation_id,
    )
    await session.commit()
    return count


@dataclass(frozen=True)
class OwnProposal:
    article: str
    wording: str
    decision: ProposalDecision | None
    reason: str | None


async def own_proposals(
    session: AsyncSession, consultation_id: int, municipality_id: int
) -> list[OwnProposal]:
    """One municipality's proposals in its current answer, each with the decision on its article."""
    rows = await session.execute(
        select(Amendment.article, Amendment.wording, ProposalGroup.decision, ProposalGroup.reason)
        .join(Answer, Answer.id == Amendment.answer_id)
        .outerjoin(
            ProposalGroup,
            and_(
                ProposalGroup.consultation_id == Answer.consultation_id,
                ProposalGroup.article_key == Amendment.article_key,
            ),
        )
        .where(
            Answer.consultation_id == consultation_id,
            Answer.municipality_id == municipality_id,
            Answer.is_current.is_(True),
        )
        .order_by(Amendment.position)
    )
    return [OwnProposal(*row) for row in rows]
