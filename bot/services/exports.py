"""Compatibility for callers of the exports' old home (the coordinator's handlers): the data is now
gathered in ``bot.services.export_data`` and the documents are built in ``bot.documents``. New code
imports from there; this module goes once the handlers do."""

from bot.documents import answers_csv, answers_workbook, disagreement_protocol, position_paper, stance_chart
from bot.services.export_data import AnswerRow, ExportData, export_data

__all__ = [
    "AnswerRow",
    "ExportData",
    "answers_csv",
    "answers_workbook",
    "disagreement_protocol",
    "export_data",
    "position_paper",
    "stance_chart",
]
