"""Every table of the annual report in one XLSX, a sheet each, numbers kept as numbers; call inside
``use_locale`` or give ``locale``."""

from __future__ import annotations

import io

from openpyxl import Workbook

from bot.documents.annual_report.summary import summary_lines
from bot.documents.annual_report.tables import report_tables
from bot.i18n import _, use_locale
from bot.services.indicators import Indicators
from bot.spreadsheets import append_row


def build_workbook(ind: Indicators, locale: str) -> bytes:
    with use_locale(locale):
        workbook = Workbook()
        summary = workbook.active
        summary.title = "summary"
        append_row(summary, [_("Indicator"), _("Value")], bold=True)
        for label, value in summary_lines(ind):
            append_row(summary, [label, value])
        summary.column_dimensions["A"].width = 60
        summary.column_dimensions["B"].width = 40
        for table in report_tables(ind).values():
            sheet = workbook.create_sheet(table.key)
            append_row(sheet, [table.title], bold=True)
            append_row(sheet, table.headers, bold=True)
            for row in table.rows:
                append_row(sheet, row)
                for column in table.percent_columns:
                    sheet.cell(sheet.max_row, column + 1).number_format = "0.0%"
            sheet.column_dimensions["A"].width = 40
            sheet.freeze_panes = "A3"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
