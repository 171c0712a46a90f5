"""The wizard's moves, shared by its handlers: load the draft and where the wizard stands, apply an input,
save what was accepted, and show the step it leads to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import UserFacingError, stale_button
from bot.flows import Outcome, Refused
from bot.flows.wizard import (
    ORDER,
    Draft,
    File,
    Input,
    Listed,
    Step,
    Text,
    Wizard,
    main_step,
    split_list,
)
from bot.i18n import current_locale
from bot.services import consultations as service
from handlers.consultation_wizard.views import reach_text, send_preview, step_view
from handlers.states import ConsultationWizard
from models import User
from models.consultations import Consultation

Move = Callable[[Wizard], Outcome]


def at(step: Step, value: Input) -> Move:
    """The move of a button: ``value`` given at ``step`` (the flow refuses it at any other step)."""
    return lambda wizard: wizard.apply(step, value)


async def load(
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
        data.get("question_text_ru"),
        data.get("question_options") or (),
    )
    return consultation, wizard, data


def wizard_position(consultation: Consultation, wizard: Wizard) -> dict[str, Any]:
    """What the FSM keeps: which draft, and where the wizard stands in it."""
    return {
        "consultation_id": consultation.id,
        "step": wizard.step.value,
        "question_text": wizard.question_text,
        "question_type": wizard.question_type.value if wizard.question_type else None,
        "question_text_ru": wizard.question_text_ru,
        "question_options": list(wizard.question_options),
    }


async def remember(state: FSMContext, consultation: Consultation, wizard: Wizard) -> None:
    await state.set_state(ConsultationWizard.step)
    await state.set_data(wizard_position(consultation, wizard))


async def settle(
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
    position = wizard_position(consultation, wizard)
    if position != stored:  # a tick changes the draft, not where the wizard stands
        await state.set_data(position)


async def show(
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


async def press(
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
    consultation, wizard, stored = await load(session, state, user, clock, settings)
    came_from = wizard.step
    await settle(session, state, stored, consultation, wizard, move(wizard))
    message: Message = query.message  # type: ignore[assignment]
    await show(
        message, session, consultation, wizard, settings,
        came_from=came_from, edit=True, page=page, query=query
    )


async def typed(message: Message, session: AsyncSession, step: Step) -> Input:
    """What the message gives the flow: a file, a looked-up list of municipalities, or text."""
    if message.document is not None:
        document = message.document
        return File(document.file_id, document.file_name, document.file_size)
    if step is Step.AUDIENCE_LIST:
        named = await service.municipalities_named(session, split_list(message.text), current_locale())
        ambiguous = tuple((a.item, a.choices) for a in named.ambiguous)
        return Listed(tuple(named.ids), tuple(named.unknown), ambiguous)
    return Text(message.text)

