"""The formal procedure's history in a consultation's documents: each step of an approval request (the
request, the letter, the answer, the state body's reaction, conciliation, appeal, adoption without
approval), with its day and who recorded it."""

from __future__ import annotations

from docx.document import Document

from bot.i18n import _, format_date
from bot.presentation.procedure_labels import event_text
from bot.services.export_data import ExportData
from bot.services.procedures.log import EventKind
from bot.spreadsheets import xml_text as clean


def add_procedure_history(document: Document, data: ExportData) -> None:
    """A section listing the steps, when the consultation has any (nothing otherwise)."""
    steps = [entry for entry in data.procedure if entry.kind != EventKind.ALERT]
    if not steps:
        return
    document.add_heading(_("History of the formal procedures"), level=1)
    for entry in steps:
        line = f"{format_date(entry.at, data.zone, data.locale)}: {event_text(entry)}"
        if entry.actor:
            line += f" ({entry.actor})"
        document.add_paragraph(clean(line))
