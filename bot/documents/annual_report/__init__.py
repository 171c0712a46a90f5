"""The annual report to parliament: the DOCX (``build_report``) and the XLSX of its tables
(``build_workbook``), both from ``bot.services.indicators.compute``."""

from bot.documents.annual_report.report_docx import build_report, report_title
from bot.documents.annual_report.state_chart import state_chart
from bot.documents.annual_report.tables import ReportTable, report_tables
from bot.documents.annual_report.workbook import build_workbook

__all__ = ["ReportTable", "build_report", "build_workbook", "report_tables", "report_title", "state_chart"]
