"""Recording the outcome: what became of the act, what was done where no agreement was reached, a note,
and the final «record», which tells every municipality that answered."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import stale_button
from bot.i18n import _, current_locale, format_number
from bot.labels import act_fate_label, route_label
from bot.outbox import DeliverySender
from bot.services import positions as service
from handlers.callbacks import (
    OutcomeFate,
    OutcomeFates,
    OutcomeNote,
    OutcomeRecord,
    OutcomeRoute,
    OutcomeRoutes,
    OutcomeScreen,
    ProposalList,
)
from handlers.filters import not_command
from handlers.positions.views import back_to_position
from handlers.states import PositionInput
from handlers.texts import fit_message
from handlers.views.screens import keyboard, replace
from models import ActFate, NoAgreementRoute, User
from models.consultations import ConsultationStatus


async def outcome_screen(session: AsyncSession, cid: int) -> tuple[str, InlineKeyboardMarkup]:
    """What is recorded of the outcome so far, and the buttons to record the rest."""
    consultation, position = await service.get_position(session, cid)
    if consultation.status is not ConsultationStatus.SUBMITTED:
        raise stale_button()
    groups = await service.proposal_groups(session, cid, current_locale())
    records = await service.group_records(session, cid)
    decided = sum(1 for g in groups if g.key in records and records[g.key].decision is not None)
    lines = [
        _("<b>The outcome</b>"),
        _("Fate of the act: {fate}.").format(
            fate=act_fate_label(position.act_fate) if position.act_fate else _("not entered yet")
        ),
        _("Where no agreement was reached: {route}.").format(
            route=route_label(position.no_agreement_route or NoAgreementRoute.NONE)
        ),
        _("Proposals decided: {decided} of {total}.").format(decided=decided, total=len(groups)),
    ]
    if position.outcome_note:
        lines.append(html.quote(position.outcome_note))
    buttons = [
        (_("📋 Decisions on the proposals"), ProposalList(cid=cid)),
        (_("📜 Fate of the act"), OutcomeFates(cid=cid)),
        (_("⚖ No agreement: protocol or appeal"), OutcomeRoutes(cid=cid)),
        (_("📝 A note on the outcome"), OutcomeNote(cid=cid)),
        (_("✅ Record and tell the municipalities"), OutcomeRecord(cid=cid)),
        back_to_position(cid),
    ]
    return fit_message("\n".join(lines)), keyboard(buttons)


def create_router() -> Router:
    router = Router(name="positions.outcome")

    @router.callback_query(OutcomeScreen.filter())
    async def show(query: CallbackQuery, callback_data: OutcomeScreen, session: AsyncSession) -> None:
        """The outcome so far."""
        await replace(query, *await outcome_screen(session, callback_data.cid))

    @router.callback_query(OutcomeFates.filter())
    async def fates(query: CallbackQuery, callback_data: OutcomeFates) -> None:
        """The choice of what became of the act."""
        cid = callback_data.cid
        buttons = [(act_fate_label(fate), OutcomeFate(cid=cid, fate=fate)) for fate in ActFate]
        await replace(query, _("What became of the act?"), keyboard(buttons))

    @router.callback_query(OutcomeFate.filter())
    async def set_fate(
        query: CallbackQuery, callback_data: OutcomeFate, user: User, session: AsyncSession
    ) -> None:
        """Save what became of the act, and show the outcome again."""
        await service.set_outcome(session, user, callback_data.cid, act_fate=callback_data.fate)
        await replace(query, *await outcome_screen(session, callback_data.cid), notice=_("Saved."))

    @router.callback_query(OutcomeRoutes.filter())
    async def routes(query: CallbackQuery, callback_data: OutcomeRoutes) -> None:
        """The choice of what was done where no agreement was reached."""
        cid = callback_data.cid
        buttons = [(route_label(route), OutcomeRoute(cid=cid, route=route)) for route in NoAgreementRoute]
        await replace(
            query,
            _("Where the decision and the association's position did not meet, what was done?"),
            keyboard(buttons),
        )

    @router.callback_query(OutcomeRoute.filter())
    async def set_route(
        query: CallbackQuery, callback_data: OutcomeRoute, user: User, session: AsyncSession
    ) -> None:
        """Save the no-agreement route, and show the outcome again."""
        await service.set_outcome(session, user, callback_data.cid, route=callback_data.route)
        await replace(query, *await outcome_screen(session, callback_data.cid), notice=_("Saved."))

    @router.callback_query(OutcomeNote.filter())
    async def note(
        query: CallbackQuery, callback_data: OutcomeNote, session: AsyncSession, state: FSMContext
    ) -> None:
        """Ask for a short note on the outcome."""
        await service.get_position(session, callback_data.cid)
        await state.set_state(PositionInput.note)
        await state.set_data({"cid": callback_data.cid})
        await replace(
            query,
            _("Send a short note on the outcome: e.g. the number and date of the decision, or the appeal."),
        )

    @router.message(StateFilter(PositionInput.note), not_command)
    async def typed_note(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """The note on the outcome, typed."""
        cid = int((await state.get_data())["cid"])
        await service.set_outcome(session, user, cid, note=message.text)
        await state.clear()
        await message.answer(_("Saved."))
        text, markup = await outcome_screen(session, cid)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(OutcomeRecord.filter())
    async def record(
        query: CallbackQuery,
        callback_data: OutcomeRecord,
        user: User,
        session: AsyncSession,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        """The outcome is final: every municipality that answered is told its part, through the outbox."""
        count = await service.record_outcome(session, user, callback_data.cid, clock.now())
        sender.wake()
        text = _(
            "The outcome is recorded. {count} people of the municipalities that answered will be told."
        ).format(count=format_number(count))
        await replace(query, text, keyboard([back_to_position(callback_data.cid)]))

    return router
