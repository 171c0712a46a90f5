"""Coordinators' tools: deciding applications and making invitation links."""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import register_user_commands
from bot.config import Settings
from bot.errors import NotAllowed
from bot.i18n import _, current_locale, format_datetime, use_locale
from bot.services import invites, users
from bot.services.users import require_staff
from handlers import picker
from handlers.callbacks import ApplicationDecision, PickPlace
from handlers.keyboards import decision_keyboard
from handlers.signup import application_card
from handlers.states import StaffInvite
from handlers.texts import help_text
from models import Invite, Role, User


def create_router() -> Router:
    router = Router(name="staff")

    @router.message(Command("applications"))
    async def list_applications(message: Message, user: User, session: AsyncSession) -> None:
        """Every application still waiting, each with its buttons."""
        require_staff(user)
        pending = await users.pending_applications(session)
        if not pending:
            await message.answer(_("No applications are waiting."))
            return
        for applicant in pending:
            await message.answer(application_card(applicant), reply_markup=decision_keyboard(applicant.id))

    @router.callback_query(ApplicationDecision.filter())
    async def decide(
        query: CallbackQuery,
        callback_data: ApplicationDecision,
        user: User,
        session: AsyncSession,
        bot: Bot,
        clock: Clock,
    ) -> None:
        """Approve or reject; the applicant is told in their language."""
        approve = callback_data.action == "approve"
        if callback_data.action not in ("approve", "reject"):
            raise NotAllowed(_("This button is no longer active. Please use the latest message."))
        applicant = await users.decide_application(
            session, user, callback_data.user_id, approve=approve, now=clock.now()
        )
        verdict = _("✅ Approved by {name}.") if approve else _("❌ Rejected by {name}.")
        decider = html.quote(user.full_name or user.telegram_name or str(user.telegram_id))
        await query.message.edit_text(  # type: ignore[union-attr]
            application_card(applicant) + "\n\n" + verdict.format(name=decider), reply_markup=None
        )
        await query.answer()
        with use_locale(applicant.language or "ky"):
            if approve:
                text = _("Your application is approved. Welcome to Pikir!") + "\n\n" + help_text(applicant)
            else:
                text = _(
                    "Your application was not approved. If you think this is a mistake, "
                    "contact your association, or send /start to apply again."
                )
            try:
                await bot.send_message(applicant.telegram_id, text)
            except TelegramAPIError:
                await query.message.answer(_("The applicant could not be reached in Telegram."))  # type: ignore[union-attr]
        if approve:
            await register_user_commands(bot, applicant)

    @router.message(Command("invite"))
    async def start_invite(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """Choose the municipality whose head gets the link."""
        require_staff(user)
        await state.clear()
        await state.set_state(StaffInvite.place)
        await message.answer(_("Invitation link for the head of a municipality."))
        await picker.show_oblasts(message, session)

    @router.callback_query(StaffInvite.place, PickPlace.filter(F.level == "municipality"))
    async def invite_for_municipality(
        query: CallbackQuery,
        callback_data: PickPlace,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        bot: Bot,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Make the link and show it."""
        invite = await invites.create_invite(
            session, user, role=Role.HEAD, municipality_id=callback_data.id, now=clock.now()
        )
        await state.clear()
        await query.message.edit_text(  # type: ignore[union-attr]
            await _invite_text(bot, invite, settings), reply_markup=None
        )
        await query.answer()

    @router.message(Command("coordinator"))
    async def coordinator_invite(
        message: Message, user: User, session: AsyncSession, bot: Bot, clock: Clock, settings: Settings
    ) -> None:
        """A link that makes whoever opens it a coordinator (admins only)."""
        invite = await invites.create_invite(
            session, user, role=Role.COORDINATOR, municipality_id=None, now=clock.now()
        )
        await message.answer(await _invite_text(bot, invite, settings))

    return router


async def _invite_text(bot: Bot, invite: Invite, settings: Settings) -> str:
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={invite.code}"
    if invite.municipality is not None:
        whom = _("Invitation for the head of {municipality}.").format(
            municipality=html.quote(invite.municipality.full_name(current_locale()))
        )
    else:
        whom = _("Invitation for a new coordinator.")
    until = format_datetime(invite.expires_at, settings.locale.zone)
    return "\n".join(
        [
            whom,
            _("Send this link to the person. It works once and until {until}:").format(until=until),
            link,
        ]
    )
