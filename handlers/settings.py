"""/settings: one's own weekly digest, reminders and language."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _
from bot.services import preferences
from handlers.callbacks import SettingsDigest, SettingsLanguage, SettingsReminders
from handlers.common import CHOOSE_LANGUAGE
from handlers.keyboards import LANGUAGES, language_keyboard
from handlers.views.screens import replace
from models import ReminderChoice, Role, User


def _reminder_names() -> dict[ReminderChoice, str]:
    return {
        ReminderChoice.ON: _("on"),
        ReminderChoice.LAST: _("only the last"),
        ReminderChoice.OFF: _("off"),
    }


def settings_text(user: User) -> str:
    lines = [
        _("⚙ <b>Your settings</b>"),
        "",
        _("📰 Weekly digest: {value}").format(value=_("on") if user.digest_weekly else _("off")),
        _("🔔 Reminders before a deadline: {value}").format(value=_reminder_names()[user.reminders]),
        _("🌐 Language: {value}").format(value=LANGUAGES.get(user.language or "", "—")),  # type: ignore[call-overload]
    ]
    if user.role is Role.HEAD:
        lines += [
            "",
            _(
                "Even with reminders off, a head gets the last reminder before each deadline: "
                "the association must hear from every municipality."
            ),
        ]
    return "\n".join(lines)


def settings_keyboard(user: User) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for weekly, label in ((True, _("weekly")), (False, _("off"))):
        mark = "✓ " if user.digest_weekly is weekly else ""
        builder.button(
            text=mark + _("📰 Digest: {value}").format(value=label),
            callback_data=SettingsDigest(weekly=weekly),
        )
    for choice, label in _reminder_names().items():
        mark = "✓ " if user.reminders is choice else ""
        builder.button(
            text=mark + _("🔔 Reminders: {value}").format(value=label),
            callback_data=SettingsReminders(choice=choice),
        )
    builder.button(text=_("🌐 Language"), callback_data=SettingsLanguage())
    builder.adjust(2, 3, 1)
    return builder.as_markup()


def create_router() -> Router:
    router = Router(name="settings")

    @router.message(Command("settings"))
    async def show(message: Message, user: User) -> None:
        """One's own choices, each a button."""
        await message.answer(settings_text(user), reply_markup=settings_keyboard(user))

    @router.callback_query(SettingsDigest.filter())
    async def digest(
        query: CallbackQuery, callback_data: SettingsDigest, user: User, session: AsyncSession
    ) -> None:
        """Weekly digest or none."""
        await preferences.set_digest(session, user, callback_data.weekly)
        await replace(query, settings_text(user), settings_keyboard(user), notice=_("Saved."))

    @router.callback_query(SettingsReminders.filter())
    async def reminders(
        query: CallbackQuery, callback_data: SettingsReminders, user: User, session: AsyncSession
    ) -> None:
        """All reminders, only the last, or none (a head still gets the last)."""
        await preferences.set_reminders(session, user, callback_data.choice)
        await replace(query, settings_text(user), settings_keyboard(user), notice=_("Saved."))

    @router.callback_query(SettingsLanguage.filter())
    async def language(query: CallbackQuery) -> None:
        """The two languages (chosen with the usual language buttons)."""
        await replace(query, CHOOSE_LANGUAGE, language_keyboard())

    return router
