"""The association's position: the numbers counted in the database, the verdict they add up to, the
position's lifecycle. The drafted text is written by the presentation layer (``bot.presentation``) and
handed to ``close`` as a drafter.

``summarise`` aggregates with SQL (GROUP BY over the targets and the current answers), so its cost
grows with the number of groups and proposals, not with a Python pass over every answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import N_, InvalidInput, StaleAction
from bot.services import audit
from bot.services.consultations import check_transition, transition
from bot.services.status import compare_and_set
from bot.services.users import require_staff
from bot.validation import check_length, clean_paragraphs, clean_text
from models import (
    ActFate,
    Amendment,
    Answer,
    Municipality,
    MunicipalityKind,
    NoAgreementRoute,
    Oblast,
    Position,
    ProposalDecision,
    ProposalGroup,
    Role,
    Stance,
    User,
    UserStatus,
)
from models.consultations import Consultation, ConsultationStatus, ConsultationTarget
from models.deliveries import Broadcast, Delivery
from models.users import MUNICIPAL_ROLES

# A group (oblast or kind) whose response rate is below this share of the overall rate makes the
# sample skewed: e.g. 20% in one oblast against 60% overall.
UNDERREPRESENTED_RATIO = 0.5
POSITION_TEXT_MAX = 4000  # one Telegram message
ADDRESSEE_MAX = 300
NOTE_MAX = 3000

# The disagreement protocol's first item, the budget as a whole, is kept as a group with this key
# (no article reference normalises to an empty key).
BUDGET_KEY = ""
POSITION_DRAFT_KIND = "position_draft"  # the summary and drafted text, to the coordinators
OUTCOME_KIND = "outcome"  # what became of its proposals, to each municipality that answered


# ---- the numbers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StanceShare:
    stance: Stance
    count: int
    share: float  # of the answers
    population: int  # of the answering municipalities whose population is known
    population_share: float | None  # of the answering population; None when no population is known


@dataclass(frozen=True)
class GroupResponse:
    """An oblast or a kind of municipality: how many were asked, answered, and how.

    ``name`` is the oblast's stored name; a kind of municipality is worded by the reader's channel
    (``bot.presentation.formats.group_name``), so its ``name`` is the kind's code."""

    name: str
    targeted: int
    answered: int
    stances: dict[Stance, int]
    underrepresented: bool
    kind: MunicipalityKind | None = None

    @property
    def rate(self) -> float:
        return self.answered / self.targeted if self.targeted else 0.0


@dataclass(frozen=True)
class Proposal:
    municipality: str
    wording: str
    justification: str | None


@dataclass(frozen=True)
class ProposalGroupSummary:
    """The amendments to one article, with the municipalities behind them."""

    key: str
    article: str  # as the first municipality wrote it
    municipalities: list[str]
    proposals: list[Proposal]

    @property
    def count(self) -> int:
        return len(self.municipalities)


class Verdict(StrEnum):
    """What the answers add up to; the drafted text states it in words."""

    NO_ANSWERS = "no_answers"
    OPPOSE = "oppose"  # more oppose than support, with or without amendments
    SUPPORT_IF_AMENDED = "support_if_amended"  # a majority supports, amendments at least as often
    SUPPORT = "support"
    DIVIDED = "divided"  # no majority either way


@dataclass(frozen=True)
class PositionSummary:
    consultation_id: int
    locale: str
    targeted: int
    answered: int
    quorum: float
    stances: list[StanceShare]
    population_known: int  # answering municipalities with a known population
    by_oblast: list[GroupResponse]
    by_kind: list[GroupResponse]
    total_cost: int
    median_cost: float | None
    costs_reported: int
    unfunded_mandates: int
    proposals: list[ProposalGroupSummary] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.answered / self.targeted if self.targeted else 0.0

    @property
    def quorum_met(self) -> bool:
        return self.targeted > 0 and self.rate >= self.quorum

    @property
    def warnings(self) -> list[GroupResponse]:
        """The oblasts and kinds the position hardly hears from."""
        return [g for g in self.by_oblast + self.by_kind if g.underrepresented]

    def share(self, stance: Stance) -> StanceShare:
        return next(s for s in self.stances if s.stance is stance)

    @property
    def verdict(self) -> Verdict:
        """The association's position as the stances put it: a majority of support, or of opposition."""
        if not self.answered:
            return Verdict.NO_ANSWERS
        support = self.share(Stance.SUPPORT).count
        amend = self.share(Stance.SUPPORT_WITH_AMENDMENTS).count
        if self.share(Stance.OPPOSE).count > support + amend:
            return Verdict.OPPOSE
        if support + amend > self.answered / 2:
            return Verdict.SUPPORT_IF_AMENDED if amend >= support else Verdict.SUPPORT
        return Verdict.DIVIDED


# Writes the position's text in a language from its numbers; see bot.presentation.drafting.
Drafter = Callable[[PositionSummary, Consultation, str], str]


def _current_answer_join():  # type: ignore[no-untyped-def]
    return and_(
        Answer.consultation_id == ConsultationTarget.consultation_id,
        Answer.municipality_id == ConsultationTarget.municipality_id,
        Answer.is_current.is_(True),
    )


async def summarise(
    session: AsyncSession, consultation_id: int, locale: str, quorum: float
) -> PositionSummary:
    """Every number of the position, counted in the database."""
    answered_population = case((Answer.id.is_not(None), Municipality.population))
    # One row per (oblast, kind, stance): a few dozen rows whatever the number of answers.
    cube = (
        await session.execute(
            select(
                Municipality.oblast_id,
                Municipality.kind,
                Answer.stance,
                func.count(ConsultationTarget.id),
                func.count(Answer.id),
                func.coalesce(func.sum(answered_population), 0),
                func.count(answered_population),
            )
            .select_from(ConsultationTarget)
            .join(Municipality, Municipality.id == ConsultationTarget.municipality_id)
            .outerjoin(Answer, _current_answer_join())
            .where(ConsultationTarget.consultation_id == consultation_id)
            .group_by(Municipality.oblast_id, Municipality.kind, Answer.stance)
        )
    ).all()
    oblasts = {
        row.id: row
        for row in await session.scalars(select(Oblast).where(Oblast.id.in_({r[0] for r in cube})))
    }

    targeted = sum(r[3] for r in cube)
    answered = sum(r[4] for r in cube)
    counts: dict[Stance, int] = defaultdict(int)
    population: dict[Stance, int] = defaultdict(int)
    population_known = 0
    for _oblast, _kind, stance, _t, n, people, known in cube:
        if stance is not None:
            counts[stance] += n
            population[stance] += int(people)
            population_known += known
    total_population = sum(population.values())
    stances = [
        StanceShare(
            stance,
            counts[stance],
            counts[stance] / answered if answered else 0.0,
            population[stance],
            population[stance] / total_population if total_population else None,
        )
        for stance in Stance
    ]
    overall_rate = answered / targeted if targeted else 0.0

    def groups(key_of: int, names: dict, order: list) -> list[GroupResponse]:  # type: ignore[type-arg]
        asked: dict = defaultdict(int)  # type: ignore[type-arg]
        replied: dict = defaultdict(int)  # type: ignore[type-arg]
        how: dict = defaultdict(lambda: defaultdict(int))  # type: ignore[type-arg]
        for row in cube:
            key = row[key_of]
            asked[key] += row[3]
            replied[key] += row[4]
            if row[2] is not None:
                how[key][row[2]] += row[4]
        return [
            GroupResponse(
                names[key],
                asked[key],
                replied[key],
                {stance: how[key][stance] for stance in Stance},
                answered > 0 and replied[key] / asked[key] < overall_rate * UNDERREPRESENTED_RATIO,
                MunicipalityKind(key) if key_of == 1 else None,  # column 1 of the cube is the kind
            )
            for key in order
            if asked[key]
        ]

    by_oblast = groups(
        0,
        {i: o.name(locale) for i, o in oblasts.items()},
        sorted(oblasts, key=lambda i: oblasts[i].soate),
    )
    by_kind = groups(1, {k: k.value for k in MunicipalityKind}, list(MunicipalityKind))

    costs = await _costs(session, consultation_id)
    return PositionSummary(
        consultation_id=consultation_id,
        locale=locale,
        targeted=targeted,
        answered=answered,
        quorum=quorum,
        stances=stances,
        population_known=population_known,
        by_oblast=by_oblast,
        by_kind=by_kind,
        proposals=await proposal_groups(session, consultation_id, locale),
        **costs,
    )


async def _costs(session: AsyncSession, consultation_id: int) -> dict[str, int | float | None]:
    current = and_(Answer.consultation_id == consultation_id, Answer.is_current.is_(True))
    total, reported, unfunded = (
        await session.execute(
            select(
                func.coalesce(func.sum(Answer.annual_cost), 0),
                func.count(Answer.annual_cost),
                func.count(case((Answer.unfunded_mandate.is_(True), 1))),
            ).where(current)
        )
    ).one()
    median = None
    if reported:
        # The middle value (or the two middle ones) read by offset: portable to SQLite and PostgreSQL.
        middle = await session.scalars(
            select(Answer.annual_cost)
            .where(current, Answer.annual_cost.is_not(None))
            .order_by(Answer.annual_cost)
            .offset((reported - 1) // 2)
            .limit(2 - reported % 2)
        )
        values = list(middle)
        median = sum(values) / len(values)
    return {
        "total_cost": int(total),
        "costs_reported": reported,
        "unfunded_mandates": unfunded,
        "median_cost": median,
    }


async def proposal_groups(
    session: AsyncSession, consultation_id: int, locale: str
) -> list[ProposalGroupSummary]:
    """Amendments grouped by article, the most supported first, with every wording and its municipality."""
    municipality_name = (
        func.coalesce(Municipality.name_ky, Municipality.name_ru) if locale == "ky" else Municipality.name_ru
    )
    current = and_(Answer.consultation_id == consultation_id, Answer.is_current.is_(True))
    ranking = (
        await session.execute(
            select(
                Amendment.article_key,
                func.min(Amendment.id),
                func.count(func.distinct(Answer.municipality_id)),
            )
            .join(Answer, Answer.id == Amendment.answer_id)
            .where(current)
            .group_by(Amendment.article_key)
            .order_by(func.count(func.distinct(Answer.municipality_id)).desc(), Amendment.article_key)
        )
    ).all()
    rows = (
        await session.execute(
            select(
                Amendment.article_key,
                Answer.municipality_id,
                municipality_name,
                Amendment.wording,
                Amendment.justification,
            )
            .join(Answer, Answer.id == Amendment.answer_id)
            .join(Municipality, Municipality.id == Answer.municipality_id)
            .where(current)
            .order_by(Amendment.article_key, municipality_name, Amendment.position)
        )
    ).all()
    # Each group is shown under the reference its first proposal used.
    first_ids = [first_id for _key, first_id, _count in ranking]
    first = dict(
        (
            await session.execute(select(Amendment.id, Amendment.article).where(Amendment.id.in_(first_ids)))
        ).all()
    )
    proposals: dict[str, list[Proposal]] = defaultdict(list)
    # By id, not by name: namesakes in different districts («Октябрьский айылный аймак») are two.
    names: dict[str, dict[int, str]] = defaultdict(dict)
    for key, municipality_id, name, wording, justification in rows:
        proposals[key].append(Proposal(name, wording, justification))
        names[key][municipality_id] = name
    return [
        ProposalGroupSummary(key, first[first_id], sorted(names[key].values()), proposals[key])
        for key, first_id, _count in ranking
    ]


# ---- the lifecycle -------------------------------------------------------------------------------


async def get_position(session: AsyncSession, consultation_id: int) -> tuple[Consultation, Position]:
    """The consultation and its position, for a staff member's screen; a forged id is refused."""
    consultation = await session.get(Consultation, consultation_id)
    position = await session.scalar(select(Position).where(Position.consultation_id == consultation_id))
    if consultation is None or position is None:
        raise StaleAction(N_("This consultation has no position yet: it is not closed."))
    return consultation, position


async def close(
    session: AsyncSession,
    consultation_id: int,
    now: datetime,
    quorum: float,
    *,
    drafter: Drafter,
    actor: User | None = None,
) -> Position:
    """Freeze the answers, draft the position in both languages with ``drafter``, and tell the
    coordinators; all in one transaction, so the drafted texts are those of the frozen answers."""
    if actor is not None:
        require_staff(actor)
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    # First: of the scheduler, a coordinator's press and its repetitions only one closes and drafts.
    await transition(
        session,
        consultation,
        ConsultationStatus.CLOSED,
        actor.id if actor else None,
        now,
        note="early" if actor else "deadline",
    )
    consultation.closed_at = now
    texts = {
        locale: drafter(await summarise(session, consultation_id, locale, quorum), consultation, locale)
        for locale in ("ky", "ru")
    }
    position = Position(
        consultation_id=consultation_id, text_ky=texts["ky"], text_ru=texts["ru"], drafted_at=now
    )
    session.add(position)
    await _notify(session, POSITION_DRAFT_KIND, consultation_id, _coordinators(consultation), now)
    audit.record(
        session,
        "consultation.close",
        actor_id=actor.id if actor else None,
        now=now,
        object_type="consultation",
        object_id=consultation_id,
    )
    await session.commit()
    return position


def _coordinators(consultation: Consultation) -> Select[tuple[int, int]]:
    """Who gets the drafted position: its author, or all active staff when it came from the command line."""
    staff = select(User.id, User.telegram_id).where(
        User.status == UserStatus.ACTIVE, User.role.in_([Role.COORDINATOR, Role.ADMIN])
    )
    if consultation.created_by_id is not None:
        staff = staff.where(User.id == consultation.created_by_id)
    return staff


async def _notify(
    session: AsyncSession, kind: str, consultation_id: int, recipients: Select[tuple[int, int]], now: datetime
) -> int:
    """A broadcast of ``kind`` about the consultation, one pending delivery per recipient; their number."""
    broadcast = Broadcast(kind=kind, subject_id=consultation_id, created_at=now)
    session.add(broadcast)
    await session.flush()
    people = (await session.execute(recipients)).all()
    session.add_all(
        Delivery(
            broadcast_id=broadcast.id, user_id=user_id, chat_id=chat_id, kind=kind, payload={}, not_before=now
        )
        for user_id, chat_id in people
    )
    broadcast.total = len(people)
    return broadcast.total


async def close_due(
    session_factory: async_sessionmaker[AsyncSession], now: datetime, quorum: float, drafter: Drafter
) -> list[int]:
    """Close every open consultation whose deadline has passed; the scheduler calls this every minute."""
    async with session_factory() as session:
        due = list(
            await session.scalars(
                select(Consultation.id).where(
                    Consultation.status == ConsultationStatus.OPEN, Consultation.deadline <= now
                )
            )
        )
    closed = []
    for consultation_id in due:
        async with session_factory() as session:
            try:
                await close(session, consultation_id, now, quorum, drafter=drafter)
            except (StaleAction, IntegrityError):
                continue  # another process (or the coordinator) closed it a moment ago
            closed.append(consultation_id)
    return closed


async def _require_status(
    session: AsyncSession, consultation: Consultation, *allowed: ConsultationStatus
) -> None:
    """The consultation is in one of ``allowed``, and stays so until the caller commits: the status is
    set to itself, compare-and-set, so a transition racing with this change waits for it or wins."""
    status = consultation.status
    refusal = StaleAction(N_("This step is not possible for the consultation in its current state."))
    if status not in allowed:
        raise refusal
    if not await compare_and_set(session, Consultation, consultation.id, status, status):
        await session.rollback()
        raise refusal


async def edit_text(
    session: AsyncSession, actor: User, consultation_id: int, locale: str, text: str | None
) -> Position:
    require_staff(actor)
    consultation, position = await get_position(session, consultation_id)
    cleaned = clean_paragraphs(text, max_length=POSITION_TEXT_MAX)
    await _require_status(session, consultation, ConsultationStatus.CLOSED)  # not once it is adopted
    if locale == "ky":
        position.text_ky = cleaned
    else:
        position.text_ru = cleaned
    await session.commit()
    return position


async def adopt(session: AsyncSession, actor: User, consultation_id: int, now: datetime) -> Position:
    require_staff(actor)
    consultation, position = await get_position(session, consultation_id)
    await transition(session, consultation, ConsultationStatus.POSITION_ADOPTED, actor.id, now)
    position.adopted_at, position.adopted_by_id = now, actor.id
    await session.commit()
    return position


def clean_addressee(text: str | None) -> str:
    return clean_text(text, max_length=ADDRESSEE_MAX, min_length=3)


async def mark_submitted(
    session: AsyncSession, actor: User, consultation_id: int, addressee: str, on: datetime, now: datetime
) -> Position:
    """Sent to the committee or ministry: to whom and on which day (not in the future)."""
    require_staff(actor)
    consultation, position = await get_position(session, consultation_id)
    check_transition(consultation, ConsultationStatus.SUBMITTED)
    # Calendar days in the zone the date was given in: «today» typed in Bishkek is noon there, which
    # may still be ahead of now, and the adoption's UTC day may be the day before Bishkek's.
    if on.date() > now.astimezone(on.tzinfo).date():
        raise InvalidInput(N_("The date of submission cannot be in the future."))
    if position.adopted_at is not None and on.date() < position.adopted_at.astimezone(on.tzinfo).date():
        raise InvalidInput(N_("The position cannot be submitted before it was adopted."))
    addressee = clean_addressee(addressee)
    await transition(session, consultation, ConsultationStatus.SUBMITTED, actor.id, now, note=addressee)
    position.addressee, position.submitted_on = addressee, on
    await session.commit()
    return position


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
    await _require_status(
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
    await _require_status(session, consultation, ConsultationStatus.SUBMITTED)
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
    await _require_status(session, consultation, ConsultationStatus.SUBMITTED)
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
    count = await _notify(session, OUTCOME_KIND, consultation_id, recipients, now)
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
