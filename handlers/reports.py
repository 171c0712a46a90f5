"""/report for coordinators and admins: the annual report to the Jogorku Kenesh for a chosen year and
language, built while a progress message says so, then sent as DOCX and XLSX."""

from __future__ import annotations

import asyncio

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.documents.annual_report import state_chart
from bot.i18n import _, current_locale, format_number
from bot.reports import build, file_names
from bot.services.indicators import open_consultations, year_period
from bot.services.indicators.responses import by_month
from handlers.callbacks import Language, ReportBuild, ReportPeriod, ReportState
from handlers.filters import staff_only
from handlers.keyboards import LANGUAGES
from handlers.views.screens import Button, keyboard, replace

YEARS_OFFERED = 3  # this year and the two before


def create_router() -> Router:
    router = Router(name="reports")
    router.message.middleware(staff_only)
    router.callback_query.middleware(staff_only)

    @router.message(Command("report"))
    async def choose_year(message: Message, clock: Clock, settings: Settings) -> None:
        """Which year: this one and the two before."""
        this_year = clock.now().astimezone(settings.locale.zone).year
        builder = InlineKeyboardBuilder()
        for year in range(this_year, this_year - YEARS_OFFERED, -1):
            builder.button(text=str(year), callback_data=ReportPeriod(year=year))
        builder.adjust(YEARS_OFFERED)
        state = InlineKeyboardButton(
            text=_("📈 State of consultations (PNG)"), callback_data=ReportState().pack()
        )
        builder.row(state)
        await message.answer(
            _("<b>The annual report to the Jogorku Kenesh.</b> For which year?"),
            reply_markup=builder.as_markup(),
        )

    @router.callback_query(ReportState.filter())
    async def picture(query: CallbackQuery, session: AsyncSession, clock: Clock, settings: Settings) -> None:
        """This year's response rate by month and the open consultations' rates, as one picture."""
        await query.answer(_("Preparing the file…"))
        now, zone, locale = clock.now(), settings.locale.zone, current_locale()
        months = await by_month(session, year_period(now.astimezone(zone).year, zone))
        open_now = await open_consultations(session, locale)
        png = await asyncio.to_thread(state_chart, months, open_now, locale, now, zone)
        await query.bot.send_photo(query.from_user.id, BufferedInputFile(png, "pikir-state.png"))  # type: ignore[union-attr]

    @router.callback_query(ReportPeriod.filter())
    async def choose_language(query: CallbackQuery, callback_data: ReportPeriod) -> None:
        """The report's language, which need not be the coordinator's own."""
        buttons: list[Button] = [
            (LANGUAGES[language], ReportBuild(year=callback_data.year, language=language))
            for language in Language
        ]
        await replace(query, _("In which language should the report be?"), keyboard(buttons, 2))

    @router.callback_query(ReportBuild.filter())
    async def make(
        query: CallbackQuery,
        callback_data: ReportBuild,
        session: AsyncSession,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Build the report, saying so meanwhile; then send both files."""
        year, locale = callback_data.year, callback_data.language.value
        await replace(
            query,
            _("Building the report for {year}: the figures, the tables and the charts…").format(year=year),
        )
        built = await build(session, year_period(year, settings.locale.zone), locale, clock.now())
        docx_name, xlsx_name = file_names(year, locale)
        chat_id = query.from_user.id
        await query.bot.send_document(chat_id, BufferedInputFile(built.docx, docx_name))  # type: ignore[union-attr]
        await query.bot.send_document(chat_id, BufferedInputFile(built.xlsx, xlsx_name))  # type: ignore[union-attr]
        seconds = sum(built.seconds.values())
        if built.indicators.empty:
            done = _("The report for {year} is ready. There were no consultations or surveys that year.")
        else:
            done = _("The report for {year} is ready: {consultations} consultations and {surveys} surveys.")
        text = done.format(
            year=year,
            consultations=format_number(built.indicators.consultations),
            surveys=format_number(built.indicators.surveys),
        )
        if query.message is not None:
            await query.message.edit_text(  # type: ignore[union-attr]
                text + " " + _("Built in {seconds} s.").format(seconds=format_number(round(seconds, 1)))
            )

    return router
