"""The wizard's step buttons: each press moves the flow and edits its message into the next step."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import stale_button
from bot.flows import Moved, Outcome, Refused
from bot.flows.wizard import (
    AddQuestion,
    ChooseAudience,
    ChooseQuestionType,
    DeadlineIn,
    Done,
    InterBudget,
    Step,
    ToggleKind,
    TogglePlace,
    ToggleTopic,
    Wizard,
)
from handlers.callbacks import (
    WizAddQuestion,
    WizAudience,
    WizBack,
    WizDeadline,
    WizInterBudget,
    WizKind,
    WizNext,
    WizPage,
    WizPlace,
    WizQuestionType,
    WizSkip,
    WizTopic,
)
from handlers.consultation_wizard.moves import at, press
from handlers.states import ConsultationWizard
from models import User


def add_step_buttons(router: Router) -> None:
    """The buttons of the steps (skip, back, next, the choices), each for a wizard in progress."""
    in_wizard = StateFilter(ConsultationWizard.step)  # a bare State would be checked in a thread

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
        await press(query, session, state, user, clock, settings, Wizard.skip)

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
        await press(query, session, state, user, clock, settings, Wizard.back)

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
        await press(query, session, state, user, clock, settings, lambda w: w.apply(w.step, Done()))

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
        await press(query, session, state, user, clock, settings, at(Step.TOPICS, value))

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
        await press(query, session, state, user, clock, settings, at(Step.INTER_BUDGET, value))

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
        await press(query, session, state, user, clock, settings, at(Step.AUDIENCE, value))

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
        move = at(Step.AUDIENCE_PICK, value)
        await press(query, session, state, user, clock, settings, move, page=callback_data.page)

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
        await press(query, session, state, user, clock, settings, at(Step.AUDIENCE_PICK, value))

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

        await press(query, session, state, user, clock, settings, stay, page=callback_data.page)

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
        await press(query, session, state, user, clock, settings, at(Step.DEADLINE, value))

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
        await press(query, session, state, user, clock, settings, at(Step.QUESTIONS, AddQuestion()))

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
        await press(query, session, state, user, clock, settings, at(Step.QUESTION_TYPE, value))
