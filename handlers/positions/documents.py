"""The documents of a position, in the language chosen for them: the position paper, the disagreement
protocol, the answers and tallies, the chart."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Router
from aiogram.types import BufferedInputFile, CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot import documents
from bot.clock import Clock
from bot.config import Settings
from bot.documents.survey_workbook import survey_workbook
from bot.errors import stale_button
from bot.i18n import _
from bot.services import positions as service
from bot.services import surveys
from bot.services.export_data import export_data
from handlers.callbacks import DocumentFile, DocumentLanguages, DocumentList, ExportFormat, Language
from handlers.keyboards import LANGUAGES, in_language
from handlers.positions.views import back_to_position
from handlers.views.screens import Button, keyboard, replace

BUILDERS = {
    ExportFormat.PAPER: documents.position_paper,
    ExportFormat.PROTOCOL: documents.disagreement_protocol,
    ExportFormat.WORKBOOK: documents.answers_workbook,
    ExportFormat.CSV: documents.answers_csv,
    ExportFormat.CHART: documents.stance_chart,
}
SUFFIXES = {
    ExportFormat.PAPER: "docx",
    ExportFormat.PROTOCOL: "docx",
    ExportFormat.WORKBOOK: "xlsx",
    ExportFormat.CSV: "csv",
    ExportFormat.CHART: "png",
}


def _format_names() -> dict[ExportFormat, str]:
    return {
        ExportFormat.PAPER: _("📄 Position paper (DOCX)"),
        ExportFormat.PROTOCOL: _("⚖ Disagreement protocol (DOCX)"),
        ExportFormat.WORKBOOK: _("📊 Answers and tallies (XLSX)"),
        ExportFormat.CSV: _("🗂 Answers (CSV)"),
        ExportFormat.CHART: _("📈 Chart of stances by oblast (PNG)"),
    }


def create_router() -> Router:
    router = Router(name="positions.documents")

    @router.callback_query(DocumentLanguages.filter())
    async def languages(
        query: CallbackQuery, callback_data: DocumentLanguages, session: AsyncSession
    ) -> None:
        """First the language of the documents, which need not be the coordinator's own."""
        cid = callback_data.cid
        await service.get_position(session, cid)
        buttons: list[Button] = [
            (LANGUAGES[language], DocumentList(cid=cid, language=language)) for language in Language
        ]
        await replace(
            query,
            _("In which language should the documents be?"),
            keyboard([*buttons, back_to_position(cid)], 2),
        )

    @router.callback_query(DocumentList.filter())
    async def formats(query: CallbackQuery, callback_data: DocumentList, session: AsyncSession) -> None:
        """The documents there are for this consultation; the protocol only for inter-budget ones."""
        cid, language = callback_data.cid, callback_data.language
        consultation, _position = await service.get_position(session, cid)
        names = _format_names()
        if not consultation.inter_budget:
            del names[ExportFormat.PROTOCOL]
        buttons: list[Button] = [
            (name, DocumentFile(cid=cid, format=fmt, language=language)) for fmt, name in names.items()
        ]
        await replace(
            query,
            _("Documents in {language}:").format(language=in_language(language)),
            keyboard([*buttons, back_to_position(cid)]),
        )

    @router.callback_query(DocumentFile.filter())
    async def send_file(
        query: CallbackQuery,
        callback_data: DocumentFile,
        session: AsyncSession,
        clock: Clock,
        settings: Settings,
        bot: Bot,
    ) -> None:
        """Build the document and send it as a file (the chart as a photo); the menu stays for the next."""
        cid, fmt, language = callback_data.cid, callback_data.format, callback_data.language
        consultation, _position = await service.get_position(session, cid)
        if fmt is ExportFormat.PROTOCOL and not consultation.inter_budget:
            raise stale_button()
        await query.answer(_("Preparing the file…"))
        if consultation.is_survey and fmt is ExportFormat.WORKBOOK:  # a survey's own tallies
            numbers = await surveys.tallies(session, cid)
            rows = await surveys.survey_answers(session, cid, language.value)
            content = await asyncio.to_thread(survey_workbook, numbers, rows, language.value)
            name = f"pikir-{cid}-survey-{language}.xlsx"
            await bot.send_document(query.from_user.id, BufferedInputFile(content, filename=name))
            return
        data = await export_data(
            session, cid, language, settings.position.quorum, settings.locale.zone, clock.now()
        )
        # Documents and charts take a moment of CPU: keep the bot answering others meanwhile.
        content = await asyncio.to_thread(BUILDERS[fmt], data)
        name = f"pikir-{cid}-{fmt.name.lower()}-{language}.{SUFFIXES[fmt]}"
        upload = BufferedInputFile(content, filename=name)
        if fmt is ExportFormat.CHART:
            await bot.send_photo(query.from_user.id, upload)
        else:
            await bot.send_document(query.from_user.id, upload)

    return router
