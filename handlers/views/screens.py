"""A screen answers a button press by replacing the pressed message: one answerCallbackQuery and one
editMessageText, instead of a new message under the old one."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.texts import fit_message

Button = tuple[str, CallbackData]


def keyboard(buttons: Sequence[Button], width: int = 1) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for text, data in buttons:
        builder.button(text=text, callback_data=data)
    builder.adjust(width)
    return builder.as_markup()


async def replace(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None, notice: str | None = None
) -> None:
    """Answer the press (with ``notice`` as a short toast) and show ``text`` in the pressed message."""
    await query.answer(notice)
    message = query.message
    if isinstance(message, Message) and message.text is not None:
        await message.edit_text(fit_message(text), reply_markup=markup)
    else:  # a message too old to reach, or a document: the screen comes as a new message
        await query.bot.send_message(query.from_user.id, fit_message(text), reply_markup=markup)  # type: ignore[union-attr]


async def send(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer the press and send ``text`` as a new message, where the pressed one must stay as it is."""
    await query.answer()
    await query.bot.send_message(query.from_user.id, fit_message(text), reply_markup=markup)  # type: ignore[union-attr]
