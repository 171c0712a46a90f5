"""Sign-up of heads and deputies in the chat: each press or message goes through ``bot.flows.signup``.

The flow decides and checks; these handlers look up what a step needs in the registry, render the
step the flow moved to (editing the pressed message in place), and file the application at the end.
The invitation path (a link from a coordinator) is short and lives here too.
"""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.commands import register_user_commands
from bot.errors import InvalidInput, stale_button
from bot.flows import Moved, Refused
from bot.flows.signup import (
    PLACE_STEPS,
    Back,
    Input,
    PickDistrict,
    PickMunicipality,
    PickOblast,
    PickRole,
    Search,
    SignUpFlow,
    Step,
    Submit,
    TurnPage,
    Typed,
    normalize_search,
)
from bot.i18n import _, current_locale, error_text
from bot.services import invites, places, users
from bot.validation import clean_person_name
from handlers.callbacks import PickPlace, PlaceLevel, RoleChoice, SignUpAction, SignUpIntent
from handlers.filters import not_command
from handlers.states import InviteSignUp, SignUp
from handlers.texts import help_text
from handlers.views.places import oblast_contents
from handlers.views.signup import (
    load_flow,
    notify_staff_of_application,
    save_flow,
    start_sign_up,
    step_screen,
)
from models import User


def _accepted(outcome: Moved | Refused) -> None:
    """A refusal goes to the error handler, which shows it in the user's language; nothing was saved."""
    if isinstance(outcome, Refused):
        raise InvalidInput(outcome.key, **outcome.params)


async def _pressed(
    query: CallbackQuery, session: AsyncSession, state: FSMContext, flow: SignUpFlow, step: Step, given: Input
) -> None:
    """Apply a press, keep the draft, and show the next step in place of the pressed message."""
    _accepted(flow.apply(step, given))
    screen = await step_screen(session, flow.draft)
    await save_flow(state, flow)
    await screen.edit(query)


def create_router() -> Router:
    router = Router(name="signup")

    @router.callback_query(StateFilter(SignUp.active), PickPlace.filter(F.level == PlaceLevel.OBLAST))
    async def oblast_picked(
        query: CallbackQuery, callback_data: PickPlace, session: AsyncSession, state: FSMContext
    ) -> None:
        """An oblast: its districts and cities, or straight to the role for Bishkek and Osh."""
        flow = await load_flow(state)
        contents = await oblast_contents(session, callback_data.id)
        given = PickOblast(contents.oblast.id, bool(contents.districts), contents.sole_municipality_id)
        await _pressed(query, session, state, flow, Step.OBLAST, given)

    @router.callback_query(StateFilter(SignUp.active), PickPlace.filter(F.level == PlaceLevel.DISTRICT))
    async def district_picked(
        query: CallbackQuery, callback_data: PickPlace, session: AsyncSession, state: FSMContext
    ) -> None:
        """A district, or another page of the district's municipalities."""
        flow = await load_flow(state)
        paging = flow.step is Step.MUNICIPALITY and flow.draft.district_id == callback_data.id
        given = TurnPage(callback_data.page) if paging else PickDistrict(callback_data.id)
        await _pressed(query, session, state, flow, flow.step, given)

    @router.callback_query(StateFilter(SignUp.active), PickPlace.filter(F.level == PlaceLevel.SEARCH))
    async def search_page(
        query: CallbackQuery, callback_data: PickPlace, session: AsyncSession, state: FSMContext
    ) -> None:
        """Another page of the search results."""
        flow = await load_flow(state)
        await _pressed(query, session, state, flow, Step.MUNICIPALITY, TurnPage(callback_data.page))

    @router.callback_query(StateFilter(SignUp.active), PickPlace.filter(F.level == PlaceLevel.MUNICIPALITY))
    async def municipality_picked(
        query: CallbackQuery, callback_data: PickPlace, session: AsyncSession, state: FSMContext
    ) -> None:
        """The municipality: ask the role."""
        flow = await load_flow(state)
        await _pressed(query, session, state, flow, flow.step, PickMunicipality(callback_data.id))

    @router.callback_query(StateFilter(SignUp.active), RoleChoice.filter())
    async def role_picked(
        query: CallbackQuery, callback_data: RoleChoice, session: AsyncSession, state: FSMContext
    ) -> None:
        """The role: ask the name."""
        flow = await load_flow(state)
        await _pressed(query, session, state, flow, Step.ROLE, PickRole(callback_data.role))

    @router.callback_query(StateFilter(SignUp.active), SignUpAction.filter(F.action == SignUpIntent.BACK))
    async def back(
        query: CallbackQuery, callback_data: SignUpAction, session: AsyncSession, state: FSMContext
    ) -> None:
        """One step back; what was given there is kept."""
        flow = await load_flow(state)
        if callback_data.step is None:
            raise stale_button()
        await _pressed(query, session, state, flow, callback_data.step, Back())

    @router.message(StateFilter(SignUp.active), not_command)
    async def typed(message: Message, session: AsyncSession, state: FSMContext) -> None:
        """Text: part of a municipality's name at the place steps, else the name or the position."""
        flow = await load_flow(state)
        if flow.step in PLACE_STEPS:
            await _searched(message, session, state, flow)
            return
        _accepted(flow.apply(flow.step, Typed(message.text)))
        screen = await step_screen(session, flow.draft)
        await save_flow(state, flow)
        await screen.send(message)

    async def _searched(message: Message, session: AsyncSession, state: FSMContext, flow: SignUpFlow) -> None:
        text = normalize_search(message.text)
        if message.text is None:
            raise InvalidInput(_("Please choose with the buttons, or type part of the municipality's name."))
        results = await places.search_municipalities(session, text, 0, current_locale()) if text else None
        outcome = flow.apply(flow.step, Search(text, len(results.items) if results else 0))
        if isinstance(outcome, Refused):
            # The picker is now further up the chat: show the step again under the explanation.
            params = {key: html.quote(str(value)) for key, value in outcome.params.items()}
            await message.answer(error_text(InvalidInput(outcome.key, **params)))
            await (await step_screen(session, flow.draft)).send(message)
            return
        screen = await step_screen(session, flow.draft)
        await save_flow(state, flow)
        await screen.send(message)

    @router.callback_query(StateFilter(SignUp.active), SignUpAction.filter(F.action == SignUpIntent.SUBMIT))
    async def submit(
        query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext, bot: Bot, clock: Clock
    ) -> None:
        """File the application and tell every coordinator."""
        flow = await load_flow(state)
        _accepted(flow.apply(Step.CONFIRM, Submit()))
        applicant = await users.submit_application(session, user, flow.application(), clock.now())
        await state.clear()
        await query.answer()
        await query.message.edit_reply_markup(reply_markup=None)  # type: ignore[union-attr]
        await query.message.answer(  # type: ignore[union-attr]
            _(
                "Thank you! Your application has been sent to the association's coordinators. "
                "You will get a message here when they decide."
            )
        )
        await notify_staff_of_application(bot, session, applicant)

    @router.callback_query(StateFilter(SignUp.active), SignUpAction.filter(F.action == SignUpIntent.RESTART))
    async def restart(query: CallbackQuery, session: AsyncSession, state: FSMContext) -> None:
        """Throw the unsent application away and choose the municipality again."""
        flow = await load_flow(state)
        flow.restart()
        screen = await step_screen(session, flow.draft)
        await save_flow(state, flow)
        await screen.edit(query)

    @router.callback_query(SignUpAction.filter(F.action == SignUpIntent.REGISTER))
    async def register_instead(
        query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext
    ) -> None:
        """After a bad invitation link: register by choosing the municipality."""
        await state.clear()
        await query.answer()
        await start_sign_up(query.message, user, session, state)  # type: ignore[arg-type]

    @router.message(StateFilter(InviteSignUp.full_name), not_command)
    async def invite_name_given(message: Message, state: FSMContext) -> None:
        """Invitation path: keep the name, ask the position."""
        if message.text is None:
            raise InvalidInput(_("Please send this as a text message."))
        await state.update_data(full_name=clean_person_name(message.text))
        await state.set_state(InviteSignUp.position)
        await message.answer(_("Your position, e.g. «Head of the ayil okmotu» or «Chief specialist»."))

    @router.message(StateFilter(InviteSignUp.position), not_command)
    async def invite_position_given(
        message: Message, user: User, session: AsyncSession, state: FSMContext, clock: Clock, bot: Bot
    ) -> None:
        """Invitation path: use the invite; the user is registered at once."""
        if message.text is None:
            raise InvalidInput(_("Please send this as a text message."))
        data = await state.get_data()
        registered = await invites.redeem_invite(
            session,
            user,
            data.get("invite_code") or "",
            full_name=data.get("full_name", ""),
            position=message.text,
            now=clock.now(),
        )
        await state.clear()
        await message.answer(_("You are registered.") + "\n\n" + help_text(registered))
        await register_user_commands(bot, registered)

    return router
