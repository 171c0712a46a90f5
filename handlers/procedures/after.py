"""After the answer: the state body's reaction to the remarks, a conciliation meeting, an appeal and its
result, the act adopted without approval; and «Today» for whichever date is being asked."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import stale_button
from bot.i18n import _
from bot.services.procedures import after_answer, approval
from bot.validation import parse_day
from handlers.filters import not_command
from handlers.procedures.callbacks import (
    ApprovalAppeal,
    ApprovalAppealResult,
    ApprovalConciliation,
    ApprovalReaction,
    ApprovalToday,
    ApprovalWithout,
)
from handlers.procedures.letter import letter_screen
from handlers.procedures.states import ApprovalInput
from handlers.procedures.views import approval_screen
from handlers.views.screens import keyboard, replace, send
from models import User
from models.procedures import ApprovalStatus, ConciliationResult

S = ApprovalStatus


async def _record_date(
    state_name: str | None,
    data: dict[str, object],
    day: date,
    user: User,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
) -> bool:
    """Record the step waiting for ``day``; False for the letter's date (its own screen follows)."""
    cid, zone, now = int(data["cid"]), settings.locale.zone, clock.now()  # type: ignore[call-overload]
    if state_name == ApprovalInput.letter.state:
        await approval.set_letter(session, user, cid, now, zone, outgoing_date=day)
        return False
    if state_name == ApprovalInput.conciliation_date.state:
        result = ConciliationResult(str(data["result"]))
        await after_answer.record_conciliation(session, user, cid, day, result, now, zone)
    elif state_name == ApprovalInput.appeal_date.state:
        await after_answer.file_appeal(session, user, cid, str(data["to"]), day, now, zone)
    elif state_name == ApprovalInput.adopted_date.state:
        await after_answer.record_adopted_without_approval(session, user, cid, day, now, zone)
    else:
        raise stale_button()
    return True


def _date_prompt(cid: int) -> tuple[str, InlineKeyboardMarkup]:
    return (
        _("On which day? Write day.month.year, e.g. 5.12.2026."),
        keyboard([(_("Today"), ApprovalToday(cid=cid))]),
    )


async def _ask_day(
    query: CallbackQuery, state: FSMContext, step: State, data: dict[str, Any], question: str
) -> None:
    """Wait for the day of ``step`` (typed, or «Today»), asking ``question`` first."""
    await state.set_state(step)
    await state.set_data(data)
    text, markup = _date_prompt(data["cid"])
    await send(query, question + "\n" + text, markup)


async def _recorded(
    query: CallbackQuery, session: AsyncSession, cid: int, settings: Settings, clock: Clock
) -> None:
    """The approval screen again, in place, after a step was recorded."""
    await replace(query, *await approval_screen(session, cid, settings, clock.now()), notice=_("Recorded."))


def create_router() -> Router:
    router = Router(name="procedures.after")

    @router.callback_query(ApprovalReaction.filter())
    async def reaction(
        query: CallbackQuery,
        callback_data: ApprovalReaction,
        user: User,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """Which of the association's remarks the state body accepted."""
        cid = callback_data.cid
        await after_answer.record_remarks_accepted(session, user, cid, callback_data.accepted, clock.now())
        await _recorded(query, session, cid, settings, clock)

    @router.callback_query(ApprovalConciliation.filter())
    async def conciliation(
        query: CallbackQuery, callback_data: ApprovalConciliation, session: AsyncSession, state: FSMContext
    ) -> None:
        """A conciliation meeting with this result: its date next."""
        cid = callback_data.cid
        _consultation, request = await approval.get_approval(session, cid)
        if request.status not in (S.ANSWERED, S.REACTED) or not after_answer.refused(request):
            raise stale_button()
        data = {"cid": cid, "result": callback_data.result.value}
        question = _("When was the conciliation meeting held?")
        await _ask_day(query, state, ApprovalInput.conciliation_date, data, question)

    @router.callback_query(ApprovalAppeal.filter())
    async def appeal(
        query: CallbackQuery, callback_data: ApprovalAppeal, session: AsyncSession, state: FSMContext
    ) -> None:
        """An appeal: to whom first, then the day."""
        cid = callback_data.cid
        _consultation, request = await approval.get_approval(session, cid)
        if request.status not in (S.ANSWERED, S.REACTED, S.CONCILIATION) or not after_answer.refused(request):
            raise stale_button()
        await state.set_state(ApprovalInput.appeal_to)
        await state.set_data({"cid": cid})
        await send(query, _("To whom was the appeal filed? E.g. the Jogorku Kenesh, a court."))

    @router.message(ApprovalInput.appeal_to, not_command)
    async def typed_appeal_to(message: Message, state: FSMContext) -> None:
        """The appeal's addressee; now its day."""
        data = await state.update_data(to=approval.clean_body_name(message.text))
        await state.set_state(ApprovalInput.appeal_date)
        text, markup = _date_prompt(int(data["cid"]))
        await message.answer(text, reply_markup=markup)

    @router.callback_query(ApprovalAppealResult.filter())
    async def appeal_result(
        query: CallbackQuery,
        callback_data: ApprovalAppealResult,
        user: User,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """What the appeal came to."""
        cid = callback_data.cid
        await after_answer.record_appeal_result(session, user, cid, callback_data.result, clock.now())
        await _recorded(query, session, cid, settings, clock)

    @router.callback_query(ApprovalWithout.filter())
    async def without(
        query: CallbackQuery, callback_data: ApprovalWithout, session: AsyncSession, state: FSMContext
    ) -> None:
        """The act was adopted without approval: its day next."""
        cid = callback_data.cid
        _consultation, request = await approval.get_approval(session, cid)
        if request.status is S.ADOPTED_WITHOUT_APPROVAL or after_answer.approval_obtained(request):
            raise stale_button()
        question = _("When was the act adopted without the association's approval?")
        await _ask_day(query, state, ApprovalInput.adopted_date, {"cid": cid}, question)

    @router.message(ApprovalInput.conciliation_date, not_command)
    @router.message(ApprovalInput.appeal_date, not_command)
    @router.message(ApprovalInput.adopted_date, not_command)
    async def typed_day(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The day of the meeting, the appeal or the adoption, typed: the step is recorded."""
        data = await state.get_data()
        day = parse_day(message.text, settings.locale.zone).date()
        await _record_date(await state.get_state(), data, day, user, session, settings, clock)
        await state.clear()
        text, markup = await approval_screen(session, int(data["cid"]), settings, clock.now())
        await message.answer(text, reply_markup=markup)

    @router.callback_query(ApprovalToday.filter())
    async def today(
        query: CallbackQuery,
        callback_data: ApprovalToday,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """«Today» for the date being asked."""
        data = await state.get_data()
        if data.get("cid") != callback_data.cid:
            raise stale_button()
        state_name = await state.get_state()
        if state_name == ApprovalInput.letter.state and data.get("field") != "date":
            raise stale_button()
        day = approval.today_in(clock.now(), settings.locale.zone)
        screen_is_approval = await _record_date(state_name, data, day, user, session, settings, clock)
        await state.clear()
        cid = callback_data.cid
        if screen_is_approval:
            await replace(query, *await approval_screen(session, cid, settings, clock.now()))
        else:
            await replace(query, *await letter_screen(session, cid))

    return router
