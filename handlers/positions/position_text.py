"""The position itself: its screen, its text in either language, editing it, adopting it, and marking it
as sent to the committee or ministry."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import StaleAction, stale_button
from bot.i18n import _, format_number
from bot.services import positions as service
from bot.validation import parse_day
from handlers.callbacks import (
    Language,
    PositionAdopt,
    PositionAdoptAnyway,
    PositionScreen,
    PositionSentToCommittee,
    PositionSentToday,
    PositionSubmit,
    PositionText,
    PositionTextEdit,
)
from handlers.filters import not_command
from handlers.keyboards import in_language
from handlers.positions.views import back_to_position, position_screen
from handlers.states import PositionInput
from handlers.texts import fit_message
from handlers.views.screens import Button, keyboard, replace, send
from models import User
from models.consultations import ConsultationStatus


def _date_question(cid: int) -> tuple[str, InlineKeyboardMarkup]:
    return (
        _("On which day was it sent? Write day.month.year, e.g. 5.12.2026."),
        keyboard([(_("Today"), PositionSentToday(cid=cid))]),
    )


def create_router() -> Router:
    router = Router(name="positions.text")

    @router.callback_query(PositionScreen.filter())
    async def show(
        query: CallbackQuery, callback_data: PositionScreen, session: AsyncSession, settings: Settings
    ) -> None:
        """The position's numbers, where it stands, and what can be done with it."""
        await replace(query, *await position_screen(session, callback_data.cid, settings))

    @router.callback_query(PositionText.filter())
    async def show_text(query: CallbackQuery, callback_data: PositionText, session: AsyncSession) -> None:
        """The position's text in one language; while it is not adopted, it can be edited."""
        cid, language = callback_data.cid, callback_data.language
        consultation, position = await service.get_position(session, cid)
        buttons: list[Button] = []
        if consultation.status is ConsultationStatus.CLOSED:
            buttons.append((_("✏ Edit this text"), PositionTextEdit(cid=cid, language=language)))
        buttons.append(back_to_position(cid))
        heading = _("<b>The position, in {language}:</b>").format(language=in_language(language))
        body = position.text_ky if language is Language.KY else position.text_ru
        await replace(query, f"{heading}\n\n{html.quote(body)}", keyboard(buttons))

    @router.callback_query(PositionTextEdit.filter())
    async def edit(
        query: CallbackQuery, callback_data: PositionTextEdit, session: AsyncSession, state: FSMContext
    ) -> None:
        """Ask for the new text; the current one stays on screen above, to copy from."""
        consultation, _position = await service.get_position(session, callback_data.cid)
        if consultation.status is not ConsultationStatus.CLOSED:
            raise StaleAction(_("The position is adopted; its text can no longer be changed."))
        await state.set_state(PositionInput.text)
        await state.set_data({"cid": callback_data.cid, "language": callback_data.language.value})
        prompt = _(
            "Send the whole text in {language} as one message (at most {limit} characters). "
            "It replaces the current one; /cancel keeps it."
        ).format(language=in_language(callback_data.language), limit=format_number(service.POSITION_TEXT_MAX))
        await send(query, prompt)

    @router.message(StateFilter(PositionInput.text), not_command)
    async def typed_text(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """The new text of the position in one language."""
        data = await state.get_data()
        cid, language = int(data["cid"]), Language(data["language"])
        position = await service.edit_text(session, user, cid, language, message.text)
        await state.clear()
        await message.answer(_("Saved. The text now reads:"))
        await message.answer(
            fit_message(html.quote(position.text_ky if language is Language.KY else position.text_ru)),
            reply_markup=keyboard([back_to_position(cid)]),
        )

    @router.callback_query(PositionAdopt.filter())
    @router.callback_query(PositionAdoptAnyway.filter())
    async def adopt(
        query: CallbackQuery,
        callback_data: PositionAdopt | PositionAdoptAnyway,
        user: User,
        session: AsyncSession,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Adopt the position as it stands: its text is frozen from then on. When only one language was
        edited, first say that the other is still the bot's draft and ask to confirm."""
        cid, sure = callback_data.cid, isinstance(callback_data, PositionAdoptAnyway)
        if not sure:
            _consultation, position = await service.get_position(session, cid)
            drafted = service.still_drafted(position)
            if drafted is not None:
                warning = _(
                    "⚠ You edited the text in {edited}, but the text in {drafted} is still the bot's draft: "
                    "the two papers may say different things. Adopt anyway?"
                ).format(
                    edited=in_language(Language.RU if drafted == "ky" else Language.KY),
                    drafted=in_language(Language(drafted)),
                )
                buttons: list[Button] = [
                    (_("✏ Edit the other text"), PositionTextEdit(cid=cid, language=Language(drafted))),
                    (_("✅ Adopt anyway"), PositionAdoptAnyway(cid=cid)),
                    back_to_position(cid),
                ]
                await replace(query, warning, keyboard(buttons))
                return
        await service.adopt(session, user, cid, clock.now(), confirmed=sure)
        text, markup = await position_screen(session, cid, settings)
        await replace(query, text, markup, notice=_("The position is adopted."))

    @router.callback_query(PositionSubmit.filter())
    async def submit(
        query: CallbackQuery, callback_data: PositionSubmit, session: AsyncSession, state: FSMContext
    ) -> None:
        """Ask to whom the position was sent; the committee of the consultation is one press away."""
        cid = callback_data.cid
        consultation, _position = await service.get_position(session, cid)
        if consultation.status is not ConsultationStatus.POSITION_ADOPTED:
            raise stale_button()
        await state.set_state(PositionInput.addressee)
        await state.set_data({"cid": cid})
        buttons: list[Button] = []
        if consultation.committee:
            buttons.append((consultation.committee[:60], PositionSentToCommittee(cid=cid)))
        await replace(
            query,
            _("To whom was the position sent? E.g. the committee of the Jogorku Kenesh or the ministry."),
            keyboard(buttons) if buttons else None,
        )

    @router.callback_query(PositionSentToCommittee.filter())
    async def to_committee(
        query: CallbackQuery, callback_data: PositionSentToCommittee, session: AsyncSession, state: FSMContext
    ) -> None:
        """The addressee is the consultation's committee; now the day."""
        cid = callback_data.cid
        consultation, _position = await service.get_position(session, cid)
        if not consultation.committee or consultation.status is not ConsultationStatus.POSITION_ADOPTED:
            raise stale_button()
        await state.set_state(PositionInput.date)
        await state.set_data({"cid": cid, "addressee": consultation.committee})
        await replace(query, *_date_question(cid))

    @router.message(StateFilter(PositionInput.addressee), not_command)
    async def typed_addressee(message: Message, state: FSMContext) -> None:
        """The addressee, typed; now the day."""
        cid = int((await state.get_data())["cid"])
        await state.set_state(PositionInput.date)
        await state.update_data(addressee=service.clean_addressee(message.text))
        text, markup = _date_question(cid)
        await message.answer(text, reply_markup=markup)

    @router.message(StateFilter(PositionInput.date), not_command)
    async def typed_date(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """The day it was sent, typed: the position is marked as submitted."""
        data = await state.get_data()
        cid = int(data["cid"])
        day = parse_day(message.text, settings.locale.zone)
        await service.mark_submitted(session, user, cid, data["addressee"], day, clock.now())
        await state.clear()
        text, markup = await position_screen(session, cid, settings)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(PositionSentToday.filter())
    async def sent_today(
        query: CallbackQuery,
        callback_data: PositionSentToday,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Sent today: the position is marked as submitted."""
        data = await state.get_data()
        if not data.get("addressee") or data.get("cid") != callback_data.cid:
            raise stale_button()
        now = clock.now()
        await service.mark_submitted(session, user, callback_data.cid, data["addressee"], now, now)
        await state.clear()
        await replace(query, *await position_screen(session, callback_data.cid, settings))

    return router
