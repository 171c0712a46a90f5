"""The command menu (setMyCommands): the same for everyone in each language, more for staff in their chat."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.config import SUPPORTED_LOCALES
from bot.i18n import _, use_locale
from models import Role, User

log = logging.getLogger(__name__)


def public_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Start or register")),
        BotCommand(command="help", description=_("What I can do")),
        BotCommand(command="drafts", description=_("Draft laws under consultation")),
        BotCommand(command="lang", description=_("Change the language")),
        BotCommand(command="settings", description=_("Digest, reminders and language")),
        BotCommand(command="cancel", description=_("Stop the current step")),
    ]


def commands_for(user: User) -> list[BotCommand]:
    commands = public_commands()
    if user.is_staff:
        commands += [
            BotCommand(command="new", description=_("New consultation")),
            BotCommand(command="responses", description=_("Answers, the position and its outcome")),
            BotCommand(command="applications", description=_("Applications waiting for a decision")),
            BotCommand(command="invite", description=_("Invitation link for a head")),
            BotCommand(command="import", description=_("Update the municipal registry")),
            BotCommand(command="revoke", description=_("Take back someone's rights")),
            BotCommand(command="approval", description=_("Approval requests from state bodies")),
            BotCommand(command="expertise", description=_("Expert conclusions")),
            BotCommand(command="sittings", description=_("Committee sittings")),
            BotCommand(command="surveys", description=_("Surveys and impact follow-ups")),
            BotCommand(command="report", description=_("The annual report to the Jogorku Kenesh")),
        ]
    if user.has_role(Role.ADMIN):
        commands.append(BotCommand(command="coordinator", description=_("Invitation link for a coordinator")))
        commands.append(BotCommand(command="calendar", description=_("Days moved by decree (working days)")))
    return commands


async def register_default_commands(bot: Bot, default_locale: str) -> None:
    """The menu for everyone: one list per language, and the default language for the rest."""
    for locale in SUPPORTED_LOCALES:
        with use_locale(locale):
            await bot.set_my_commands(public_commands(), scope=BotCommandScopeDefault(), language_code=locale)
    with use_locale(default_locale):
        await bot.set_my_commands(public_commands(), scope=BotCommandScopeDefault())


async def register_user_commands(bot: Bot, user: User) -> None:
    """The user's own menu, in the language chosen in the bot and with the commands of their role."""
    if user.language is None:
        return
    try:
        with use_locale(user.language):
            await bot.set_my_commands(commands_for(user), scope=BotCommandScopeChat(chat_id=user.telegram_id))
    except TelegramAPIError as error:  # the menu is a convenience; never fail the user's action over it
        log.warning("could not set commands for %s: %s", user.telegram_id, error)
