"""Sign-up of heads and deputies: by invitation link, or by choosing the municipality and being approved."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import register_user_commands
from bot.errors import InvalidInput, StaleAction, stale_button
from bot.i18n import _, current_locale, use_locale
from bot.services import invites, users
from bot.validation import POSITION_MAX, clean_person_name, clean_text
from handlers import picker
from handlers.callbacks import PickPlace, RoleChoice, SignUpAction
from handlers.filters import not_command
from handlers.keyboards import decision_keyboard
from handlers.states import InviteSignUp, SignUp
from handlers.texts import help_text, role_name
from models import Municipality, Role, User, UserStatus

log = logging.getLogger(__name__)


async def begin_sign_up(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    invite_code: str | None,
) -> None:
    """After the language is known: follow an invitation, or show where the user stands."""
    await users.with_municipality(session, user)
    if invite_code:
        try:
            invite = await invites.find_usable_invite(session, invite_code, clock.now())
        except StaleAction as refusal:
            builder = InlineKeyboardBuilder()
            builder.button(
                text=_("Register by choosing my municipality"), callback_data=SignUpAction(action="register")
            )
            await message.answer(str(refusal), reply_markup=builder.as_markup())
            return
        if invite.role is Role.COORDINATOR:
            what = _("You are invited to be an association coordinator.")
        else:
            what = _("You are invited as the head of {municipality}.").format(
                municipality=html.quote(invite.municipality.full_name(current_locale()))  # type: ignore[union-attr]
            )
        await state.set_state(InviteSignUp.full_name)
        await state.update_data(invite_code=invite_code)
        await message.answer(what + "\n\n" + _("Please write your full name (surname, name, patronymic)."))
        return
    if user.is_active and user.role is not Role.NONE:
        await message.answer(_("Welcome back!") + "\n\n" + help_text(user))
        return
    if user.status is UserStatus.PENDING and user.municipality is not None:
        await message.answer(
            _(
                "Your application for {municipality} is waiting for a coordinator's decision. "
                "You will get a message here."
            ).format(municipality=html.quote(user.municipality.full_name(current_locale())))
        )
        return
    await state.set_state(SignUp.place)
    await message.answer(
        _(
            "Pikir collects the opinions of local self-government bodies on draft laws. "
            "Let's register you: first, your municipality."
        )
    )
    await picker.show_oblasts(message, session)


def _role_keyboard() -> object:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("I am the head (ayil okmotu head or mayor)"), callback_data=RoleChoice(role=Role.HEAD)
    )
    builder.button(text=_("I am a staff member (deputy)"), callback_data=RoleChoice(role=Role.DEPUTY))
    builder.adjust(1)
    return builder.as_markup()


def _confirm_keyboard() -> object:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Send the application"), callback_data=SignUpAction(action="submit"))
    builder.button(text=_("Start over"), callback_data=SignUpAction(action="restart"))
    builder.adjust(1)
    return builder.as_markup()


def _need_text(message: Message) -> str:
    if message.text is None:
        raise InvalidInput(_("Please send this as a text message."))
    return message.text


def create_router() -> Router:
    router = Router(name="signup")

    @router.callback_query(SignUp.place, PickPlace.filter(F.level == "municipality"))
    async def municipality_chosen(
        query: CallbackQuery, callback_data: PickPlace, session: AsyncSession, state: FSMContext
    ) -> None:
        """Remember the municipality, then ask the role."""
        municipality = await session.get(Municipality, callback_data.id)
        if municipality is None:
            raise StaleAction(_("This municipality is no longer in the registry. Please choose again."))
        await state.update_data(municipality_id=municipality.id)
        await state.set_state(SignUp.role)
        await query.message.edit_text(  # type: ignore[union-attr]
            _("Municipality: {name}.").format(name=html.quote(municipality.full_name(current_locale())))
            + "\n\n"
            + _("Who are you there?"),
            reply_markup=_role_keyboard(),  # type: ignore[arg-type]
        )
        await query.answer()

    @router.callback_query(SignUp.role, RoleChoice.filter())
    async def role_chosen(query: CallbackQuery, callback_data: RoleChoice, state: FSMContext) -> None:
        """Remember the role, then ask the name."""
        if callback_data.role not in (Role.HEAD, Role.DEPUTY):
            raise stale_button()
        await state.update_data(role=callback_data.role)
        await state.set_state(SignUp.full_name)
        await query.message.edit_reply_markup(reply_markup=None)  # type: ignore[union-attr]
        await query.message.answer(_("Please write your full name (surname, name, patronymic)."))  # type: ignore[union-attr]
        await query.answer()

    @router.message(SignUp.full_name, not_command)
    async def full_name_given(message: Message, state: FSMContext) -> None:
        """Check and keep the name, then ask the position."""
        await state.update_data(full_name=clean_person_name(_need_text(message)))
        await state.set_state(SignUp.position)
        await message.answer(_("Your position, e.g. «Head of the ayil okmotu» or «Chief specialist»."))

    @router.message(SignUp.position, not_command)
    async def position_given(message: Message, state: FSMContext, session: AsyncSession) -> None:
        """Keep the position and show the whole application for confirmation."""
        position = clean_text(_need_text(message), max_length=POSITION_MAX, min_length=2)
        data = await state.update_data(position=position)
        municipality = await session.get(Municipality, data["municipality_id"])
        if municipality is None:
            await state.set_state(SignUp.place)
            raise StaleAction(_("This municipality is no longer in the registry. Please choose again."))
        await state.set_state(SignUp.confirm)
        await message.answer(
            "\n".join(
                [
                    _("Please check your application:"),
                    _("Municipality: {name}.").format(
                        name=html.quote(municipality.full_name(current_locale()))
                    ),
                    _("Role: {role}.").format(role=role_name(Role(data["role"]))),
                    _("Name: {name}.").format(name=html.quote(data["full_name"])),
                    _("Position: {position}.").format(position=html.quote(position)),
                ]
            ),
            reply_markup=_confirm_keyboard(),  # type: ignore[arg-type]
        )

    @router.callback_query(SignUp.confirm, SignUpAction.filter(F.action == "submit"))
    async def submit(
        query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext, bot: Bot, clock: Clock
    ) -> None:
        """File the application and tell every coordinator."""
        data = await state.get_data()
        application = users.validate_application(
            data["municipality_id"], Role(data["role"]), data["full_name"], data["position"]
        )
        applicant = await users.submit_application(session, user, application, clock.now())
        await state.clear()
        await query.message.edit_reply_markup(reply_markup=None)  # type: ignore[union-attr]
        await query.message.answer(  # type: ignore[union-attr]
            _(
                "Thank you! Your application has been sent to the association's coordinators. "
                "You will get a message here when they decide."
            )
        )
        await query.answer()
        await notify_staff_of_application(bot, session, applicant)

    @router.callback_query(StateFilter(SignUp), SignUpAction.filter(F.action == "restart"))
    async def restart(query: CallbackQuery, session: AsyncSession, state: FSMContext) -> None:
        """Throw the unsent application away and choose the municipality again."""
        await state.clear()
        await state.set_state(SignUp.place)
        await query.message.edit_reply_markup(reply_markup=None)  # type: ignore[union-attr]
        await picker.show_oblasts(query.message, session)  # type: ignore[arg-type]
        await query.answer()

    @router.callback_query(SignUpAction.filter(F.action == "register"))
    async def register_instead(query: CallbackQuery, session: AsyncSession, state: FSMContext) -> None:
        """After a bad invitation link: register by choosing the municipality."""
        await state.clear()
        await state.set_state(SignUp.place)
        await picker.show_oblasts(query.message, session)  # type: ignore[arg-type]
        await query.answer()

    @router.message(InviteSignUp.full_name, not_command)
    async def invite_name_given(message: Message, state: FSMContext) -> None:
        """Invitation path: keep the name, ask the position."""
        await state.update_data(full_name=clean_person_name(_need_text(message)))
        await state.set_state(InviteSignUp.position)
        await message.answer(_("Your position, e.g. «Head of the ayil okmotu» or «Chief specialist»."))

    @router.message(InviteSignUp.position, not_command)
    async def invite_position_given(
        message: Message, user: User, session: AsyncSession, state: FSMContext, clock: Clock, bot: Bot
    ) -> None:
        """Invitation path: use the invite; the user is registered at once."""
        data = await state.get_data()
        registered = await invites.redeem_invite(
            session,
            user,
            data.get("invite_code") or "",
            full_name=data.get("full_name", ""),
            position=_need_text(message),
            now=clock.now(),
        )
        await state.clear()
        await message.answer(_("You are registered.") + "\n\n" + help_text(registered))
        await register_user_commands(bot, registered)

    return router


async def notify_staff_of_application(bot: Bot, session: AsyncSession, applicant: User) -> None:
    """Send the application card, with approve / reject buttons, to every coordinator in their language."""
    head = (
        await users.active_head(session, applicant.municipality_id) if applicant.role is Role.HEAD else None
    )
    for staff in await users.active_staff(session):
        with use_locale(staff.language or "ky"):
            text = application_card(applicant)
            if head is not None:
                text += "\n\n" + _("⚠ This municipality already has an active head: {name}.").format(
                    name=html.quote(head.full_name or "")
                )
            try:
                await bot.send_message(staff.telegram_id, text, reply_markup=decision_keyboard(applicant.id))
            except TelegramAPIError as error:  # one unreachable coordinator must not stop the others
                log.warning("could not notify coordinator %s: %s", staff.telegram_id, error)


def application_card(applicant: User) -> str:
    municipality = applicant.municipality
    lines = [
        _("<b>New application</b>"),
        _("Municipality: {name}.").format(
            name=html.quote(municipality.full_name(current_locale())) if municipality else "—"
        ),
        _("Role: {role}.").format(role=role_name(applicant.role)),
        _("Name: {name}.").format(name=html.quote(applicant.full_name or "")),
        _("Position: {position}.").format(position=html.quote(applicant.position or "")),
    ]
    if applicant.telegram_username:
        lines.append(f"Telegram: @{html.quote(applicant.telegram_username)}")
    return "\n".join(lines)
