"""The documents a consultation produces: the position paper, the disagreement protocol, the answers
(XLSX, CSV) and a chart, each in the language the coordinator chooses.

``export_data`` gathers everything with a few queries; the builders are plain functions of that data
(no database, no Telegram), so a handler can run them in a thread while the bot goes on answering.
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import StaleAction
from bot.i18n import _, format_date, format_datetime, format_number, use_locale
from bot.labels import impact_label, kind_label, service_label, stance_label
from bot.services.positions import (
    BUDGET_KEY,
    GroupResponse,
    PositionSummary,
    Proposal,
    ProposalGroupSummary,
    group_records,
    percent,
    submitted_line,
    summarise,
)
from bot.spreadsheets import append_row as _append
from bot.spreadsheets import csv_text
from bot.spreadsheets import xml_text as _clean
from models import (
    Amendment,
    Answer,
    BudgetImpact,
    Consultation,
    District,
    Municipality,
    MunicipalityKind,
    Oblast,
    Position,
    ProposalGroup,
    Stance,
    User,
)

# ---- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerRow:
    """One municipality's current answer, with its place in the registry, as the raw sheet lists it."""

    oblast: str
    district: str | None  # None for cities of oblast rank
    municipality: str
    soate: str
    kind: MunicipalityKind
    population: int | None
    author: str | None  # None when the account was deleted
    by_deputy: bool
    version: int
    submitted_at: datetime
    stance: Stance
    budget_impact: BudgetImpact | None
    annual_cost: int | None
    unfunded_mandate: bool | None
    services: list[str]
    comment: str | None
    amendments: int


@dataclass(frozen=True)
class ExportData:
    locale: str  # "ky" or "ru": the document's language, chosen by the coordinator
    zone: ZoneInfo
    consultation: Consultation
    position: Position | None  # None while the consultation is still open
    summary: PositionSummary  # computed in ``locale``
    groups: dict[str, ProposalGroup]  # the coordinator's notes per article_key (may be empty)
    answers: list[AnswerRow]  # one per current answer
    generated_at: datetime


def _name_in(model: type[Oblast] | type[District] | type[Municipality], locale: str):  # type: ignore[no-untyped-def]
    """The name column in ``locale``, Russian where the registry lacks the Kyrgyz one (as proposal_groups)."""
    return func.coalesce(model.name_ky, model.name_ru) if locale == "ky" else model.name_ru


async def export_data(
    session: AsyncSession, consultation_id: int, locale: str, quorum: float, zone: ZoneInfo, now: datetime
) -> ExportData:
    """Everything the documents need, read at once so that building them touches no database."""
    # populate_existing: the coordinator may have changed these in another session a moment ago.
    consultation = await session.get(Consultation, consultation_id, populate_existing=True)
    if consultation is None:
        raise StaleAction(_("This consultation no longer exists."))
    position = await session.scalar(
        select(Position)
        .where(Position.consultation_id == consultation_id)
        .execution_options(populate_existing=True)
    )
    amendments = (
        select(func.count(Amendment.id)).where(Amendment.answer_id == Answer.id).correlate(Answer)
    ).scalar_subquery()
    # Each column labelled with its AnswerRow field.
    columns = {
        "oblast": _name_in(Oblast, locale),
        "district": _name_in(District, locale),
        "municipality": _name_in(Municipality, locale),
        "soate": Municipality.soate,
        "kind": Municipality.kind,
        "population": Municipality.population,
        "author": User.full_name,
        "by_deputy": Answer.by_deputy,
        "version": Answer.version,
        "submitted_at": Answer.submitted_at,
        "stance": Answer.stance,
        "budget_impact": Answer.budget_impact,
        "annual_cost": Answer.annual_cost,
        "unfunded_mandate": Answer.unfunded_mandate,
        "services": Answer.services,
        "comment": Answer.comment,
        "amendments": amendments,
    }
    rows = await session.execute(
        select(*(column.label(name) for name, column in columns.items()))
        .select_from(Answer)
        .join(Municipality, Municipality.id == Answer.municipality_id)
        .join(Oblast, Oblast.id == Municipality.oblast_id)
        .outerjoin(District, District.id == Municipality.district_id)
        .outerjoin(User, User.id == Answer.author_id)
        .where(Answer.consultation_id == consultation_id, Answer.is_current.is_(True))
        .order_by(Oblast.soate, Municipality.soate)
    )
    answers = [AnswerRow(**{**row._asdict(), "services": list(row.services or [])}) for row in rows]
    records = await group_records(session, consultation_id)
    return ExportData(
        locale=locale,
        zone=zone,
        consultation=consultation,
        position=position,
        summary=await summarise(session, consultation_id, locale, quorum),
        groups=records,
        answers=answers,
        generated_at=now,
    )


# ---- shared pieces -------------------------------------------------------------------------------

def _title(data: ExportData) -> str:
    return data.consultation.title(data.locale)[0] or _("(untitled)")


def _pct(share: float) -> str:
    return f"{percent(share)}%"


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _answered_by(by_deputy: bool) -> str:
    return _("deputy (staff member of the municipality)") if by_deputy else _("head of the municipality")


def _answered_line(summary: PositionSummary) -> str:
    return _("Answered: {answered} of {targeted} ({rate}%).").format(
        answered=format_number(summary.answered),
        targeted=format_number(summary.targeted),
        rate=percent(summary.rate),
    )


def _quorum_line(summary: PositionSummary) -> str:
    text = (
        _("Quorum of {quorum}%: reached.") if summary.quorum_met else _("Quorum of {quorum}%: not reached.")
    )
    return text.format(quorum=percent(summary.quorum))


def _cost_lines(summary: PositionSummary) -> list[str]:
    if summary.costs_reported:
        cost = _("Extra cost: {total} som a year in all, median {median} som ({count} estimates).").format(
            total=format_number(summary.total_cost),
            median=format_number(round(summary.median_cost or 0)),
            count=format_number(summary.costs_reported),
        )
    else:
        cost = _("No municipality estimated the cost.")
    unfunded = _("New duties without funding: {count}.").format(
        count=format_number(summary.unfunded_mandates)
    )
    return [cost, unfunded]


def _stance_line(summary: PositionSummary) -> str:
    return "; ".join(
        f"{stance_label(s.stance)}: {format_number(s.count)} ({_pct(s.share)})" for s in summary.stances
    )


def _attributed(pairs: list[tuple[str, str | None]]) -> list[str]:
    """Texts with their municipality's name, or the text alone when every municipality wrote the same."""
    texts = [text for _name, text in pairs if text]
    if not texts:
        return ["—"]
    if len(texts) == len(pairs) and len(set(texts)) == 1:
        return [texts[0]]
    return [f"{name}: {text}" for name, text in pairs if text]


def _wordings(proposals: list[Proposal]) -> list[str]:
    return _attributed([(p.municipality, p.wording) for p in proposals])


def _justifications(proposals: list[Proposal]) -> list[str]:
    return _attributed([(p.municipality, p.justification) for p in proposals])


# ---- DOCX ----------------------------------------------------------------------------------------

Cell = str | list[str]  # a list is one paragraph per item


def _new_document(data: ExportData, title: str, *, landscape: bool = False) -> Document:
    """An A4 document in Times New Roman (official papers use both; the font has every Kyrgyz letter)."""
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.language = data.locale
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = "Times New Roman"  # type: ignore[attr-defined]
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)  # type: ignore[attr-defined]
    document.styles["Normal"].font.size = Pt(12)  # type: ignore[attr-defined]
    document.styles["Title"].font.size = Pt(18)  # type: ignore[attr-defined]
    # python-docx's template is US Letter; Kyrgyz and Russian paperwork is A4, bound on the left.
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
        section.left_margin = section.right_margin = Cm(2)
    else:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2)
    document.add_heading(_clean(title), level=0)
    return document


def _paragraphs(document: Document, text: str) -> None:
    """Blank-line separated text as separate paragraphs (the position text is written that way)."""
    for chunk in re.split(r"\n\s*\n", text.strip()):
        document.add_paragraph(_clean(chunk))


def _fill(cell: _Cell, value: Cell, *, bold: bool = False) -> None:
    """A table cell in a smaller type, one paragraph per line, so that wide tables still fit the page."""
    for index, line in enumerate(value if isinstance(value, list) else [value]):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(_clean(line))
        run.font.size = Pt(10)
        run.bold = bold


def _table(
    document: Document, headers: list[str], rows: Iterable[list[Cell]], widths: list[float] | None = None
) -> Table:
    """A bordered table, its bold header row repeated on every page; ``widths`` in centimetres."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        _fill(cell, header, bold=True)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _fill(cell, value)
    if widths:
        table.autofit = False
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
    return table


def _footer(document: Document, data: ExportData) -> None:
    document.add_paragraph()
    line = _("Prepared with Pikir: {date}").format(
        date=format_date(data.generated_at, data.zone, data.locale)
    )
    document.add_paragraph().add_run(line).italic = True


def _save(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _draft_details(document: Document, data: ExportData) -> None:
    consultation, zone, locale = data.consultation, data.zone, data.locale
    lines = []
    if consultation.initiator:
        lines.append(_("Initiator: {name}").format(name=consultation.initiator))
    if consultation.committee:
        lines.append(_("Committee: {name}").format(name=consultation.committee))
    if consultation.source_url:
        lines.append(_("Source: {url}").format(url=consultation.source_url))
    if consultation.published_at:
        lines.append(_("Published: {date}").format(date=format_date(consultation.published_at, zone, locale)))
    if consultation.deadline:
        lines.append(
            _("Deadline for answers: {date}").format(
                date=format_datetime(consultation.deadline, zone, locale)
            )
        )
    if consultation.closed_at:
        lines.append(_("Closed: {date}").format(date=format_date(consultation.closed_at, zone, locale)))
    for line in lines:
        document.add_paragraph(_clean(line))


def _response_rows(groups: list[GroupResponse]) -> list[list[Cell]]:
    return [
        [
            ("⚠ " if g.underrepresented else "") + g.name,
            format_number(g.targeted),
            format_number(g.answered),
            _pct(g.rate),
            *(format_number(g.stances[stance]) for stance in Stance),
        ]
        for g in groups
    ]


def _numbers(document: Document, summary: PositionSummary) -> None:
    """Response, quorum, stances (by head count and by population), costs, and representativeness."""
    document.add_heading(_("The answers in numbers"), level=1)
    document.add_paragraph(_answered_line(summary))
    document.add_paragraph(_quorum_line(summary))
    weighted = summary.population_known > 0
    headers = [_("Opinion"), _("Municipalities"), _("Share")]
    if weighted:
        headers += [_("Population"), _("Share of the population")]
    rows: list[list[Cell]] = []
    for s in summary.stances:
        row: list[Cell] = [stance_label(s.stance), format_number(s.count), _pct(s.share)]
        if weighted:
            row += [format_number(s.population), _pct(s.population_share or 0)]
        rows.append(row)
    _table(document, headers, rows)
    if weighted and summary.population_known < summary.answered:
        document.add_paragraph(
            _(
                "Population is known for {known} of the {answered} municipalities that answered; "
                "the population shares count only them."
            ).format(known=format_number(summary.population_known), answered=format_number(summary.answered))
        )
    document.add_paragraph()
    for line in _cost_lines(summary):
        document.add_paragraph(line)

    stance_headers = [stance_label(stance) for stance in Stance]
    counts = [_("Asked"), _("Answered"), _("Response rate"), *stance_headers]
    document.add_heading(_("By oblast"), level=2)
    _table(document, [_("Oblast"), *counts], _response_rows(summary.by_oblast))
    document.add_heading(_("By kind of municipality"), level=2)
    _table(document, [_("Kind of municipality"), *counts], _response_rows(summary.by_kind))
    document.add_paragraph()
    if summary.warnings:
        for group in summary.warnings:
            document.add_paragraph(
                "⚠ "
                + _("Few answers from {name}: {rate}% against {overall}% overall.").format(
                    name=group.name, rate=percent(group.rate), overall=percent(summary.rate)
                )
            )
    elif summary.answered:
        document.add_paragraph(_("The answers come evenly from the oblasts and kinds of municipalities."))


def _position_text(document: Document, data: ExportData) -> None:
    document.add_heading(_("The position of the association"), level=1)
    position = data.position
    if position is None:
        document.add_paragraph().add_run(
            _("The consultation is still open: the numbers are preliminary and there is no position yet.")
        ).bold = True
        return
    text = (
        (position.text_ky or position.text_ru)
        if data.locale == "ky"
        else (position.text_ru or position.text_ky)
    )
    _paragraphs(document, text)
    if position.adopted_at is not None:
        document.add_paragraph(
            _("Adopted: {date}").format(date=format_date(position.adopted_at, data.zone, data.locale))
        )
    if position.submitted_on is not None:
        document.add_paragraph(_clean(submitted_line(position, data.zone, data.locale)))


def _proposal_table(document: Document, proposals: list[ProposalGroupSummary]) -> None:
    document.add_heading(_("Summary table of proposals"), level=1)
    if not proposals:
        document.add_paragraph(_("No municipality proposed amendments."))
        return
    rows: list[list[Cell]] = [
        [
            str(number),
            group.article,
            _wordings(group.proposals),
            _justifications(group.proposals),
            [format_number(group.count), ", ".join(group.municipalities)],
        ]
        for number, group in enumerate(proposals, start=1)
    ]
    headers = [_("No."), _("Article"), _("Proposed wording"), _("Justification"), _("Municipalities")]
    _table(document, headers, rows, widths=[1.0, 2.5, 5.5, 4.0, 3.5])


def _annex(document: Document, data: ExportData) -> None:
    document.add_heading(_("Annex. Municipalities that answered"), level=1)
    rows: list[list[Cell]] = [
        [
            str(number),
            row.municipality,
            row.oblast,
            stance_label(row.stance),
            format_date(row.submitted_at, data.zone, data.locale),
            _answered_by(row.by_deputy),
        ]
        for number, row in enumerate(data.answers, start=1)
    ]
    headers = [
        _("No."),
        _("Municipality"),
        _("Oblast"),
        _("Opinion"),
        _("Date of the answer"),
        _("Answered by"),
    ]
    _table(document, headers, rows, widths=[1.0, 4.0, 3.5, 3.0, 2.5, 2.5])


def position_paper(data: ExportData) -> bytes:
    """The position paper for the committee (DOCX): the draft, the numbers, the position, the proposals."""
    with use_locale(data.locale):
        document = _new_document(
            data, _("Position of the association on the draft «{title}»").format(title=_title(data))
        )
        if data.position is not None and data.position.adopted_at is None:
            # On every page too: a draft must not pass for the adopted position when printed.
            draft = _("DRAFT: the position has not been adopted yet.")
            document.sections[0].header.paragraphs[0].text = draft
            document.add_paragraph().add_run(draft).bold = True
        document.add_heading(_("The draft act"), level=1)
        _draft_details(document, data)
        _numbers(document, data.summary)
        _position_text(document, data)
        _proposal_table(document, data.summary.proposals)
        _annex(document, data)
        _footer(document, data)
        return _save(document)


def _budget_item(data: ExportData) -> list[Cell]:
    """The first item of the protocol: what the draft costs the local budgets, by the answers."""
    summary = data.summary
    municipalities = [_answered_line(summary), _stance_line(summary), *_cost_lines(summary)]
    estimates = sorted((r for r in data.answers if r.annual_cost), key=lambda r: -(r.annual_cost or 0))
    municipalities += [
        _("{municipality}: {cost} som a year").format(
            municipality=r.municipality, cost=format_number(r.annual_cost or 0)
        )
        for r in estimates
    ]
    record = data.groups.get(BUDGET_KEY)
    return [
        "1",
        _("The budget as a whole"),
        (record.government_position if record else None) or _("not entered"),
        municipalities,
        (record.recommendation if record else None) or _("not entered"),
    ]


def _group_item(number: int, group: ProposalGroupSummary, record: ProposalGroup | None) -> list[Cell]:
    municipalities = [
        _("Proposed by {count}: {names}.").format(
            count=format_number(group.count), names=", ".join(group.municipalities)
        ),
        *_wordings(group.proposals),
    ]
    return [
        str(number),
        group.article,
        (record.government_position if record else None) or _("not entered"),
        municipalities,
        (record.recommendation if record else None) or _("not entered"),
    ]


def disagreement_protocol(data: ExportData) -> bytes:
    """The disagreement protocol for the budget committee's conciliation sitting (DOCX), per disputed item."""
    with use_locale(data.locale):
        document = _new_document(
            data, _("Disagreement protocol on the draft «{title}»").format(title=_title(data)), landscape=True
        )
        _draft_details(document, data)
        document.add_paragraph(_answered_line(data.summary))
        document.add_paragraph(_quorum_line(data.summary))
        rows = [_budget_item(data)] + [
            _group_item(number, group, data.groups.get(group.key))
            for number, group in enumerate(data.summary.proposals, start=2)
        ]
        headers = [
            _("No."),
            _("Item of disagreement"),
            _("Position of the government"),
            _("Position of the municipalities"),
            _("Recommended balanced decision"),
        ]
        _table(document, headers, rows, widths=[1.0, 3.5, 6.5, 8.5, 6.0])
        _footer(document, data)
        return _save(document)


# ---- XLSX and CSV --------------------------------------------------------------------------------


def _answer_headers() -> list[str]:
    return [
        _("Oblast"),
        _("District"),
        _("Municipality"),
        _("СОАТЕ code"),
        _("Kind of municipality"),
        _("Population"),
        _("Answered by"),
        _("Full name"),
        _("Version"),
        _("Time of the answer"),
        _("Opinion"),
        _("Effect on the local budget"),
        _("Annual cost, som"),
        _("New duty without funding"),
        _("Local services"),
        _("Comment"),
        _("Amendments"),
    ]


ANSWER_WIDTHS = (22, 22, 30, 16, 14, 12, 24, 26, 9, 17, 22, 26, 16, 14, 30, 50, 12)
SUBMITTED_COLUMN = 10  # 1-based, for its date format


def _answer_values(row: AnswerRow, zone: ZoneInfo) -> list[str | int | datetime | None]:
    """One answer as cells: numbers stay numbers; the time is local and naive, as Excel wants it."""
    return [
        row.oblast,
        row.district,
        row.municipality,
        row.soate,
        kind_label(row.kind),
        row.population,
        _answered_by(row.by_deputy),
        row.author,
        row.version,
        row.submitted_at.astimezone(zone).replace(tzinfo=None),
        stance_label(row.stance),
        impact_label(row.budget_impact) if row.budget_impact else None,
        row.annual_cost,
        None if row.unfunded_mandate is None else _yes_no(row.unfunded_mandate),
        ", ".join(service_label(s) for s in row.services) or None,
        row.comment,
        row.amendments,
    ]


def _sheet_title(text: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _raw_sheet(sheet: Worksheet, data: ExportData) -> None:
    _append(sheet, _answer_headers(), bold=True)
    for row in data.answers:
        _append(sheet, _answer_values(row, data.zone))
        sheet.cell(sheet.max_row, SUBMITTED_COLUMN).number_format = "yyyy-mm-dd hh:mm"
    for index, width in enumerate(ANSWER_WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "A2"


def _tally_sheet(sheet: Worksheet, data: ExportData) -> None:
    """The numbers of the position, each label in column A and its value beside it."""
    summary = data.summary
    _append(sheet, [_title(data)], bold=True)
    sheet.append([])
    _append(sheet, [_("Municipalities asked"), summary.targeted])
    _append(sheet, [_("Municipalities that answered"), summary.answered])
    _append(sheet, [_("Response rate"), summary.rate])
    _append(sheet, [_("Quorum"), summary.quorum])
    _append(sheet, [_("Quorum reached"), _yes_no(summary.quorum_met)])
    for cell in ("B5", "B6"):
        sheet[cell].number_format = "0.0%"
    sheet.append([])

    _append(
        sheet,
        [_("Opinion"), _("Municipalities"), _("Share"), _("Population"), _("Share of the population")],
        bold=True,
    )
    for s in summary.stances:
        _append(sheet, [stance_label(s.stance), s.count, s.share, s.population, s.population_share])
        sheet.cell(sheet.max_row, 3).number_format = "0.0%"
        sheet.cell(sheet.max_row, 5).number_format = "0.0%"

    stances = [stance_label(stance) for stance in Stance]
    for title, groups in (
        (_("By oblast"), summary.by_oblast),
        (_("By kind of municipality"), summary.by_kind),
    ):
        sheet.append([])
        _append(
            sheet,
            [title, _("Asked"), _("Answered"), _("Response rate"), *stances, _("Few answers")],
            bold=True,
        )
        for g in groups:
            counts = [g.stances[stance] for stance in Stance]
            _append(sheet, [g.name, g.targeted, g.answered, g.rate, *counts, _yes_no(g.underrepresented)])
            sheet.cell(sheet.max_row, 4).number_format = "0.0%"

    sheet.append([])
    _append(sheet, [_("Total annual cost, som"), summary.total_cost])
    _append(sheet, [_("Median annual cost, som"), summary.median_cost])
    _append(sheet, [_("Cost estimates"), summary.costs_reported])
    _append(sheet, [_("New duties without funding"), summary.unfunded_mandates])
    for row in (sheet.max_row - 3, sheet.max_row - 2):
        sheet.cell(row, 2).number_format = "#,##0"
    sheet.column_dimensions["A"].width = 34
    for letter in "BCDEFGHIJ":
        sheet.column_dimensions[letter].width = 16
    sheet.freeze_panes = "A2"


def _amendment_sheet(sheet: Worksheet, data: ExportData) -> None:
    headers = [
        _("No."),
        _("Article"),
        _("Municipality"),
        _("Proposed wording"),
        _("Justification"),
        _("Municipalities behind the article"),
    ]
    _append(sheet, headers, bold=True)
    for number, group in enumerate(data.summary.proposals, start=1):
        for p in group.proposals:
            _append(sheet, [number, group.article, p.municipality, p.wording, p.justification, group.count])
    for letter, width in zip("ABCDEF", (6, 22, 30, 60, 50, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def answers_workbook(data: ExportData) -> bytes:
    """All answers, the tallies and the amendments (XLSX), one sheet each, numbers as numbers."""
    with use_locale(data.locale):
        workbook = Workbook()
        raw = workbook.active
        raw.title = _sheet_title(_("Answers"))
        _raw_sheet(raw, data)
        _tally_sheet(workbook.create_sheet(_sheet_title(_("Tallies"))), data)
        _amendment_sheet(workbook.create_sheet(_sheet_title(_("Amendments"))), data)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()


def _csv_text(value: str | int | datetime | None) -> str | int:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str):
        return csv_text(value)
    return value


def answers_csv(data: ExportData) -> bytes:
    """The raw answers (CSV): UTF-8 with a BOM, so that Excel reads the Cyrillic right, separated by «;»
    because Excel in Russian and Kyrgyz regional settings splits on «;» (the comma is their decimal mark)."""
    with use_locale(data.locale):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(_answer_headers())
        for row in data.answers:
            writer.writerow([_csv_text(v) for v in _answer_values(row, data.zone)])
        return buffer.getvalue().encode("utf-8-sig")


# ---- PNG -----------------------------------------------------------------------------------------

STANCE_COLOURS = {
    Stance.SUPPORT: "#2e7d32",
    Stance.SUPPORT_WITH_AMENDMENTS: "#9ccc65",
    Stance.OPPOSE: "#c62828",
    Stance.NO_OPINION: "#90a4ae",
}
NO_ANSWER_COLOUR = "#eceff1"


def stance_chart(data: ExportData) -> bytes:
    """Stances per oblast as horizontal stacked bars (PNG, 1000 px wide), the silent ones in pale grey."""
    # Imported here: matplotlib takes a while to load and only this chart needs it. Figure with its own
    # Agg canvas (not pyplot) keeps no global state, so charts can be drawn in several threads at once.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with use_locale(data.locale):
        groups = data.summary.by_oblast
        figure = Figure(figsize=(10, 2.8 + 0.6 * max(len(groups), 1)), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        figure.suptitle(_("Opinions of the municipalities by oblast"), fontsize=14, fontweight="bold")
        axes.set_title(textwrap.shorten(_title(data), 110, placeholder="…"), fontsize=10)
        if not data.summary.answered:
            axes.set_axis_off()
            axes.text(0.5, 0.5, _("No answers yet."), ha="center", va="center", fontsize=14)
        else:
            places = list(range(len(groups)))
            left = [0] * len(groups)
            segments = [(stance_label(s), STANCE_COLOURS[s], [g.stances[s] for g in groups]) for s in Stance]
            segments.append((_("No answer"), NO_ANSWER_COLOUR, [g.targeted - g.answered for g in groups]))
            for label, colour, counts in segments:
                bars = axes.barh(places, counts, left=left, color=colour, label=label, edgecolor="white")
                axes.bar_label(
                    bars, labels=[format_number(c) if c else "" for c in counts], label_type="center"
                )
                left = [a + b for a, b in zip(left, counts, strict=True)]
            axes.set_yticks(places, [g.name for g in groups])
            axes.invert_yaxis()  # the first oblast on top
            axes.set_xlabel(_("Municipalities"))
            axes.xaxis.get_major_locator().set_params(integer=True)
            figure.legend(loc="outside lower center", ncols=len(segments), frameon=False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
