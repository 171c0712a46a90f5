"""The answers as tables: a workbook (XLSX) with the raw answers, the tallies and the amendments, and
the raw answers alone as CSV; every text cell goes through ``bot.spreadsheets``."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.documents.common import answered_by, document_title, yes_no
from bot.i18n import _, use_locale
from bot.labels import impact_label, kind_label, service_label, stance_label
from bot.presentation.formats import group_name
from bot.services.export_data import AnswerRow, ExportData
from bot.spreadsheets import append_row as _append
from bot.spreadsheets import csv_text
from models import Stance


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
        answered_by(row.by_deputy),
        row.author,
        row.version,
        row.submitted_at.astimezone(zone).replace(tzinfo=None),
        stance_label(row.stance),
        impact_label(row.budget_impact) if row.budget_impact else None,
        row.annual_cost,
        None if row.unfunded_mandate is None else yes_no(row.unfunded_mandate),
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
    _append(sheet, [document_title(data)], bold=True)
    sheet.append([])
    _append(sheet, [_("Municipalities asked"), summary.targeted])
    _append(sheet, [_("Municipalities that answered"), summary.answered])
    _append(sheet, [_("Response rate"), summary.rate])
    _append(sheet, [_("Quorum"), summary.quorum])
    _append(sheet, [_("Quorum reached"), yes_no(summary.quorum_met)])
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
            flag = yes_no(g.underrepresented)
            _append(sheet, [group_name(g), g.targeted, g.answered, g.rate, *counts, flag])
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

