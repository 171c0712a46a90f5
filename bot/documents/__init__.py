"""The documents a consultation produces, each in the language the coordinator chooses: the position
paper and the disagreement protocol (DOCX), the answers (XLSX, CSV) and a chart (PNG).

Each builder is a plain function of ``bot.services.export_data.ExportData`` returning the file's bytes.
"""

from bot.documents.charts import stance_chart
from bot.documents.disagreement_protocol import disagreement_protocol
from bot.documents.position_paper import position_paper
from bot.documents.tables import answers_csv, answers_workbook

__all__ = ["answers_csv", "answers_workbook", "disagreement_protocol", "position_paper", "stance_chart"]
