"""The exported documents, opened back the way their readers open them: Word, Excel, CSV, an image."""

from __future__ import annotations

import asyncio
import csv
import io
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.table import Table
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import documents
from bot.i18n import format_number
from bot.i18n import format_official_date as format_date  # the documents write dates officially
from bot.presentation.drafting import draft_text
from bot.services import positions
from bot.services.export_data import ExportData, export_data
from models import (
    Amendment,
    Answer,
    BudgetImpact,
    Consultation,
    ConsultationTarget,
    Municipality,
    Role,
    Stance,
    User,
)
from models.answers import article_key
from tests.factories import EXTRA_QUESTIONS, SmallRegistry, add_user, open_consultation
from tests.test_language import check_official_terms
from tests.texts import tr

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=5)
CLOSED_AT = DEADLINE + timedelta(minutes=1)
ZONE = ZoneInfo("Asia/Bishkek")
QUORUM = 0.5
LOCALES = ("ky", "ru")
TITLES = {"ky": "Жайыттар жөнүндө мыйзам долбоору", "ru": "Законопроект о пастбищах"}
# Someone's comment that Excel would run as a formula if it were not kept as text.
FORMULA_COMMENT = '=HYPERLINK("http://example.com","Подробнее")'


@dataclass
class Known:
    """The consultation and the municipalities whose answers the tests know by heart."""

    consultation_id: int
    coordinator: User
    ak_sai: Municipality  # support, 100 000 som; answered twice, the second version counts
    ashar: Municipality  # amendments, by a deputy, 250 000 som, unfunded mandate
    baitik: Municipality  # amendments to two articles
    zhenish: Municipality  # oppose, 1 500 000 som, unfunded mandate
    tokmok: Municipality  # oppose, 2 000 000 som, the same wording as Ashar in Kyrgyz words
    ivanovka: Municipality  # no opinion
    registry: SmallRegistry


def _answer(
    consultation_id: int,
    municipality: Municipality,
    stance: Stance,
    at: datetime,
    *,
    version: int = 1,
    current: bool = True,
    author: User | None = None,
    deputy: bool = False,
    cost: int | None = None,
    impact: BudgetImpact | None = None,
    unfunded: bool | None = None,
    services: tuple[str, ...] = (),
    comment: str | None = None,
    amendments: tuple[tuple[str, str, str | None], ...] = (),
) -> Answer:
    return Answer(
        consultation_id=consultation_id,
        municipality_id=municipality.id,
        version=version,
        is_current=current,
        author_id=author.id if author else None,
        by_deputy=deputy,
        submitted_at=at,
        stance=stance,
        budget_impact=impact,
        annual_cost=cost,
        unfunded_mandate=unfunded,
        services=list(services),
        comment=comment,
        amendments=[
            Amendment(
                position=index,
                article=article,
                article_key=article_key(article),
                wording=wording,
                justification=justification,
            )
            for index, (article, wording, justification) in enumerate(amendments)
        ],
    )


@pytest.fixture
async def known(session: AsyncSession, registry: SmallRegistry) -> Known:
    """Chui oblast (12) and, added by hand, Talas oblast (3) asked; 6 of the 15 answered, none in Talas."""
    consultation = await open_consultation(session, registry, DEADLINE)
    cid = consultation.id
    session.add_all(
        ConsultationTarget(consultation_id=cid, municipality_id=m.id) for m in registry.talas_aimaks
    )
    coordinator = await session.scalar(select(User).where(User.telegram_id == 900))
    assert coordinator is not None
    ak_sai, ashar, baitik, zhenish, ivanovka = registry.ysyk_ata_aimaks[:5]
    tokmok = registry.tokmok
    head = await add_user(
        session, 21, role=Role.HEAD, municipality=ak_sai, full_name="Асанов Бакыт", now=NOW
    )
    deputy = await add_user(
        session, 22, role=Role.DEPUTY, municipality=ashar, full_name="Маматова Айгуль", now=NOW
    )
    hour = timedelta(hours=1)
    session.add_all(
        [
            _answer(cid, ak_sai, Stance.OPPOSE, NOW, author=head, current=False),
            _answer(
                cid,
                ak_sai,
                Stance.SUPPORT,
                NOW + hour,
                version=2,
                author=head,
                cost=100_000,
                impact=BudgetImpact.EXTRA_COSTS,
                unfunded=False,
                services=("water", "roads"),
                comment=FORMULA_COMMENT,
            ),
            _answer(
                cid,
                ashar,
                Stance.SUPPORT_WITH_AMENDMENTS,
                NOW + 2 * hour,
                author=deputy,
                deputy=True,
                cost=250_000,
                impact=BudgetImpact.BOTH,
                unfunded=True,
                amendments=(("Статья 5, часть 2", "Срок — 30 дней.", "Нет штата."),),
            ),
            _answer(
                cid,
                baitik,
                Stance.SUPPORT_WITH_AMENDMENTS,
                NOW + 3 * hour,
                amendments=(
                    ("ст. 5 ч. 2", "Срок — 60 дней.", None),
                    ("Статья 7", "Исключить.", "Нет средств."),
                ),
            ),
            _answer(cid, zhenish, Stance.OPPOSE, NOW + 4 * hour, cost=1_500_000, unfunded=True),
            _answer(
                cid,
                tokmok,
                Stance.OPPOSE,
                NOW + 5 * hour,
                cost=2_000_000,
                amendments=(("5-берененин 2-бөлүгү", "Срок — 30 дней.", "Нет штата."),),
            ),
            _answer(cid, ivanovka, Stance.NO_OPINION, NOW + 6 * hour),
        ]
    )
    await session.commit()
    return Known(cid, coordinator, ak_sai, ashar, baitik, zhenish, tokmok, ivanovka, registry)


@pytest.fixture
async def closed(session: AsyncSession, known: Known) -> Known:
    await positions.close(session, known.consultation_id, CLOSED_AT, quorum=QUORUM, drafter=draft_text)
    return known


async def _data(session: AsyncSession, known: Known, locale: str) -> ExportData:
    return await export_data(session, known.consultation_id, locale, QUORUM, ZONE, CLOSED_AT)


def _docx(content: bytes):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(content))


def _text(document) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(p.text for p in document.paragraphs)


def _table(document, first_header: str) -> Table:  # type: ignore[no-untyped-def]
    """The table whose first column is headed ``first_header`` (and the first one if several are)."""
    return next(t for t in document.tables if t.rows[0].cells[0].text == first_header)


def _rows(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _pct(value: float, locale: str) -> str:
    return f"{format_number(value, locale)}%"


# ---- what is gathered ------------------------------------------------------------------------------


async def test_export_data_takes_the_current_answers_with_their_place(
    session: AsyncSession, closed: Known
) -> None:
    data = await _data(session, closed, "ky")
    assert len(data.answers) == 6
    rows = {row.soate: row for row in data.answers}
    ak_sai = rows[closed.ak_sai.soate]
    assert (ak_sai.version, ak_sai.stance, ak_sai.author) == (2, Stance.SUPPORT, "Асанов Бакыт")
    assert ak_sai.municipality == "Ак-Сай айыл аймагы"
    assert (ak_sai.oblast, ak_sai.district) == ("Чүй облусу", "Ысык-Ата району")
    assert ak_sai.population == 5_000
    assert ak_sai.services == ["water", "roads"]
    assert rows[closed.baitik.soate].amendments == 2
    assert rows[closed.ashar.soate].by_deputy
    assert rows[closed.tokmok.soate].district is None
    assert data.position is not None and data.position.adopted_at is None
    assert data.summary.answered == 6 and data.summary.targeted == 15
    russian = await _data(session, closed, "ru")
    assert {r.municipality for r in russian.answers} >= {"Ак-Сай айылный аймак", "г. Токмок"}


# ---- the position paper ----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
async def test_position_paper_carries_the_numbers_the_proposals_and_who_answered(
    session: AsyncSession, closed: Known, locale: str
) -> None:
    data = await _data(session, closed, locale)
    document = _docx(documents.position_paper(data))
    text = _text(document)

    heading = document.paragraphs[0]
    assert heading.style.name == "Title"
    assert heading.text == tr(
        "Position of the association on the draft «{title}»", locale, title=TITLES[locale]
    )
    # Not adopted yet: said in the body and on every page.
    draft = tr("DRAFT: the position has not been adopted yet.", locale)
    assert draft in text
    assert document.sections[0].header.paragraphs[0].text == draft
    assert data.position is not None
    drafted = data.position.text_ky if locale == "ky" else data.position.text_ru
    assert drafted.split("\n\n")[0] in text

    assert (
        tr("Answered: {answered} of {targeted} ({rate}%).", locale, answered=6, targeted=15, rate=40) in text
    )
    assert tr("Quorum of {quorum}%: not reached.", locale, quorum=50) in text
    check_official_terms(text)  # no «Өкмөт», «Правительство» nor «оңдоо» for an amendment
    assert (
        tr(
            "Extra cost: {total} som a year in all, median {median} som ({count} estimates).",
            locale,
            total=format_number(3_850_000, locale),
            median=format_number(875_000, locale),
            count=4,
        )
        in text
    )
    assert tr("New duties without funding: {count}.", locale, count=2) in text
    talas = closed.registry.talas.name(locale)
    assert (
        "⚠ "
        + tr(
            "Few answers from {name}: {rate}% against {overall}% overall.",
            locale,
            name=talas,
            rate=0,
            overall=40,
        )
        in text
    )

    stances = {row[0]: row[1:] for row in _rows(_table(document, tr("Opinion", locale)))}
    assert stances[tr("Oppose", locale)] == [
        "2",
        _pct(33.3, locale),
        format_number(61_000, locale),
        _pct(69.3, locale),
    ]
    assert stances[tr("Support", locale)][:2] == ["1", _pct(16.7, locale)]

    by_oblast = {row[0]: row[1:4] for row in _rows(_table(document, tr("Oblast", locale)))[1:]}
    assert by_oblast[closed.registry.chui.name(locale)] == ["12", "6", _pct(50, locale)]
    assert by_oblast["⚠ " + talas] == ["3", "0", _pct(0, locale)]

    proposals = _rows(_table(document, tr("No.", locale)))
    assert proposals[0] == [
        tr(h, locale) for h in ("No.", "Article", "Proposed wording", "Justification", "Municipalities")
    ]
    assert len(proposals) == 3  # article 5 part 2, then article 7
    number, article, wording, justification, municipalities = proposals[1]
    assert number == "1"
    # Typed «ст. 5 ч. 2», «Статья 5, часть 2» and «5-берененин 2-бөлүгү»: headed in the paper's language.
    assert article == {"ky": "5-берене, 2-бөлүк", "ru": "Статья 5, часть 2"}[locale]
    ashar, baitik, tokmok = (m.name(locale) for m in (closed.ashar, closed.baitik, closed.tokmok))
    # Different wordings: each listed with the municipality that wrote it.
    assert wording.split("\n") == [
        f"{name}: {text}"
        for name, text in sorted(
            [(ashar, "Срок — 30 дней."), (baitik, "Срок — 60 дней."), (tokmok, "Срок — 30 дней.")]
        )
    ]
    assert f"{ashar}: Нет штата." in justification and baitik not in justification
    assert municipalities.split("\n") == ["3", ", ".join(sorted([ashar, baitik, tokmok]))]
    article_7 = {"ky": "7-берене", "ru": "Статья 7"}[locale]
    assert proposals[2] == ["2", article_7, "Исключить.", "Нет средств.", f"1\n{baitik}"]

    annex = _rows(document.tables[-1])
    assert annex[0] == [
        tr(h, locale)
        for h in ("No.", "Municipality", "Oblast", "Opinion", "Date of the answer", "Answered by")
    ]
    assert len(annex) == 7
    by_name = {row[1]: row for row in annex[1:]}
    assert set(by_name) == {
        m.name(locale)
        for m in (closed.ak_sai, closed.ashar, closed.baitik, closed.zhenish, closed.tokmok, closed.ivanovka)
    }
    assert by_name[ashar][2:] == [
        closed.registry.chui.name(locale),
        tr("Support with amendments", locale),
        format_date(NOW + timedelta(hours=2), ZONE, locale),
        tr("deputy (staff member of the municipality)", locale),
    ]
    # The official form of a date: «2026-жылдын 1-декабры», «1 декабря 2026 г.».
    assert ("-жылдын " if locale == "ky" else " г.") in by_name[ashar][4].replace("\u202f", " ")
    assert by_name[closed.ak_sai.name(locale)][3] == tr("Support", locale)  # the second version counts
    assert by_name[tokmok][5] == tr("head of the municipality", locale)


async def test_kyrgyz_and_russian_papers_differ_in_their_labels(session: AsyncSession, closed: Known) -> None:
    """Needs the translations of the new msgids: every label in the tables differs between the languages."""
    papers = {
        locale: _docx(documents.position_paper(await _data(session, closed, locale))) for locale in LOCALES
    }
    headers = {
        locale: [cell.text for table in document.tables for cell in table.rows[0].cells]
        for locale, document in papers.items()
    }
    assert len(headers["ky"]) == len(headers["ru"]) > 20
    # «№», «Муниципалитет» and «Кворум» are the same words in both languages; every other label differs.
    shared = {tr(word, "ru") for word in ("No.", "Municipality", "Quorum")}
    same = [ky for ky, ru in zip(headers["ky"], headers["ru"], strict=True) if ky == ru and ky not in shared]
    assert same == []
    assert papers["ky"].paragraphs[0].text != papers["ru"].paragraphs[0].text
    headings = {
        locale: [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        for locale, document in papers.items()
    }
    # The consultation's own questions are headed as the coordinator wrote them (one language here).
    questions = {question["text"] for question in EXTRA_QUESTIONS}
    same_headings = [ky for ky, ru in zip(headings["ky"], headings["ru"], strict=True) if ky == ru]
    assert [heading for heading in same_headings if heading not in questions] == []


async def test_adopted_and_submitted_paper_is_no_longer_a_draft(session: AsyncSession, closed: Known) -> None:
    adopted_at = CLOSED_AT + timedelta(days=1)
    sent_on = adopted_at + timedelta(days=2)
    await positions.adopt(session, closed.coordinator, closed.consultation_id, adopted_at)
    await positions.mark_submitted(
        session, closed.coordinator, closed.consultation_id, "Комитет по бюджету", sent_on, sent_on
    )
    document = _docx(documents.position_paper(await _data(session, closed, "ru")))
    text = _text(document)
    draft = tr("DRAFT: the position has not been adopted yet.", "ru")
    assert draft not in text and draft not in document.sections[0].header.paragraphs[0].text
    assert tr("Adopted: {date}", "ru", date=format_date(adopted_at, ZONE, "ru")) in text
    assert format_date(adopted_at, ZONE, "ru").replace("\u202f", " ").endswith(" г.")  # «5 декабря 2026 г.»
    assert (
        tr(
            "Submitted to {addressee} on {date}",
            "ru",
            addressee="Комитет по бюджету",
            date=format_date(sent_on, ZONE, "ru"),
        )
        in text
    )


async def test_paper_of_an_open_consultation_says_there_is_no_position_yet(
    session: AsyncSession, known: Known
) -> None:
    data = await _data(session, known, "ru")
    assert data.position is None
    text = _text(_docx(documents.position_paper(data)))
    assert (
        tr("The consultation is still open: the numbers are preliminary and there is no position yet.", "ru")
        in text
    )
    assert tr("DRAFT: the position has not been adopted yet.", "ru") not in text
    assert tr("Answered: {answered} of {targeted} ({rate}%).", "ru", answered=6, targeted=15, rate=40) in text


async def test_a_consultation_nobody_answered_still_exports_every_document(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    consultation = await open_consultation(session, registry, DEADLINE)
    await positions.close(session, consultation.id, CLOSED_AT, quorum=QUORUM, drafter=draft_text)
    data = await export_data(session, consultation.id, "ky", QUORUM, ZONE, CLOSED_AT)

    paper = _text(_docx(documents.position_paper(data)))
    assert tr("Answered: {answered} of {targeted} ({rate}%).", "ky", answered=0, targeted=12, rate=0) in paper
    assert tr("No municipality proposed amendments.", "ky") in paper
    assert tr("No municipality estimated the cost.", "ky") in paper
    protocol = _docx(documents.disagreement_protocol(data))
    assert len(protocol.tables[0].rows) == 2  # the header and the budget as a whole
    workbook = load_workbook(io.BytesIO(documents.answers_workbook(data)))
    assert workbook.worksheets[0].max_row == 1
    assert len(list(csv.reader(io.StringIO(documents.answers_csv(data).decode("utf-8-sig"))))) == 1
    png = documents.stance_chart(data)
    assert png.startswith(b"\x89PNG") and struct.unpack(">I", png[16:20])[0] >= 800


# ---- the disagreement protocol --------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
async def test_disagreement_protocol_sets_each_side_against_the_other(
    session: AsyncSession, known: Known, locale: str
) -> None:
    consultation = await session.get(Consultation, known.consultation_id)
    assert consultation is not None
    consultation.inter_budget = True
    await session.commit()
    await positions.close(session, known.consultation_id, CLOSED_AT, quorum=QUORUM, drafter=draft_text)
    cid, coordinator = known.consultation_id, known.coordinator
    await positions.set_government_view(
        session,
        coordinator,
        cid,
        None,
        government_position="Расходы покрываются из республиканского бюджета.",
        recommendation="Компенсировать расходы субвенцией.",
    )
    await positions.set_government_view(
        session,
        coordinator,
        cid,
        article_key("Статья 5, часть 2"),
        government_position="Срок в 30 дней достаточен.",
        recommendation="Установить срок в 45 дней.",
    )

    document = _docx(documents.disagreement_protocol(await _data(session, known, locale)))
    assert document.paragraphs[0].text == tr(
        "Disagreement protocol on the draft «{title}»", locale, title=TITLES[locale]
    )
    assert document.sections[0].orientation == WD_ORIENT.LANDSCAPE
    rows = _rows(document.tables[0])
    assert rows[0] == [
        tr(h, locale)
        for h in (
            "No.",
            "Item of disagreement",
            "Position of the government",
            "Position of the municipalities",
            "Recommended balanced decision",
        )
    ]
    assert len(rows) == 4  # the budget as a whole, article 5 part 2, article 7
    not_entered = tr("not entered", locale)

    number, item, government, municipalities, recommendation = rows[1]
    assert (number, item) == ("1", tr("The budget as a whole", locale))
    assert government == "Расходы покрываются из республиканского бюджета."
    lines = municipalities.split("\n")
    assert tr("New duties without funding: {count}.", locale, count=2) in lines
    cost = "{municipality}: {cost} som a year"
    expected_costs = [
        tr(cost, locale, municipality=m.name(locale), cost=format_number(som, locale))
        for m, som in ((known.tokmok, 2_000_000), (known.zhenish, 1_500_000), (known.ashar, 250_000))
    ]
    assert [line for line in lines if line in expected_costs] == expected_costs  # the largest first
    assert any(format_number(3_850_000, locale) in line for line in lines)
    assert recommendation == "Компенсировать расходы субвенцией."

    names = ", ".join(sorted(m.name(locale) for m in (known.ashar, known.baitik, known.tokmok)))
    assert rows[2][0] == "2"
    assert rows[2][2:] == [
        "Срок в 30 дней достаточен.",
        rows[2][3],
        "Установить срок в 45 дней.",
    ]
    assert rows[2][3].split("\n")[0] == tr("Proposed by {count}: {names}.", locale, count=3, names=names)
    assert f"{known.baitik.name(locale)}: Срок — 60 дней." in rows[2][3]
    article_7 = {"ky": "7-берене", "ru": "Статья 7"}[locale]
    assert rows[3][1:3] == [article_7, not_entered] and rows[3][4] == not_entered


# ---- the workbook and the CSV ---------------------------------------------------------------------

RAW_HEADERS = (
    "Oblast",
    "District",
    "Municipality",
    "СОАТЕ code",
    "Kind of municipality",
    "Population",
    "Answered by",
    "Full name",
    "Version",
    "Time of the answer",
    "Opinion",
    "Effect on the local budget",
    "Annual cost, som",
    "New duty without funding",
    "Local services",
    "Comment",
    "Amendments",
)


def _all_headers(locale: str) -> list[str]:
    """The fixed columns, the attachments, then a column per extra question (issue 11)."""
    questions = [question["text"] for question in EXTRA_QUESTIONS]
    return [tr(h, locale) for h in (*RAW_HEADERS, "Attachments")] + questions


@pytest.mark.parametrize("locale", LOCALES)
async def test_workbook_has_answers_tallies_and_amendments(
    session: AsyncSession, closed: Known, locale: str
) -> None:
    workbook = load_workbook(io.BytesIO(documents.answers_workbook(await _data(session, closed, locale))))
    sheets = ("Answers", "Tallies", "Amendments", "Extra questions")
    assert workbook.sheetnames == [tr(name, locale) for name in sheets]
    raw, tallies, amendments, _questions = workbook.worksheets

    rows = list(raw.iter_rows(values_only=True))
    assert list(rows[0]) == _all_headers(locale)
    assert raw.freeze_panes == "A2"
    assert len(rows) == 7
    column = {header: index for index, header in enumerate(RAW_HEADERS)}
    by_name = {row[column["Municipality"]]: row for row in rows[1:]}
    zhenish = by_name[closed.zhenish.name(locale)]
    assert zhenish[column["Annual cost, som"]] == 1_500_000
    assert zhenish[column["New duty without funding"]] == tr("Yes", locale)
    assert sum(row[column["Annual cost, som"]] or 0 for row in rows[1:]) == 3_850_000
    ak_sai = by_name[closed.ak_sai.name(locale)]
    assert ak_sai[column["Version"]] == 2
    assert ak_sai[column["Population"]] == 5_000
    assert ak_sai[column["Time of the answer"]] == (NOW + timedelta(hours=1)).astimezone(ZONE).replace(
        tzinfo=None
    )
    assert ak_sai[column["Local services"]] == f"{tr('drinking water', locale)}, {tr('local roads', locale)}"
    assert ak_sai[column["Effect on the local budget"]] == tr("Extra costs", locale)
    comment = next(c for c in raw[get_column_letter(column["Comment"] + 1)] if c.value == FORMULA_COMMENT)
    assert comment.data_type == "s"  # text, not a formula Excel would run
    ashar = by_name[closed.ashar.name(locale)]
    assert ashar[column["Full name"]] == "Маматова Айгуль"
    assert ashar[column["Answered by"]] == tr("deputy (staff member of the municipality)", locale)
    assert by_name[closed.baitik.name(locale)][column["Amendments"]] == 2

    labels = {row[0]: row[1:] for row in tallies.iter_rows(values_only=True) if row and row[0]}
    assert labels[tr("Municipalities asked", locale)][0] == 15
    assert labels[tr("Municipalities that answered", locale)][0] == 6
    assert labels[tr("Response rate", locale)][0] == pytest.approx(0.4)
    assert labels[tr("Quorum reached", locale)][0] == tr("No", locale)
    assert labels[tr("Oppose", locale)][:4] == (2, pytest.approx(1 / 3), 61_000, pytest.approx(61 / 88))
    assert labels[tr("Total annual cost, som", locale)][0] == 3_850_000
    assert labels[tr("Median annual cost, som", locale)][0] == 875_000
    assert labels[tr("New duties without funding", locale)][0] == 2
    talas = labels[closed.registry.talas.name(locale)]
    assert talas[:3] == (3, 0, 0) and talas[-1] == tr("Yes", locale)  # few answers

    proposals = list(amendments.iter_rows(values_only=True))
    assert proposals[0][0] == tr("No.", locale) and amendments.freeze_panes == "A2"
    assert len(proposals) == 5  # four proposals: three on article 5 part 2, one on article 7
    assert [(row[0], row[5]) for row in proposals[1:]] == [(1, 3), (1, 3), (1, 3), (2, 1)]
    # Typed «Статья 7», «ст. 5 ч. 2»...: headed in the sheet's language.
    headings = {"ky": ("5-берене, 2-бөлүк", "7-берене"), "ru": ("Статья 5, часть 2", "Статья 7")}
    article_5, article_7 = headings[locale]
    assert proposals[4][1:5] == (article_7, closed.baitik.name(locale), "Исключить.", "Нет средств.")
    assert {row[1] for row in proposals[1:4]} == {article_5}


@pytest.mark.parametrize("locale", LOCALES)
async def test_csv_holds_the_raw_answers_for_excel(session: AsyncSession, closed: Known, locale: str) -> None:
    content = documents.answers_csv(await _data(session, closed, locale))
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM, so that Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == _all_headers(locale)
    assert len(rows) == 7
    column = {header: index for index, header in enumerate(RAW_HEADERS)}
    by_name = {row[column["Municipality"]]: row for row in rows[1:]}
    assert by_name[closed.zhenish.name(locale)][column["Annual cost, som"]] == "1500000"
    assert by_name[closed.ivanovka.name(locale)][column["Annual cost, som"]] == ""
    ak_sai = by_name[closed.ak_sai.name(locale)]
    submitted = (NOW + timedelta(hours=1)).astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    assert ak_sai[column["Time of the answer"]] == submitted
    assert ak_sai[column["Comment"]] == "'" + FORMULA_COMMENT  # inert in Excel


# ---- the chart ------------------------------------------------------------------------------------


async def test_chart_is_a_wide_png_in_the_chosen_language(session: AsyncSession, closed: Known) -> None:
    charts = {locale: documents.stance_chart(await _data(session, closed, locale)) for locale in LOCALES}
    for png in charts.values():
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert png[12:16] == b"IHDR"
        width, height = struct.unpack(">II", png[16:24])
        assert width >= 800 and height > 200
        assert len(png) > 10_000
    assert charts["ky"] != charts["ru"]  # oblast names, legend and title in each language

    # Drawn in worker threads at once, as the bot does, the picture is the same.
    data = await _data(session, closed, "ky")
    drawn = await asyncio.gather(*(asyncio.to_thread(documents.stance_chart, data) for _ in range(3)))
    assert all(png == charts["ky"] for png in drawn)


def test_the_data_is_gathered_without_texts_and_each_document_is_built_on_its_own() -> None:
    """The export service reads data only; the documents, which are texts, are built on the channel side,
    each in a module of a readable size."""
    service = Path(export_data.__code__.co_filename)
    assert "bot.i18n" not in service.read_text(encoding="utf-8")
    for source in Path(documents.__file__).parent.glob("*.py"):
        assert len(source.read_text(encoding="utf-8").splitlines()) <= 400, source.name
