"""The annual report's procedure indicators (approval requests answered in term, committee sittings
whose minutes hold the association's opinion) over the generated year, and the report showing them."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from docx import Document
from sqlalchemy.ext.asyncio import AsyncSession

from bot.documents.annual_report import build_report
from bot.services.indicators import Indicators, compute, year_period
from models.procedures import (
    ApprovalRequest,
    ApprovalStatus,
    CommitteeSitting,
    MinutesEntry,
    Reading,
    SittingStatus,
    StateBodyKind,
    TermUnit,
)
from tests.factories import SmallRegistry, clock_start
from tests.report_year_data import BISHKEK, YearIds, on, report_year, seed_year
from tests.test_annual_report import rows, table_after
from tests.texts import number, tr


def approval(
    consultation_id: int, received: date, due_on: date, answered_at: datetime | None
) -> ApprovalRequest:
    return ApprovalRequest(
        consultation_id=consultation_id,
        status=ApprovalStatus.AWAITING if answered_at is None else ApprovalStatus.ANSWERED,
        body_kind=StateBodyKind.MINISTRY,
        body_name="Министерство финансов",
        incoming_number="01-1/1",
        incoming_date=received,
        term_days=10,
        term_unit=TermUnit.WORKING,
        due_on=due_on,
        heads_due_on=due_on - timedelta(days=2),
        margin_days=2,
        letter_language="ru",
        answered_at=answered_at,
        created_at=clock_start(),
    )


def sitting(consultation_id: int, starts_at: datetime, minutes: MinutesEntry | None) -> CommitteeSitting:
    return CommitteeSitting(
        consultation_id=consultation_id,
        status=SittingStatus.SCHEDULED if minutes is None else SittingStatus.RECORDED,
        committee="Комитет по бюджету",
        starts_at=starts_at,
        place="Жогорку Кенеш",
        reading=Reading.FIRST,
        attended=minutes is not None,
        minutes=minutes,
        recorded_at=None if minutes is None else starts_at + timedelta(days=1),
        created_at=clock_start(),
    )


async def seed_procedures(session: AsyncSession, ids: YearIds) -> None:
    y = report_year()
    due = date(y, 2, 20)
    session.add_all(
        [
            # Sent at 23:30 on the due day in Bishkek (17:30 UTC): in term.
            approval(ids.c1, date(y, 2, 10), due, on(2, 20, 23, 30)),
            # Sent at 00:30 the day after in Bishkek (still the due day in UTC): late.
            approval(ids.c2, date(y, 3, 6), due, on(2, 21, 0, 30)),
            # Never answered: counted, not in term.
            approval(ids.c3, date(y, 3, 1), date(y, 3, 15), None),
            # Received on the last day of the year before, answered in term: another period.
            approval(ids.outside, date(y - 1, 12, 31), date(y, 1, 15), on(1, 10)),
            sitting(ids.c1, on(3, 1, 10), MinutesEntry.YES),
            sitting(ids.c1, on(4, 1, 10), MinutesEntry.PARTLY),
            sitting(ids.c2, on(4, 2, 10), MinutesEntry.NO),
            # The first half hour of the year in Bishkek (the year before in UTC): counted.
            sitting(ids.c4, on(1, 1, 0, 30), MinutesEntry.YES),
            # The last hour of the year before in Bishkek: not counted.
            sitting(ids.outside, on(12, 31, 23, 0, year=y - 1), MinutesEntry.YES),
            # Scheduled, nothing recorded yet: left out.
            sitting(ids.c4, on(5, 5, 10), None),
        ]
    )
    await session.commit()


@pytest.fixture
async def year(session: AsyncSession, registry: SmallRegistry) -> Indicators:
    ids = await seed_year(session, registry)
    await seed_procedures(session, ids)
    return await compute(session, year_period(report_year(), BISHKEK), "ru")


async def test_approvals_answered_in_term(year: Indicators) -> None:
    # Three requests received in the year: one answered on the due day, one a day late, one never.
    assert year.approvals_in_term is not None
    assert (year.approvals_in_term.total, year.approvals_in_term.within) == (3, 1)


async def test_sittings_with_opinion_minuted(year: Indicators) -> None:
    # Four sittings on record in the year: yes (twice), partly, no.
    minutes = year.committee_minutes
    assert minutes is not None
    assert (minutes.total, minutes.within, minutes.partly) == (4, 2, 1)
    assert minutes.share == pytest.approx(0.5)


async def test_a_year_without_procedures(session: AsyncSession, registry: SmallRegistry) -> None:
    ids = await seed_year(session, registry)
    await seed_procedures(session, ids)
    later = await compute(session, year_period(report_year() + 1, BISHKEK), "ky")
    assert later.approvals_in_term is not None and later.committee_minutes is not None
    assert (later.approvals_in_term.total, later.approvals_in_term.within) == (0, 0)
    assert (later.committee_minutes.total, later.committee_minutes.within) == (0, 0)


@pytest.mark.parametrize("locale", ("ky", "ru"))
async def test_the_report_shows_the_procedure_figures(
    session: AsyncSession, registry: SmallRegistry, locale: str
) -> None:
    ids = await seed_year(session, registry)
    await seed_procedures(session, ids)
    # A year without any (the report of the generated year alone) says "none in the period":
    # tests/test_annual_report.py.
    shown = (
        tr("{part} of {whole} ({rate}%)", locale, part=1, whole=3, rate=number(33.3, locale)),
        tr("{part} of {whole} ({rate}%)", locale, part=2, whole=4, rate=number(50, locale))
        + "; "
        + tr("in part: {count}", locale, count=1),
    )
    ind = await compute(session, year_period(report_year(), BISHKEK), locale)
    data = build_report(ind, locale, generated_at=clock_start(), zone=BISHKEK, association="Союз МСУ")
    document = Document(io.BytesIO(data))
    summary = dict((r[0], r[1]) for r in rows(table_after(document, tr("The period in numbers", locale))))
    approvals = tr("Approval requests answered within term", locale)
    minutes = tr("Committee sittings where the association's opinion entered the minutes", locale)
    assert (summary[approvals], summary[minutes]) == shown
    # Section 6 repeats them in sentences.
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"{approvals}: {shown[0]}" in text and f"{minutes}: {shown[1]}" in text
