"""What nothing else handled: refusals shown to the user, stale buttons, unknown input, crashes."""

from __future__ import annotations

import contextlib
import logging
import re

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import ExceptionMessageFilter, ExceptionTypeFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message

from bot.errors import UserFacingError
from bot.i18n import _, error_text
from handlers.keyboards import language_keyboard
from handlers.texts import fit_message
from models import User

CHOOSE_LANGUAGE = "Тилди тандаңыз / Выберите язык:"

log = logging.getLogger(__name__)

# An alert on a button press shows at most 200 characters.
ALERT_LIMIT = 200
# Telegram's answer to an edit that changes nothing: «Bad Request: message is not modified: ...».
NOT_MODIFIED = re.compile(r".*\bmessage is not modified", re.DOTALL)


async def tell_user(event: ErrorEvent, text: str) -> None:
    """A reply to the message, or an alert on the pressed button (a message if that is not possible)."""
    query, message = event.update.callback_query, event.update.message
    text = fit_message(text)
    if query is not None:
        if len(text) <= ALERT_LIMIT:
            try:
                await query.answer(text, show_alert=True)
                return
            except TelegramBadRequest:  # the handler had already answered the button
                pass
        else:
            with contextlib.suppress(TelegramBadRequest):
                await query.answer()
        if query.message is not None:
            await query.message.answer(text)
    elif message is not None:
        await message.answer(text)


def create_router() -> Router:
    router = Router(name="errors")

    @router.errors(ExceptionTypeFilter(UserFacingError))
    async def refusal(event: ErrorEvent) -> None:
        """A refusal a service raised: show its message."""
        await tell_user(event, error_text(event.exception))  # type: ignore[arg-type]

    @router.errors(ExceptionTypeFilter(TelegramBadRequest), ExceptionMessageFilter(NOT_MODIFIED))
    async def not_modified(event: ErrorEvent) -> None:
        """An edit that would change nothing (a repeated press): the message already shows it; no error."""
        if event.update.callback_query is not None:
            with contextlib.suppress(TelegramBadRequest):  # the handler may have answered the button
                await event.update.callback_query.answer()

    @router.errors()
    async def crash(event: ErrorEvent) -> None:
        """Anything unexpected: log it, and say so rather than stay silent."""
        log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
        await tell_user(event, _("Something went wrong on our side. Please try again in a minute."))

    @router.callback_query()
    async def stale_button(query: CallbackQuery) -> None:
        """A button from an old message, a finished step or a forged press."""
        await query.answer(
            _("This button is no longer active. Please use the latest message."), show_alert=True
        )

    @router.message()
    async def unexpected(message: Message, user: User, state: FSMContext) -> None:
        """Input outside any dialogue step, or typed where only buttons answer (the language at the first
        /start, the registry import's confirmation)."""
        if (message.text or "").startswith("/"):
            await message.answer(_("I do not know this command. /help shows what you can do."))
        elif user.language is None:
            await message.answer(
                _("Please choose with the buttons below.") + "\n\n" + CHOOSE_LANGUAGE,
                reply_markup=language_keyboard(),
            )
        elif await state.get_state() is not None:
            await message.answer(_("Please choose with the buttons of the message above, or /cancel."))
        else:
            await message.answer(_("I did not expect a message here. /help shows what you can do."))

    return router
