"""The coordinator's wizard (/new, reopened from /drafts): a button or a message moves the flow.

The steps and their rules are ``bot.flows.wizard``; the draft is the consultation row, saved after every
accepted input, so nothing typed is lost; the FSM only remembers which draft and where the wizard stands.
A button press edits its message into the next step; typed input gets the next step as a new message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserFacingError, stale_button
from bot.flows import Moved, Outcome, Refused
from bot.flows.wizard import (
    ORDER,
    AddQuestion,
    ChooseAudience,
    ChooseQuestionType,
    DeadlineIn,
    Done,
    Draft,
    File,
    Input,
    InterBudget,
    Listed,
    Step,
    Text,
    ToggleKind,
    TogglePlace,
    ToggleTopic,
    Wizard,
    main_step,
    split_list,
)
from bot.i18n import _, current_locale
from bot.outbox import DeliverySender
from bot.services import consultations as service
from bot.services import deliveries
from bot.services.users import require_staff
from handlers.callbacks import (
    ConsultationAction,
    WizAddQuestion,
    WizAudience,
    WizBack,
    WizCancel,
    WizDeadline,
    WizInterBudget,
    WizKind,
    WizNext,
    WizPage,
    WizPlace,
    WizPublish,
    WizQuestionType,
    WizSkip,
    WizTopic,
)
from handlers.filters import not_command
from handlers.states import ConsultationWizard
from handlers.wizard_views import reach_text, send_preview, step_view
from models import User
from models.consultations import Consultation

Move = Callable[[Wizard], Outcome]


def _at(step: Step, value: Input) -> Move:
    """The move of a button: ``value`` given at ``step`` (the flow refuses it at any other step)."""
    return lambda wizard: wizard.apply(step, value)


async def _load(
    session: AsyncSession, state: FSMContext, user: User, clock: Clock, settings: Settings
) -> tuple[Consultation, Wizard, dict[str, Any]]:
    """The draft (refused unless the user may edit it), the wizard where it stands, the FSM data."""
    data = await state.get_data()
    if "consultation_id" not in data:
        raise stale_button()
    consultation = await service.get_draft(session, user, data["consultation_id"])
    wizard = Wizard.resume(
        Draft.from_row(consultation),
        data.get("step"),
        clock.now(),
        settings.locale.zone,
        data.get("question_text"),
        data.get("question_type"),
    )
    return consultation, wizard, data


def _position(consultation: Consultation, wizard: Wizard) -> dict[str, Any]:
    """What the FSM keeps: which draft, and where the wizard stands in it."""
    return {
        "consultation_id": consultation.id,
        "step": wizard.step.value,
        "question_text": wizard.question_text,
        "question_type": wizard.question_type.value if wizard.question_type else None,
    }


async def _remember(state: FSMContext, consultation: Consultation, wizard: Wizard) -> None:
    await state.set_state(ConsultationWizard.step)
    await state.set_data(_position(consultation, wizard))


async def _settle(
    session: AsyncSession,
    state: FSMContext,
    stored: dict[str, Any],
    consultation: Consultation,
    wizard: Wizard,
    outcome: Outcome,
) -> None:
    """A refusal is shown by the error handler, nothing changed; an accepted input is saved."""
    if isinstance(outcome, Refused):
        params = {k: html.quote(v) if isinstance(v, str) else v for k, v in outcome.params.items()}
        raise UserFacingError(outcome.key, **params)
    changes = wizard.changes()
    if changes:
        await service.save_fields(session, consultation, **changes)
    position = _position(consultation, wizard)
    if position != stored:  # a tick changes the draft, not where the wizard stands
        await state.set_data(position)


async def _show(
    message: Message,
    session: AsyncSession,
    consultation: Consultation,
    wizard: Wizard,
    settings: Settings,
    *,
    came_from: Step,
    edit: bool,
    page: int = 0,
    query: CallbackQuery | None = None,
) -> None:
    """The wizard's step: the pressed message edited into it, or a new message after typed input."""
    if wizard.step is Step.PREVIEW:
        if query is not None:
            await query.answer()
        await send_preview(message, session, consultation, settings.locale.zone, edit=edit)
        return
    text, markup = await step_view(session, wizard, page)
    audience = ORDER.index(Step.AUDIENCE)
    if main_step(came_from) is Step.AUDIENCE and ORDER.index(main_step(wizard.step)) > audience:
        text = await reach_text(session, wizard.draft) + "\n\n" + text  # the audience was just chosen
    if query is not None:
        await query.answer()
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


async def _press(
    query: CallbackQuery,
    session: AsyncSession,
    state: FSMContext,
    user: User,
    clock: Clock,
    settings: Settings,
    move: Move,
    page: int = 0,
) -> None:
    """A wizard button: move the flow, save, and edit the pressed message into the step it leads to."""
    consultation, wizard, stored = await _load(session, state, user, clock, settings)
    came_from = wizard.step
    await _settle(session, state, stored, consultation, wizard, move(wizard))
    message: Message = query.message  # type: ignore[assignment]
    await _show(
        message, session, consultation, wizard, settings,
        came_from=came_from, edit=True, page=page, query=query
    )


async def _typed(message: Message, session: AsyncSession, step: Step) -> Input:
    """What the message gives the flow: a file, a looked-up list of municipalities, or text."""
    if message.document is not None:
        document = message.document
        return File(document.file_id, document.file_name, document.file_size)
    if step is Step.AUDIENCE_LIST:
        ids, unknown = await service.municipalities_named(session, split_list(message.text))
        return Listed(tuple(ids), tuple(unknown))
    return Text(message.text)


def create_router() -> Router:
    router = Router(name="consultation_wizard")
    in_wizard = ConsultationWizard.step

    @router.message(Command("new"))
    async def new_consultation(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Start a new draft."""
        consultation = await service.create_draft(session, user, clock.now())
        wizard = Wizard.start(Draft.from_row(consultation), clock.now(), settings.locale.zone)
        await _remember(state, consultation, wizard)
        await message.answer(
            _(
                "A new consultation. Buttons under each step: «Back», «Skip», «Cancel». "
                "Everything is saved as you go."
            )
        )
        await _show(message, session, consultation, wizard, settings, came_from=wizard.step, edit=False)

    @router.callback_query(ConsultationAction.filter(F.action == "edit"))
    async def edit_draft(
        query: CallbackQuery,
        callback_data: ConsultationAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Reopen a saved draft (from /drafts) at its preview; «Back» walks through the steps."""
        consultation = await service.get_draft(session, user, callback_data.id)
        wizard = Wizard.resume(Draft.from_row(consultation), None, clock.now(), settings.locale.zone)
        await _remember(state, consultation, wizard)
        await query.answer()
        message: Message = query.message  # type: ignore[assignment]
        await send_preview(message, session, consultation, settings.locale.zone, edit=False)

    @router.message(in_wizard, not_command)
    async def field_given(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """A typed value (or the document) for the current step."""
        consultation, wizard, stored = await _load(session, state, user, clock, settings)
        came_from = wizard.step
        outcome = wizard.apply(came_from, await _typed(message, session, came_from))
        await _settle(session, state, stored, consultation, wizard, outcome)
        await _show(message, session, consultation, wizard, settings, came_from=came_from, edit=False)

    @router.callback_query(in_wizard, WizSkip.filter())
    async def skip(
        query: CallbackQuery,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Leave the field as it is and go on."""
        await _press(query, session, state, user, clock, settings, Wizard.skip)

    @router.callback_query(in_wizard, WizBack.filter())
    async def back(
        query: CallbackQuery,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """The previous step; its saved value is shown."""
        await _press(query, session, state, user, clock, settings, Wizard.back)

    @router.callback_query(in_wizard, WizNext.filter())
    async def next_step(
        query: CallbackQuery,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """«Next» after the topics or the questions, «Done» after choosing places."""
        await _press(query, session, state, user, clock, settings, lambda w: w.apply(w.step, Done()))

    @router.callback_query(in_wizard, WizTopic.filter())
    async def toggle_topic(
        query: CallbackQuery,
        callback_data: WizTopic,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Tick or untick a topic."""
        value = ToggleTopic(callback_data.topic)
        await _press(query, session, state, user, clock, settings, _at(Step.TOPICS, value))

    @router.callback_query(in_wizard, WizInterBudget.filter())
    async def inter_budget(
        query: CallbackQuery,
        callback_data: WizInterBudget,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Yes or no."""
        value = InterBudget(callback_data.yes)
        await _press(query, session, state, user, clock, settings, _at(Step.INTER_BUDGET, value))

    @router.callback_query(in_wizard, WizAudience.filter())
    async def audience_kind(
        query: CallbackQuery,
        callback_data: WizAudience,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Everyone goes on at once; the other kinds ask which ones."""
        value = ChooseAudience(callback_data.kind)
        await _press(query, session, state, user, clock, settings, _at(Step.AUDIENCE, value))

    @router.callback_query(in_wizard, WizPlace.filter())
    async def pick_place(
        query: CallbackQuery,
        callback_data: WizPlace,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Tick or untick one oblast, district or association."""
        value = TogglePlace(callback_data.id)
        move = _at(Step.AUDIENCE_PICK, value)
        await _press(query, session, state, user, clock, settings, move, page=callback_data.page)

    @router.callback_query(in_wizard, WizKind.filter())
    async def pick_kind(
        query: CallbackQuery,
        callback_data: WizKind,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Tick or untick a kind of municipality."""
        value = ToggleKind(callback_data.kind)
        await _press(query, session, state, user, clock, settings, _at(Step.AUDIENCE_PICK, value))

    @router.callback_query(in_wizard, WizPage.filter())
    async def turn_page(
        query: CallbackQuery,
        callback_data: WizPage,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Another page of oblasts, districts or associations."""

        def stay(wizard: Wizard) -> Outcome:
            if wizard.step is not Step.AUDIENCE_PICK:
                return Refused.from_error(stale_button())
            return Moved(wizard.step)

        await _press(query, session, state, user, clock, settings, stay, page=callback_data.page)

    @router.callback_query(in_wizard, WizDeadline.filter())
    async def quick_deadline(
        query: CallbackQuery,
        callback_data: WizDeadline,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """A deadline so many days from today."""
        value = DeadlineIn(callback_data.days.value)
        await _press(query, session, state, user, clock, settings, _at(Step.DEADLINE, value))

    @router.callback_query(in_wizard, WizAddQuestion.filter())
    async def add_question(
        query: CallbackQuery,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Ask for the text of a new extra question."""
        await _press(query, session, state, user, clock, settings, _at(Step.QUESTIONS, AddQuestion()))

    @router.callback_query(in_wizard, WizQuestionType.filter())
    async def question_type(
        query: CallbackQuery,
        callback_data: WizQuestionType,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """The kind of answer; lists then ask for their options."""
        value = ChooseQuestionType(callback_data.type)
        await _press(query, session, state, user, clock, settings, _at(Step.QUESTION_TYPE, value))

    @router.callback_query(WizCancel.filter())
    async def cancel(query: CallbackQuery, user: User, state: FSMContext) -> None:
        """Stop; the draft stays and can be found in /drafts."""
        require_staff(user)  # like every wizard button; /cancel works for anyone
        await state.clear()
        await query.answer()
        await query.message.edit_text(_("Stopped. The draft is saved; /drafts lists it."))  # type: ignore[union-attr]

    @router.callback_query(WizPublish.filter())
    async def publish(
        query: CallbackQuery,
        callback_data: WizPublish,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        """Send it to everyone in the audience; a repeated press is told it is already published."""
        # The button names its consultation, so that a press after the wizard ended can still be told
        # that it went out (get_draft says so) rather than that the button is stale.
        consultation = await service.get_draft(session, user, callback_data.id)
        data = await state.get_data()
        if (
            await state.get_state() != in_wizard.state
            or data.get("consultation_id") != consultation.id
            or data.get("step") != Step.PREVIEW.value
        ):
            raise stale_button()
        # Published first (compare-and-set in the service), so that only the press that published it
        # gets as far as the messages below.
        broadcast = await service.publish(session, user, consultation.id, clock.now())
        await state.clear()
        await query.answer()
        message: Message = query.message  # type: ignore[assignment]
        await message.edit_reply_markup(reply_markup=None)
        if broadcast.total == 0:
            await message.answer(_("Published, but nobody in this audience uses the bot yet."))
            return
        progress = await message.answer(_("Published. Sending…"))
        await deliveries.report_to(
            session, broadcast.id, progress.chat.id, progress.message_id, current_locale()
        )
        # From here on the sender keeps the progress message up to date; it may have sent some already.
        sender.touch(broadcast.id)

    return router
