"""People's text in the spreadsheets the bot writes (XLSX and CSV): kept as inert text, never a formula.

Registry names, comments and amendments come from outside; a cell such as ``=HYPERLINK("http://…")``
must reach the reader as the characters typed, not as a live formula. Every writer goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

# Characters XML 1.0 forbids: python-docx and openpyxl refuse them, and people do paste them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel and LibreOffice run a cell starting with any of these as a formula (OWASP's CSV injection list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CellValue = str | int | float | datetime | None


def xml_text(text: str) -> str:
    """The text without the control characters an XLSX or DOCX file cannot hold."""
    return _NOT_XML.sub("", text)


def append_row(sheet: Worksheet, values: Sequence[CellValue], *, bold: bool = False) -> None:
    """A row whose text stays text: a name or comment starting with «=» is shown, not calculated."""
    sheet.append([xml_text(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # openpyxl made it "f" (a formula) when it starts with «=»
            if cell.value.startswith(FORMULA_TRIGGERS):
                # What Excel records for text typed after an apostrophe: editing the cell keeps it text.
                cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)


def csv_text(value: str) -> str:
    """A CSV field that a spreadsheet opens as text: a leading apostrophe before formula characters."""
    value = xml_text(value)
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
