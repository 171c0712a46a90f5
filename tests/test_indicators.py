"""The annual report's indicators over a generated year, each checked against a sum worked out by
hand from tests/report_year_data.py (the comments show the sums); and a year without data."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators import Indicators, compute, days_period, year_period
from tests.factories import SmallRegistry
from tests.report_year_data import BISHKEK, on, report_year, seed_year


def rates(responses: list) -> dict[str, tuple[int, int]]:
    return {r.key: (r.targeted, r.answered) for r in responses}


@pytest.fixture
async def year(session: AsyncSession, registry: SmallRegistry) -> Indicators:
    await seed_year(session, registry)
    return await compute(session, year_period(report_year(), BISHKEK), "ru")


async def test_consultations_by_topic_and_initiator(year: Indicators) -> None:
    # C1..C4 on bills (C3 in the first half hour of the year, Bishkek time); the one published an
    # hour before the year began is left out; two surveys.
    assert (year.consultations, year.surveys) == (4, 2)
    assert {t.key: t.count for t in year.by_topic} == {"local_budget": 2, "land": 1, "water": 1}
    assert [(t.key, t.count) for t in year.by_initiator] == [
        ("Кабинет Министров", 2),
        ("", 1),  # C3 names no initiator
        ("Депутаты Жогорку Кенеша", 1),
    ]
    assert not year.empty


async def test_response_rates_overall_by_place_and_month(year: Indicators, registry: SmallRegistry) -> None:
    # Targeted: C1 12 + C2 4 + C3 15 + C4 5 = 36; answered: 4 + 2 + 0 + 5 = 11.
    assert (year.overall.targeted, year.overall.answered) == (36, 11)
    assert year.overall.rate == pytest.approx(11 / 36)
    # Chui: C1 12/4, C2 1/1 (Ак-Сай), C3 12/0, C4 5/5 = 30/10; Talas: C2 3/1, C3 3/0 = 6/1.
    assert rates(year.by_oblast) == {registry.talas.soate: (6, 1), registry.chui.soate: (30, 10)}
    assert {r.name for r in year.by_oblast} == {"Чуйская область", "Таласская область"}
    # Ysyk-Ata: C1 11/3, C2 1/1, C3 11/0, C4 5/5 = 28/9; Tokmok has no district.
    assert rates(year.by_district) == {
        registry.ysyk_ata.soate: (28, 9),
        registry.talas_district.soate: (6, 1),
    }
    # The city (Tokmok): C1 1/1, C3 1/0; the ayil aimaks the rest: 34/10.
    assert rates(year.by_kind) == {"ayil_aimak": (34, 10), "city": (2, 1)}
    y = report_year()
    assert rates(year.by_month) == {f"{y}-01": (15, 0), f"{y}-02": (12, 4), f"{y}-03": (9, 7)}


async def test_stances_proposals_budget_and_time_to_position(year: Indicators) -> None:
    # Current answers only (Tokmok's earlier «oppose» is replaced): C1 S, AM, OP, S; C2 OP, NO; C4 5 S.
    assert {t.key: t.count for t in year.stances} == {"support": 7, "amend": 1, "oppose": 2, "none": 1}
    # Amendments: C1 1 + 2, C2 1, C4 1 = 5; groups: C1 «ст. 5» = «Статья 5» and «ст. 7», C2 «ст. 2»,
    # C4 «ст. 1» = 4, decided accepted, rejected, partly, and one not yet.
    p = year.proposals
    assert (p.amendments, p.grouped, p.accepted, p.partly, p.rejected, p.undecided) == (5, 4, 1, 1, 1, 1)
    assert p.share(p.accepted) == pytest.approx(0.25)
    # Costs 100 000 + 200 000 + 50 000; one unfunded mandate (the replaced version said so too: not counted).
    b = year.budget
    assert (b.answers, b.with_cost, b.total_cost, b.unfunded) == (11, 3, 350_000, 1)
    # Positions adopted after 20, 10 and 30 days: median 20; C3 has none.
    assert (year.positions_adopted, year.median_days_to_position) == (3, pytest.approx(20))


async def test_impact_follow_up_and_kenesh_figures(year: Indicators) -> None:
    (impact,) = year.impacts
    assert (impact.act_title, impact.months, impact.targeted, impact.answered) == (
        "Закон о местных бюджетах",
        6,
        12,
        3,
    )
    # -300 000 + 100 000 - 100 000 = -300 000 over 3 answers; services (2 + 4 + 3) / 3 = 3.
    assert (impact.budget_change.total, impact.budget_change.mean) == (-300_000, pytest.approx(-100_000))
    assert impact.services_mean == pytest.approx(3)
    assert impact.services == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 0}
    # Tokmok skipped the unfunded-duties question: 1 yes of 2.
    assert (impact.unfunded_yes, impact.unfunded_answered) == (1, 2)
    assert impact.groups["pensioners"] == 2 and impact.groups["farmers"] == 1 and impact.groups["youth"] == 0
    assert impact.comments == ["Меньше денег"]
    kenesh = year.kenesh
    assert (kenesh.surveys, kenesh.targeted, kenesh.answered) == (1, 15, 2)
    figures = {f.key: (f.answered, f.total) for f in kenesh.figures}
    assert figures == {
        "sessions": (2, 10),  # 6 + 4
        "decisions": (2, 60),  # 40 + 20
        "public_hearings": (2, 3),
        "budget_hearings": (2, 2),
        "deputy_reports": (2, 3),
        "vacancies": (2, 2),
    }


async def test_most_and_least_engaged(year: Indicators, registry: SmallRegistry) -> None:
    a = [m.soate for m in registry.ysyk_ata_aimaks]
    t = [m.soate for m in registry.talas_aimaks]
    # Ак-Сай answered C1, C2, C4 of C1..C4 (3/4); Ашар and Байтик 2/3; Арал and Tokmok 1/2; Жениш and
    # Ивановка 1/3 (C4 only); everyone else 0.
    order = [r.key for r in year.participation]
    assert order[:7] == [a[0], a[1], a[2], t[0], registry.tokmok.soate, a[3], a[4]]
    assert len(order) == 15
    assert [r.key for r in year.most_engaged(3)] == [a[0], a[1], a[2]]
    least = year.least_engaged(3)
    assert {r.answered for r in least} == {0} and len(least) == 3
    assert year.participation[0].rate == pytest.approx(0.75)


async def test_a_year_without_procedures_counts_none(year: Indicators) -> None:
    # No approval request nor sitting in the generated year: zero totals (test_procedure_indicators.py).
    assert year.approvals_in_term is not None and year.committee_minutes is not None
    assert (year.approvals_in_term.total, year.committee_minutes.total) == (0, 0)


async def test_a_year_without_data(session: AsyncSession, registry: SmallRegistry) -> None:
    await seed_year(session, registry)
    empty = await compute(session, year_period(report_year() + 1, BISHKEK), "ky")
    assert empty.empty and (empty.consultations, empty.surveys) == (0, 0)
    assert (empty.overall.targeted, empty.overall.answered, empty.overall.rate) == (0, 0, 0.0)
    assert empty.by_topic == empty.by_oblast == empty.by_month == empty.stances == empty.participation == []
    assert empty.median_days_to_position is None and empty.impacts == []
    assert empty.kenesh.surveys == 0 and all(f.answered == 0 for f in empty.kenesh.figures)
    assert empty.proposals.grouped == 0 and empty.budget.total_cost == 0


async def test_a_chosen_span_of_days(session: AsyncSession, registry: SmallRegistry) -> None:
    await seed_year(session, registry)
    # March only: C2 and C4.
    march = await compute(session, days_period(on(3, 1).date(), on(3, 31).date(), BISHKEK), "ru")
    assert march.consultations == 2 and (march.overall.targeted, march.overall.answered) == (9, 7)
    assert march.period.year is None and year_period(2026, BISHKEK).year == 2026
