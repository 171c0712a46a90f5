"""Coordinators' tools: deciding applications, making invitation links, revoking rights."""

from __future__ import annotations

import contextlib

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import register_user_commands
from bot.config import Settings
from bot.errors import StaleAction
from bot.i18n import _, current_locale, format_datetime, use_locale
from bot.services import application_copies, invites, users
from bot.services.users import require_staff
from handlers.callbacks import (
    ApplicationDecision,
    Decision,
    PersonAction,
    PersonIntent,
    PickPlace,
    PlaceLevel,
)
from handlers.keyboards import decision_keyboard
from handlers.states import StaffInvite, StaffRevoke
from handlers.texts import fit_message, help_text, role_name
from handlers.views.places import oblasts_screen
from handlers.views.signup import application_card
from models import Invite, Municipality, Role, User
from models.users import AdminSource


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
            card, buttons = application_card(applicant), decision_keyboard(applicant.id)
            sent = await message.answer(card, reply_markup=buttons)
            await application_copies.remember(session, applicant.id, user.id, sent.chat.id, sent.message_id)

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
        approve = callback_data.action is Decision.APPROVE
        applicant = await users.decide_application(
            session, user, callback_data.user_id, approve=approve, now=clock.now()
        )
        verdict = _("✅ Approved by {name}.") if approve else _("❌ Rejected by {name}.")
        decider = html.quote(user.full_name or user.telegram_name or str(user.telegram_id))
        await query.message.edit_text(  # type: ignore[union-attr]
            application_card(applicant) + "\n\n" + verdict.format(name=decider), reply_markup=None
        )
        await query.answer()
        pressed = query.message
        pressed_at = (pressed.chat.id, pressed.message_id) if pressed is not None else (0, 0)
        await _tell_other_copies(bot, session, applicant, user, approve, pressed_at)
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
        await (await oblasts_screen(session, own=False)).send(message)

    @router.callback_query(
        StateFilter(StaffInvite.place), PickPlace.filter(F.level == PlaceLevel.MUNICIPALITY)
    )
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

    @router.message(Command("revoke"))
    async def revoke_menu(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """Whose rights to take back: admins see the staff; everyone on staff can pick a municipality."""
        require_staff(user)
        await state.clear()
        lines = [_("<b>Whose rights should be taken back?</b>")]
        builder = InlineKeyboardBuilder()
        if user.has_role(Role.ADMIN):
            for person in await users.revocable_staff(session):
                line = f"• {person_line(person)}"
                if person.role is Role.ADMIN and person.admin_source is AdminSource.SETTINGS:
                    line += " " + _("(from ADMIN_IDS: change the settings)")
                elif person.id != user.id:
                    builder.button(
                        text=_("🚫 {name}").format(name=person_name(person)[:40]),
                        callback_data=PersonAction(action=PersonIntent.ASK, user_id=person.id),
                    )
                lines.append(line)
        place = PersonAction(action=PersonIntent.PLACE)
        builder.button(text=_("🏘 A head or deputy of a municipality"), callback_data=place)
        builder.adjust(1)
        await message.answer(fit_message("\n".join(lines)), reply_markup=builder.as_markup())

    @router.callback_query(PersonAction.filter(F.action == PersonIntent.PLACE))
    async def revoke_choose_place(
        query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext
    ) -> None:
        """The municipality whose head or deputy leaves."""
        require_staff(user)
        await state.clear()
        await state.set_state(StaffRevoke.place)
        await query.answer()
        await (await oblasts_screen(session, own=False)).send(query.message)  # type: ignore[arg-type]

    @router.callback_query(
        StateFilter(StaffRevoke.place), PickPlace.filter(F.level == PlaceLevel.MUNICIPALITY)
    )
    async def revoke_in_municipality(
        query: CallbackQuery, callback_data: PickPlace, user: User, session: AsyncSession, state: FSMContext
    ) -> None:
        """The municipality's active heads and deputies, each with a button."""
        require_staff(user)
        municipality = await session.get(Municipality, callback_data.id)
        if municipality is None:
            raise StaleAction(_("This municipality is no longer in the registry. Please choose again."))
        await state.clear()
        people = await users.people_of(session, municipality.id)
        name = html.quote(municipality.full_name(current_locale()))
        if not people:
            await query.message.edit_text(  # type: ignore[union-attr]
                _("{municipality} has no active head or deputy.").format(municipality=name), reply_markup=None
            )
            await query.answer()
            return
        builder = InlineKeyboardBuilder()
        for person in people:
            builder.button(
                text=_("🚫 {name}").format(name=person_name(person)[:40]),
                callback_data=PersonAction(action=PersonIntent.ASK, user_id=person.id),
            )
        builder.adjust(1)
        lines = [f"<b>{name}</b>", *(f"• {person_line(person)}" for person in people)]
        await query.message.edit_text("\n".join(lines), reply_markup=builder.as_markup())  # type: ignore[union-attr]
        await query.answer()

    @router.callback_query(PersonAction.filter(F.action == PersonIntent.ASK))
    async def revoke_confirm(
        query: CallbackQuery, callback_data: PersonAction, user: User, session: AsyncSession
    ) -> None:
        """Say exactly what will happen, and ask once more."""
        person = await users.revocable(session, user, callback_data.user_id)
        builder = InlineKeyboardBuilder()
        do = PersonAction(action=PersonIntent.DO, user_id=person.id)
        builder.button(text=_("🚫 Yes, revoke"), callback_data=do)
        keep = PersonAction(action=PersonIntent.KEEP, user_id=person.id)
        builder.button(text=_("Cancel"), callback_data=keep)
        await query.message.answer(  # type: ignore[union-attr]
            _(
                "Take back the rights of {person}? Their buttons and commands stop working at once; "
                "they are told so."
            ).format(person=person_line(person)),
            reply_markup=builder.as_markup(),
        )
        await query.answer()

    @router.callback_query(PersonAction.filter(F.action == PersonIntent.DO))
    async def revoke_now(
        query: CallbackQuery,
        callback_data: PersonAction,
        user: User,
        session: AsyncSession,
        bot: Bot,
        clock: Clock,
    ) -> None:
        """Revoke; the person is told in their language and their command menu shrinks."""
        person = await users.revoke(session, user, callback_data.user_id, now=clock.now())
        await query.message.edit_text(  # type: ignore[union-attr]
            _("🚫 {person}: rights revoked by {name}.").format(
                person=person_line(person), name=html.quote(person_name(user))
            ),
            reply_markup=None,
        )
        await query.answer()
        if not await tell_revoked(bot, person):
            await query.message.answer(_("The person could not be reached in Telegram."))  # type: ignore[union-attr]

    @router.callback_query(PersonAction.filter(F.action == PersonIntent.KEEP))
    async def revoke_cancelled(query: CallbackQuery, user: User) -> None:
        """Changed one's mind: nothing happens."""
        require_staff(user)
        await query.message.edit_text(_("Nothing changed."), reply_markup=None)  # type: ignore[union-attr]
        await query.answer()

    return router


def person_name(person: User) -> str:
    return person.full_name or person.telegram_name or str(person.telegram_id)


def person_line(person: User) -> str:
    """«Name — role, municipality» in the current language."""
    line = f"{html.quote(person_name(person))} — {role_name(person.role)}"
    if person.municipality is not None:
        line += ", " + html.quote(person.municipality.full_name(current_locale()))
    return line


async def tell_revoked(bot: Bot, person: User) -> bool:
    """Tell the person, in their language, that their rights are withdrawn, and reset their command menu.

    False if Telegram would not take the message (e.g. they blocked the bot).
    """
    await register_user_commands(bot, person)
    with use_locale(person.language or "ky"):
        text = _(
            "Your rights in Pikir as {role} have been withdrawn by the association. "
            "If you think this is a mistake, contact your association."
        ).format(role=role_name(person.role))
    try:
        await bot.send_message(person.telegram_id, text)
    except TelegramAPIError:
        return False
    return True


async def _tell_other_copies(
    bot: Bot,
    session: AsyncSession,
    applicant: User,
    decider: User,
    approve: bool,
    pressed_at: tuple[int, int],
) -> None:
    """Every other staff member's card of this application says who decided, in their language, and
    keeps no buttons."""
    name = html.quote(decider.full_name or decider.telegram_name or str(decider.telegram_id))
    for copy in await application_copies.take_copies(session, applicant.id):
        if (copy.chat_id, copy.message_id) == pressed_at:
            continue
        with use_locale(copy.staff.language or "ky"):
            verdict = _("✅ Approved by {name}.") if approve else _("❌ Rejected by {name}.")
            text = application_card(applicant) + "\n\n" + verdict.format(name=name)
            with contextlib.suppress(TelegramAPIError):  # deleted or too old to edit: nothing to fix
                await bot.edit_message_text(
                    text, chat_id=copy.chat_id, message_id=copy.message_id, reply_markup=None
                )


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
