"""The answer flow in Telegram: a head gives the municipality's opinion step by step, reviews it, and
submits it. The steps and their checks are ``bot.flows.answer``; the draft lives in ``answer_draft``.

A button press is one read (the draft with its consultation and the target check), at most one write,
and two Bot API calls: the press is answered and the same message edited in place. The FSM state
stays ``Answering.active`` for the whole answer: it only routes typed text, the step is the draft's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import StaleAction, stale_button
from bot.flows import Refused
from bot.flows import answer as flow_
from bot.flows.answer import AnswerFlow, Attach, Attachment, Input, Text, refusal_error
from bot.i18n import _, format_datetime
from bot.services import answers as service
from handlers.answers.render import more_parts, render, resume_offer, submitted
from handlers.callbacks import (
    AnswerAddAmendment,
    AnswerBack,
    AnswerContinue,
    AnswerImpact,
    AnswerMandate,
    AnswerMulti,
    AnswerNext,
    AnswerOption,
    AnswerRestart,
    AnswerService,
    AnswerSkip,
    AnswerStance,
    AnswerSubmit,
    ConsultationAction,
)
from handlers.filters import not_command
from handlers.states import Answering
from models import AnswerDraft, User
from models.consultations import Consultation

Pressed = Callable[[Any], Input]


def resumed(draft: AnswerDraft, consultation: Consultation) -> AnswerFlow:
    return AnswerFlow.resume(
        consultation.extra_questions, draft.step, draft.data, survey=consultation.is_survey
    )


async def remember(state: FSMContext, raw_state: str | None, consultation_id: int) -> None:
    """Route the user's next typed messages to this answer; written only when it changes.

    ``raw_state`` is the state aiogram's FSM middleware has already read for this update."""
    if raw_state != Answering.active.state or ((await state.get_data()).get("answer_cid") != consultation_id):
        await state.set_state(Answering.active)
        await state.set_data({"answer_cid": consultation_id})


async def pressed_draft(
    session: AsyncSession, user: User, cid: int, version: int, now: datetime
) -> tuple[AnswerDraft, Consultation]:
    """The draft a button was shown for, and its consultation if the user may still answer it."""
    draft, consultation = await service.draft_to_answer(session, user, cid, now)
    if draft is None:
        raise stale_button()
    if draft.version != version:
        raise StaleAction(flow_.EARLIER_STEP)
    return draft, consultation


async def show_in_place(
    query: CallbackQuery, flow: AnswerFlow, cid: int, version: int
) -> AnswerCallbackQuery:
    """Turn the press's message into the current step; the answer to the press is returned, to go
    back as the webhook response (aiogram sends it itself when polling)."""
    text, markup = render(flow, cid, version)
    await query.message.edit_text(text, reply_markup=markup)  # type: ignore[union-attr]
    return query.answer()


def create_router() -> Router:
    router = Router(name="answers")

    async def step(
        query: CallbackQuery,
        button: Any,
        given: Input,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        raw_state: str | None,
        clock: Clock,
    ) -> AnswerCallbackQuery:
        """One press in the flow: apply it to the draft, write the draft once, show the next step."""
        now = clock.now()
        draft, consultation = await pressed_draft(session, user, button.cid, button.v, now)
        flow = resumed(draft, consultation)
        outcome = flow.apply(draft.step, given)
        if isinstance(outcome, Refused):
            raise refusal_error(outcome)
        await service.save_draft(session, draft, flow.step, flow.draft.to_json(), now)
        await remember(state, raw_state, consultation.id)  # no write unless another answer was being typed
        return await show_in_place(query, flow, consultation.id, draft.version)

    def on(kind: Any, given: Pressed) -> None:
        async def handler(
            query: CallbackQuery,
            callback_data: Any,
            user: User,
            session: AsyncSession,
            state: FSMContext,
            raw_state: str | None,
            clock: Clock,
        ) -> AnswerCallbackQuery:
            return await step(
                query, callback_data, given(callback_data), user, session, state, raw_state, clock
            )

        handler.__doc__ = f"A press of {kind.__name__} in the answer flow."
        router.callback_query(kind.filter())(handler)

    # One handler per intent; each turns its typed button into the flow's input.
    on(AnswerStance, lambda b: flow_.Pick(b.stance))
    on(AnswerImpact, lambda b: flow_.Pick(b.impact))
    on(AnswerMandate, lambda b: flow_.Pick(b.yes))
    on(AnswerOption, lambda b: flow_.Pick(b.value))
    on(AnswerService, lambda b: flow_.Toggle(b.index))
    on(AnswerMulti, lambda b: flow_.Toggle(b.index))
    on(AnswerSkip, lambda b: flow_.Skip())
    on(AnswerNext, lambda b: flow_.Next())
    on(AnswerBack, lambda b: flow_.Back())
    on(AnswerAddAmendment, lambda b: flow_.AddAmendment())

    @router.callback_query(ConsultationAction.filter(F.action == "answer"))
    async def begin(
        query: CallbackQuery,
        callback_data: ConsultationAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        raw_state: str | None,
        clock: Clock,
        settings: Settings,
    ) -> AnswerCallbackQuery:
        """Start answering, or offer to continue an unfinished answer (under the card, which stays)."""
        draft, consultation = await service.draft_to_answer(session, user, callback_data.id, clock.now())
        await remember(state, raw_state, consultation.id)
        message: Message = query.message  # type: ignore[assignment]
        if draft is not None and draft.step != flow_.STANCE:
            text, markup = resume_offer(consultation.id, draft.version)
            await message.answer(text, reply_markup=markup)
            return query.answer()
        current = await service.current_answer(session, consultation.id, user.municipality_id)  # type: ignore[arg-type]
        draft = await service.start_draft(session, user, consultation.id, clock.now())
        text, markup = render(resumed(draft, consultation), consultation.id, draft.version)
        if current is not None:
            text = (
                _(
                    "Your municipality already answered on {date}. A new answer will replace it; "
                    "the earlier one stays in the history."
                ).format(date=format_datetime(current.submitted_at, settings.locale.zone))
                + "\n\n"
                + text
            )
        await message.answer(text, reply_markup=markup)
        return query.answer()

    @router.callback_query(AnswerContinue.filter())
    async def resume(
        query: CallbackQuery,
        callback_data: AnswerContinue,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        raw_state: str | None,
        clock: Clock,
    ) -> AnswerCallbackQuery:
        """Show the unfinished answer's step where it was left."""
        now = clock.now()
        draft, consultation = await pressed_draft(session, user, callback_data.cid, callback_data.v, now)
        await remember(state, raw_state, consultation.id)
        return await show_in_place(query, resumed(draft, consultation), consultation.id, draft.version)

    @router.callback_query(AnswerRestart.filter())
    async def restart(
        query: CallbackQuery,
        callback_data: AnswerRestart,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        raw_state: str | None,
        clock: Clock,
    ) -> AnswerCallbackQuery:
        """Throw the unfinished answer away and start from the first step."""
        now = clock.now()
        _draft, consultation = await pressed_draft(session, user, callback_data.cid, callback_data.v, now)
        draft = await service.start_draft(session, user, consultation.id, now)
        await remember(state, raw_state, consultation.id)
        return await show_in_place(query, resumed(draft, consultation), consultation.id, draft.version)

    @router.callback_query(AnswerSubmit.filter())
    async def submit(
        query: CallbackQuery,
        callback_data: AnswerSubmit,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> AnswerCallbackQuery:
        """Make the reviewed draft the municipality's answer; a repeated press is told it is done."""
        now = clock.now()
        draft, consultation = await service.draft_to_answer(session, user, callback_data.cid, now)
        if draft is None:  # the first press turned the draft into the answer
            raise service.already_sent()
        if draft.version != callback_data.v:
            raise StaleAction(flow_.EARLIER_STEP)
        if draft.step != flow_.REVIEW:
            raise stale_button()
        flow = resumed(draft, consultation)
        until = format_datetime(consultation.deadline, settings.locale.zone) if consultation.deadline else "—"
        answer = await service.submit(session, user, draft, now)
        await state.clear()
        await query.message.edit_text(submitted(flow, answer.version, until), reply_markup=None)  # type: ignore[union-attr]
        return query.answer()

    @router.message(StateFilter(Answering.active), not_command)
    async def typed(
        message: Message, user: User, session: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        """Text for the text steps, documents and photos for the attachments step: a new message."""
        cid = (await state.get_data()).get("answer_cid")
        if cid is None:
            raise stale_button()
        now = clock.now()
        draft, consultation = await service.draft_to_answer(session, user, cid, now)
        if draft is None:
            raise stale_button()
        given = _input(message)
        flow = resumed(draft, consultation)
        refused: Refused | None = None

        def change(current: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            # Applied again to a fresh read if another update of the user wrote the draft meanwhile.
            nonlocal flow, refused
            flow = AnswerFlow.resume(
                consultation.extra_questions, current, data, survey=consultation.is_survey
            )
            outcome = flow.apply(current, given)
            if isinstance(outcome, Refused) and flow.part is not service.Part.REFUSED:
                raise refusal_error(outcome)  # nothing is written
            refused = outcome if isinstance(outcome, Refused) else None
            return flow.step, flow.draft.to_json()

        await service.change_draft(session, draft, change, now)
        if refused is not None:  # an over-long paste: only the note that it was refused is kept
            raise refusal_error(refused)
        if flow.part is service.Part.IGNORED:  # the rest of a refused paste: already answered
            return
        if flow.part is service.Part.MORE:
            text, markup = more_parts(flow, consultation.id, draft.version)
        else:
            text, markup = render(flow, consultation.id, draft.version)
        await message.answer(text, reply_markup=markup)

    return router


def _input(message: Message) -> Input:
    """What the message gives the flow: a text, a document or photo, or something else."""
    if message.document is not None:
        document = message.document
        return Attach(Attachment(document.file_id, "document", document.file_name, document.file_size or 0))
    if message.photo:
        return Attach(Attachment(message.photo[-1].file_id, "photo"))
    if message.text is not None:
        return Text(message.text, message.date)
    return Attach(None)
