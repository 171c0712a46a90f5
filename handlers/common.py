"""/start, the language choice, /lang, /help and /cancel."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import register_user_commands
from bot.i18n import _
from bot.services.users import set_language, with_municipality
from handlers.callbacks import LanguageChoice
from handlers.errors import CHOOSE_LANGUAGE
from handlers.keyboards import language_keyboard, language_name
from handlers.states import SignUp
from handlers.texts import help_text
from handlers.views.signup import begin_sign_up
from models import User

# Shown before the user has a language, so it is in both.


def create_router() -> Router:
    router = Router(name="common")

    @router.message(CommandStart())
    async def start(
        message: Message,
        command: CommandObject,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
    ) -> None:
        """Greet; ask the language first if the user has none yet, then sign up (or go on) or show help."""
        invite_code = (command.args or "").strip() or None
        if invite_code or await state.get_state() != SignUp.active.state:
            await state.clear()  # an unsent application is kept: /start goes on with it
        if user.language is None:
            await state.update_data(invite_code=invite_code)
            await message.answer(CHOOSE_LANGUAGE, reply_markup=language_keyboard())
            return
        await begin_sign_up(message, user, session, state, clock, invite_code)

    @router.message(Command("lang"))
    async def change_language(message: Message) -> None:
        """Offer the two languages."""
        await message.answer(CHOOSE_LANGUAGE, reply_markup=language_keyboard())

    @router.callback_query(LanguageChoice.filter())
    async def language_chosen(
        query: CallbackQuery,
        callback_data: LanguageChoice,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        i18n: I18n,
        bot: Bot,
        clock: Clock,
    ) -> None:
        """Remember the language; on the first /start, carry on with sign-up in it."""
        first_time = user.language is None
        await set_language(session, user, callback_data.code)
        with i18n.use_locale(user.language):
            await query.answer()
            await query.message.edit_text(  # type: ignore[union-attr]
                _("Language: {language}.").format(language=language_name(callback_data.code))
            )
            await register_user_commands(bot, user)
            if first_time:
                invite_code = (await state.get_data()).get("invite_code")
                await begin_sign_up(
                    query.message,  # type: ignore[arg-type]
                    user,
                    session,
                    state,
                    clock,
                    invite_code,
                    first_time=True,
                )

    @router.message(Command("help"))
    async def show_help(message: Message, user: User, session: AsyncSession) -> None:
        """What the user's role can do."""
        await message.answer(help_text(await with_municipality(session, user)))

    @router.message(Command("cancel"))
    async def cancel(message: Message, state: FSMContext) -> None:
        """Leave whatever step the user is in; what is already saved stays."""
        await state.clear()
        await message.answer(
            _("Stopped. Nothing that was already saved is lost. /help shows what you can do.")
        )

    return router
