"""The indicators as data: counts, response rates and figures, for the documents to print."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.indicators.period import Period


@dataclass(frozen=True)
class Tally:
    """How many of something: consultations on a topic, answers with a stance, proposals decided so."""

    key: str
    count: int


@dataclass(frozen=True)
class Response:
    """Targeted and answered for a group (an oblast, a district, a kind, a month, a municipality)."""

    key: str
    name: str
    targeted: int
    answered: int

    @property
    def rate(self) -> float:
        return self.answered / self.targeted if self.targeted else 0.0


@dataclass(frozen=True)
class Proposals:
    """Proposals made: amendments in the answers, grouped by article; and what became of the groups."""

    amendments: int
    grouped: int
    accepted: int
    partly: int
    rejected: int

    @property
    def undecided(self) -> int:
        return self.grouped - self.accepted - self.partly - self.rejected

    def share(self, count: int) -> float:
        return count / self.grouped if self.grouped else 0.0


@dataclass(frozen=True)
class Budget:
    answers: int  # current answers on bills in the period
    with_cost: int  # of which gave an estimated cost
    total_cost: int  # som a year, summed
    unfunded: int  # answers reporting a new duty without funding


@dataclass(frozen=True)
class Figure:
    """A number question summed over the answers: e.g. the sessions held by the local keneshes."""

    key: str
    answered: int
    total: float
    mean: float | None


@dataclass(frozen=True)
class ActImpact:
    """One impact follow-up of an act: who answered and what they said."""

    act_id: int
    act_title: str
    survey_id: int
    months: int | None
    targeted: int
    answered: int
    budget_change: Figure
    services_mean: float | None
    services: dict[str, int]
    unfunded_yes: int
    unfunded_answered: int
    groups: dict[str, int]
    comments: list[str]


@dataclass(frozen=True)
class Kenesh:
    surveys: int
    targeted: int
    answered: int
    figures: list[Figure]


@dataclass(frozen=True)
class Within:
    """Of ``total`` things, how many happened as they should (answered in term, opinion minuted)."""

    total: int
    within: int
    partly: int = 0  # in part only (an opinion partly minuted): neither in ``within`` nor left out

    @property
    def share(self) -> float:
        return self.within / self.total if self.total else 0.0


@dataclass
class Indicators:
    period: Period
    consultations: int
    surveys: int
    by_topic: list[Tally]
    by_initiator: list[Tally]
    overall: Response
    by_oblast: list[Response]
    by_district: list[Response]
    by_kind: list[Response]
    by_month: list[Response]
    stances: list[Tally]
    proposals: Proposals
    budget: Budget
    impacts: list[ActImpact]
    kenesh: Kenesh
    participation: list[Response]  # every municipality targeted in the period, most engaged first
    median_days_to_position: float | None
    positions_adopted: int
    # The formal procedures (issue 13); None: not computed for this report.
    approvals_in_term: Within | None = None
    committee_minutes: Within | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.consultations and not self.surveys

    def most_engaged(self, count: int = 10) -> list[Response]:
        return self.participation[:count]

    def least_engaged(self, count: int = 10) -> list[Response]:
        """The lowest rates, lowest first; none shared with the most engaged when the list is short."""
        tail = self.participation[count:][-count:] if len(self.participation) > count else []
        return list(reversed(tail))
