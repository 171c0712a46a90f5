"""The sign-up as the chat shows it: the entry at /start, one screen per step, the application card."""

from __future__ import annotations

import logging

from aiogram import Bot, html
from aiogram.exceptions import TelegramAPIError
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import StaleAction
from bot.flows.signup import ApplicantRole, SignUpDraft, SignUpFlow, Step
from bot.i18n import _, current_locale, error_text, use_locale
from bot.services import application_copies, invites, users
from handlers.callbacks import RoleChoice, SignUpAction, SignUpIntent
from handlers.keyboards import back_button, decision_keyboard
from handlers.states import InviteSignUp, SignUp
from handlers.texts import help_text, role_name
from handlers.views.places import (
    Screen,
    district_screen,
    oblast_contents,
    oblast_screen,
    oblasts_screen,
    search_screen,
)
from models import Municipality, Role, User, UserStatus

log = logging.getLogger(__name__)

DRAFT_KEY = "signup"


async def load_flow(state: FSMContext) -> SignUpFlow:
    """The sign-up draft kept in the dialogue storage (database or Redis), so it survives restarts."""
    return SignUpFlow(SignUpDraft.load((await state.get_data()).get(DRAFT_KEY)))


async def save_flow(state: FSMContext, flow: SignUpFlow) -> None:
    await state.set_state(SignUp.active)
    await state.set_data({DRAFT_KEY: flow.draft.dump()})


def _back(step: Step) -> SignUpAction:
    return SignUpAction(action=SignUpIntent.BACK, step=step)


async def _municipality(session: AsyncSession, municipality_id: int | None) -> Municipality:
    municipality = await session.get(Municipality, municipality_id) if municipality_id else None
    if municipality is None:
        raise StaleAction(_("This municipality is no longer in the registry. Please choose again."))
    return municipality


async def step_screen(session: AsyncSession, draft: SignUpDraft) -> Screen:
    """What the person sees at the draft's step."""
    step = draft.step
    if step is Step.DISTRICT and draft.oblast_id is not None:
        return oblast_screen(await oblast_contents(session, draft.oblast_id), _back(step))
    if step is Step.MUNICIPALITY and draft.search:
        return await search_screen(session, draft.search, draft.page, _back(step))
    if step is Step.MUNICIPALITY and draft.district_id is not None:
        return await district_screen(session, draft.district_id, draft.page, _back(step))
    if step is Step.ROLE:
        municipality = await _municipality(session, draft.municipality_id)
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("I am the head (ayil okmotu head or mayor)"),
            callback_data=RoleChoice(role=ApplicantRole.HEAD),
        )
        builder.button(
            text=_("I am a staff member (deputy)"), callback_data=RoleChoice(role=ApplicantRole.DEPUTY)
        )
        builder.adjust(1)
        builder.attach(back_button(_back(step)))
        name = html.quote(municipality.full_name(current_locale()))
        return Screen(
            _("Municipality: {name}.").format(name=name) + "\n\n" + _("Who are you there?"),
            builder.as_markup(),
        )
    if step is Step.FULL_NAME:
        return Screen(
            _("Please write your full name (surname, name, patronymic)."),
            back_button(_back(step)).as_markup(),
        )
    if step is Step.POSITION:
        return Screen(
            _("Your position, e.g. «Head of the ayil okmotu» or «Chief specialist»."),
            back_button(_back(step)).as_markup(),
        )
    if step is Step.CONFIRM:
        return await _confirm_screen(session, draft)
    return await oblasts_screen(session)


async def _confirm_screen(session: AsyncSession, draft: SignUpDraft) -> Screen:
    municipality = await _municipality(session, draft.municipality_id)
    text = "\n".join(
        [
            _("Please check your application:"),
            _("Municipality: {name}.").format(name=html.quote(municipality.full_name(current_locale()))),
            _("Role: {role}.").format(role=role_name(draft.role.role if draft.role else Role.NONE)),
            _("Name: {name}.").format(name=html.quote(draft.full_name or "")),
            _("Position: {position}.").format(position=html.quote(draft.position or "")),
        ]
    )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("Send the application"),
        callback_data=SignUpAction(action=SignUpIntent.SUBMIT, step=Step.CONFIRM),
    )
    builder.button(text=_("« Back"), callback_data=_back(Step.CONFIRM))
    builder.button(text=_("Start over"), callback_data=SignUpAction(action=SignUpIntent.RESTART))
    builder.adjust(1)
    return Screen(text, builder.as_markup())


async def begin_sign_up(
    message: Message,
    user: User,
    session: AsyncSession,
    state: FSMContext,
    clock: Clock,
    invite_code: str | None,
    *,
    first_time: bool = False,
) -> None:
    """After the language is known: follow an invitation, resume an unsent application, or say where
    the user stands (``first_time``: right after the very first /start chose the language)."""
    await users.with_municipality(session, user)  # the texts below name it
    if invite_code:
        await state.clear()
        try:
            invite = await invites.find_usable_invite(session, invite_code, clock.now())
        except StaleAction as refusal:
            builder = InlineKeyboardBuilder()
            builder.button(
                text=_("Register by choosing my municipality"),
                callback_data=SignUpAction(action=SignUpIntent.REGISTER),
            )
            await message.answer(error_text(refusal), reply_markup=builder.as_markup())
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
        await state.clear()
        # An admin of ADMIN_IDS is active from the first /start: greet, do not welcome back.
        greeting = _("Welcome to Pikir!") if first_time else _("Welcome back!")
        await message.answer(greeting + "\n\n" + help_text(user))
        return
    if user.status is UserStatus.PENDING and user.municipality is not None:
        await state.clear()
        await message.answer(
            _(
                "Your application for {municipality} is waiting for a coordinator's decision. "
                "You will get a message here."
            ).format(municipality=html.quote(user.municipality.full_name(current_locale())))
        )
        return
    if await state.get_state() == SignUp.active.state:
        flow = await load_flow(state)
        if flow.resume().step not in (Step.LANGUAGE, Step.DONE):
            await save_flow(state, flow)
            await message.answer(_("Your application is not sent yet; let's go on where you stopped."))
            await (await step_screen(session, flow.draft)).send(message)
            return
    await start_sign_up(message, user, session, state)


async def start_sign_up(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
    """A fresh application: the introduction and the oblasts."""
    flow = SignUpFlow.begin(user.language or current_locale())
    screen = await step_screen(session, flow.draft)
    await save_flow(state, flow)
    await message.answer(
        _(
            "Pikir collects the opinions of local self-government bodies on draft laws. "
            "Let's register you: first, your municipality."
        )
    )
    await screen.send(message)


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
                sent = await bot.send_message(
                    staff.telegram_id, text, reply_markup=decision_keyboard(applicant.id)
                )
            except TelegramAPIError as error:  # one unreachable coordinator must not stop the others
                log.warning("could not notify coordinator %s: %s", staff.telegram_id, error)
                continue
        await application_copies.remember(session, applicant.id, staff.id, sent.chat.id, sent.message_id)


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
