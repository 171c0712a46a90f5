"""The numbers of the association's position: counted in the database, and the verdict they add up to.

``summarise`` aggregates with SQL (GROUP BY over the targets and the current answers), so its cost
grows with the number of groups and proposals, not with a Python pass over every answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Amendment, Answer, Municipality, MunicipalityKind, Oblast, Stance
from models.consultations import Consultation, ConsultationTarget

# A group (oblast or kind) whose response rate is below this share of the overall rate makes the
# sample skewed: e.g. 20% in one oblast against 60% overall.
UNDERREPRESENTED_RATIO = 0.5


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

