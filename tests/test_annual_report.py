"""The annual report opened back: the DOCX in Kyrgyz and Russian (headings, the numbers in its tables
against the generated year's sums, the charts at print resolution) and the XLSX of every table."""

from __future__ import annotations

import asyncio
import io
import struct
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import DatabaseSettings, LocaleSettings
from bot.documents.annual_report import build_report, build_workbook, state_chart
from bot.reports import report_command
from bot.services.indicators import Indicators, compute, open_consultations, year_period
from bot.services.indicators.responses import by_month
from bot.services.registry import import_registry, parse_registry_file
from devtools.report_year import AnswerSpec, ConsultationSpec, insert_consultation
from models import Municipality, Stance
from models.consultations import ConsultationStatus
from tests.factories import SmallRegistry, clock_start
from tests.report_year_data import BISHKEK, on, report_year, seed_year
from tests.texts import number, tr

LOCALES = ("ky", "ru")


@pytest.fixture
async def years(session: AsyncSession, registry: SmallRegistry) -> dict[str, Indicators]:
    await seed_year(session, registry)
    period = year_period(report_year(), BISHKEK)
    return {locale: await compute(session, period, locale) for locale in LOCALES}


def report(ind: Indicators, locale: str) -> Document:
    data = build_report(ind, locale, generated_at=clock_start(), zone=BISHKEK, association="Союз МСУ")
    return Document(io.BytesIO(data))


def table_after(document: Document, heading: str) -> Table:
    """The first table after the heading with this text."""
    body = document.element.body
    seen = False
    for element in body.iterchildren():
        if element.tag.endswith("}p") and Paragraph(element, document).text.strip() == heading:
            seen = True
        elif seen and element.tag.endswith("}tbl"):
            return Table(element, document)
    raise AssertionError(f"no table after {heading!r}")


def rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def png_size(blob: bytes) -> tuple[int, int]:
    return struct.unpack(">II", blob[16:24])


@pytest.mark.parametrize("locale", LOCALES)
async def test_docx_has_its_parts_and_the_years_numbers(
    years: dict[str, Indicators], registry: SmallRegistry, locale: str
) -> None:
    ind = years[locale]
    document = report(ind, locale)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    for key in (
        "Annual report to the Jogorku Kenesh of the Kyrgyz Republic",
        "The period in numbers",
        "1. Consultations held",
        "2. Participation of municipalities",
        "3. Positions of the municipalities",
        "4. Proposals and what became of them",
        "5. Budget impact",
        "7. The work of local keneshes",
        "8. Acts followed up",
        "Annex. Participation of municipalities",
    ):
        assert tr(key, locale) in headings
    assert "Закон о местных бюджетах" in headings  # the act followed up has its own section
    text = "\n".join(p.text for p in document.paragraphs)
    assert tr("Year {year}", locale, year=report_year()) in text
    # The summary: 11 answers of 36 places (30.6%); 4 consultations on bills.
    summary = dict((r[0], r[1]) for r in rows(table_after(document, tr("The period in numbers", locale))))
    assert summary[tr("Consultations on draft acts", locale)] == "4"
    assert summary[tr("Answers of municipalities to consultations", locale)] == tr(
        "{part} of {whole} ({rate}%)", locale, part=11, whole=36, rate=number(30.6, locale)
    )
    # Proposals: 1 accepted + 1 partly of 4 groups; the extra cost 100 000 + 200 000 + 50 000.
    assert summary[tr("Proposals accepted in full or in part", locale)] == tr(
        "{part} of {whole} ({rate}%)", locale, part=2, whole=4, rate=number(50, locale)
    )
    assert summary[tr("Estimated extra cost reported, som a year", locale)] == number(350_000, locale)
    # No approval request nor committee sitting in the generated year.
    none = tr("none in the period", locale)
    assert summary[tr("Approval requests answered within term", locale)] == none
    assert (
        summary[tr("Committee sittings where the association's opinion entered the minutes", locale)] == none
    )
    # Oblasts: Chui 30/10, Talas 6/1.
    oblasts = rows(table_after(document, tr("Response rate by oblast", locale)))
    chui = registry.chui.name(locale)
    assert [chui, "30", "10", f"{number(33.3, locale)}%"] in oblasts
    # The annex: Ак-Сай consulted 4 times, answered 3 (75%), first.
    annex = rows(table_after(document, tr("Annex. Participation of municipalities", locale)))
    first = registry.ysyk_ata_aimaks[0]
    assert annex[1] == [first.soate, first.name(locale), "4", "3", f"{number(75, locale)}%"]
    assert len(annex) == 1 + 15
    # The act followed up: -300 000 som over 3 answers; 1 of 2 report new unfunded duties.
    act = rows(table_after(document, "Закон о местных бюджетах"))
    assert act[1][1] == number(-300_000, locale)
    assert act[4][1] == tr("{part} of {whole}", locale, part=1, whole=2)
    # Charts: by oblast, by month, stances, proposals; 16 cm wide at 300 dpi (1890 px).
    images = [shape for shape in document.inline_shapes]
    assert len(images) == 4
    blobs = [document.part.related_parts[rel].blob for rel in _image_rels(document)]
    assert all(png_size(blob)[0] == 1890 for blob in blobs)


def _image_rels(document: Document) -> list[str]:
    return [r.rId for r in document.part.rels.values() if "image" in r.reltype]


async def test_kyrgyz_and_russian_reports_differ(years: dict[str, Indicators]) -> None:
    ky = report(years["ky"], "ky")
    ru = report(years["ru"], "ru")
    assert (
        ky.paragraphs[6].text != ru.paragraphs[6].text
        or ky.core_properties.language != ru.core_properties.language
    )
    assert ky.core_properties.language == "ky" and ru.core_properties.language == "ru"


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_year_without_data_says_so(
    session: AsyncSession, registry: SmallRegistry, locale: str
) -> None:
    await seed_year(session, registry)
    empty = await compute(session, year_period(report_year() + 1, BISHKEK), locale)
    document = report(empty, locale)
    text = "\n".join(p.text for p in document.paragraphs)
    assert (
        tr("No consultations or surveys were held in this period, so there is nothing to report yet.", locale)
        in text
    )
    assert not document.inline_shapes
    workbook = load_workbook(io.BytesIO(build_workbook(empty, locale)))
    assert workbook["participation"].max_row == 2  # the title and the headers


@pytest.mark.parametrize("locale", LOCALES)
async def test_workbook_holds_every_table_with_numbers(
    years: dict[str, Indicators], registry: SmallRegistry, locale: str
) -> None:
    workbook = load_workbook(io.BytesIO(build_workbook(years[locale], locale)))
    assert workbook.sheetnames == [
        "summary",
        "topics",
        "initiators",
        "oblasts",
        "districts",
        "kinds",
        "months",
        "stances",
        "proposals",
        "budget",
        "kenesh",
        "impacts",
        "participation",
    ]
    oblasts = {row[0]: row[1:] for row in workbook["oblasts"].iter_rows(min_row=3, values_only=True)}
    assert oblasts[registry.talas.name(locale)] == (6, 1, pytest.approx(1 / 6))
    kenesh = list(workbook["kenesh"].iter_rows(min_row=3, values_only=True))
    assert kenesh[0][1:3] == (2, 10)  # sessions: 6 + 4 from two municipalities
    assert workbook["kenesh"]["A1"].value == tr("Local keneshes: the year's figures", locale)
    impacts = list(workbook["impacts"].iter_rows(min_row=3, values_only=True))
    assert impacts == [("Закон о местных бюджетах", 6, 12, 3, -300_000, 3, 1)]


async def test_command_line_writes_both_files(
    session: AsyncSession, registry: SmallRegistry, database_url: str, tmp_path: Path
) -> None:
    await seed_year(session, registry)
    target = tmp_path / "report.docx"
    code = await report_command(
        DatabaseSettings(database_url=database_url), LocaleSettings(), report_year(), "ru", str(target)
    )
    assert code == 0
    document = Document(str(target))
    assert document.paragraphs[6].text == tr(
        "Annual report to the Jogorku Kenesh of the Kyrgyz Republic", "ru"
    )
    sheet = load_workbook(target.with_suffix(".xlsx"))["summary"]
    assert sheet["B2"].value == "4"  # consultations on draft acts
    missing = await report_command(
        DatabaseSettings(database_url=database_url),
        LocaleSettings(),
        report_year(),
        "ru",
        str(tmp_path / "no" / "r.docx"),
    )
    assert missing == 1


async def test_state_of_consultations_picture(session: AsyncSession, registry: SmallRegistry) -> None:
    await seed_year(session, registry)
    now = clock_start()
    open_id = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=now - timedelta(days=2),
            targets=[registry.tokmok.id, registry.talas_aimaks[0].id],
            answers=[AnswerSpec(registry.tokmok.id)],
            title="Открытый законопроект",
            status=ConsultationStatus.OPEN,
        ),
    )
    (state,) = await open_consultations(session, "ru")
    assert (state.key, state.name, state.targeted, state.answered) == (
        str(open_id),
        "Открытый законопроект",
        2,
        1,
    )
    months = await by_month(session, year_period(report_year(), BISHKEK))
    png = state_chart(months, [state], "ky", now, BISHKEK)
    assert png.startswith(b"\x89PNG") and png_size(png) == (1245, 1755)  # A4 at 150 dpi
    empty = state_chart([], [], "ru", now, BISHKEK)
    assert png_size(empty) == (1245, 1755)


async def test_a_year_over_the_real_registry(session: AsyncSession, registry_csv: Path) -> None:
    """Realistic figures: the 530 units of ../shared/data, every one consulted three times; the oblasts'
    rates add up to the answers the specs hold, and both documents build."""
    rows_read = parse_registry_file(await asyncio.to_thread(registry_csv.read_bytes), registry_csv.name)
    await import_registry(session, rows_read, dry_run=False, now=clock_start(), source=registry_csv.name)
    municipalities = list(await session.scalars(select(Municipality.id).order_by(Municipality.id)))
    assert len(municipalities) == 530
    answered = 0
    for month, every in ((2, 2), (5, 3), (9, 5)):  # every 2nd, 3rd, 5th municipality answers
        chosen = municipalities[::every]
        answered += len(chosen)
        await insert_consultation(
            session,
            ConsultationSpec(
                published_at=on(month, 10),
                targets=municipalities,
                answers=[AnswerSpec(m, Stance.SUPPORT, cost=100_000) for m in chosen],
            ),
        )
    ind = await compute(session, year_period(report_year(), BISHKEK), "ky")
    assert (ind.overall.targeted, ind.overall.answered) == (3 * 530, answered)
    assert sum(r.answered for r in ind.by_oblast) == answered and len(ind.by_oblast) == 9
    assert ind.budget.total_cost == 100_000 * answered
    assert len(ind.participation) == 530
    for locale in LOCALES:
        document = report(ind, locale)
        annex = rows(table_after(document, tr("Annex. Participation of municipalities", locale)))
        assert len(annex) == 1 + 530
        assert load_workbook(io.BytesIO(build_workbook(ind, locale)))["participation"].max_row == 2 + 530
