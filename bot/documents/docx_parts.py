"""The building blocks of the DOCX documents: an A4 page in Times New Roman, tables, the footer."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

from bot.i18n import _, format_date, format_datetime
from bot.services.export_data import ExportData
from bot.spreadsheets import xml_text as clean

Cell = str | list[str]  # a list is one paragraph per item


def new_document(data: ExportData, title: str, *, landscape: bool = False) -> Document:
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
    document.add_heading(clean(title), level=0)
    return document


def add_paragraphs(document: Document, text: str) -> None:
    """Blank-line separated text as separate paragraphs (the position text is written that way)."""
    for chunk in re.split(r"\n\s*\n", text.strip()):
        document.add_paragraph(clean(chunk))


def _fill(cell: _Cell, value: Cell, *, bold: bool = False) -> None:
    """A table cell in a smaller type, one paragraph per line, so that wide tables still fit the page."""
    for index, line in enumerate(value if isinstance(value, list) else [value]):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        run = paragraph.add_run(clean(line))
        run.font.size = Pt(10)
        run.bold = bold


def add_table(
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


def add_footer(document: Document, data: ExportData) -> None:
    document.add_paragraph()
    line = _("Prepared with Pikir: {date}").format(
        date=format_date(data.generated_at, data.zone, data.locale)
    )
    document.add_paragraph().add_run(line).italic = True


def to_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_draft_details(document: Document, data: ExportData) -> None:
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
        document.add_paragraph(clean(line))

