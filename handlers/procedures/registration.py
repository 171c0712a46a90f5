"""/approval: the consultations, each with its approval request; marking one as a request (the body,
its letter's number and date, the term in calendar or working days), and the request's screen."""

from __future__ import annotations

from datetime import date

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import N_, AlreadyDone, InvalidInput, StaleAction, stale_button
from bot.i18n import _, current_locale
from bot.presentation.procedure_labels import body_kind_label, term_unit_label
from bot.services.procedures import approval
from bot.services.procedures.calendar import load_calendar
from bot.validation import parse_day
from handlers.filters import not_command
from handlers.procedures.callbacks import ApprovalBody, ApprovalScreen, ApprovalStart, ApprovalTermUnit
from handlers.procedures.states import ApprovalInput
from handlers.procedures.views import approval_screen, consultations_to_choose
from handlers.views.screens import Button, keyboard, replace
from models import ApprovalRequest, Consultation, User
from models.procedures import StateBodyKind, TermUnit


async def _consultation(session: AsyncSession, cid: int) -> Consultation:
    consultation = await session.get(Consultation, cid)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    return consultation


def parse_days(text: str | None) -> int:
    value = (text or "").strip()
    if not value.isdigit():
        raise InvalidInput(N_("Please write the number of days in digits, e.g. 15."))
    return approval.check_term_days(int(value))


def create_router() -> Router:
    router = Router(name="procedures.registration")

    @router.message(Command("approval"))
    async def choose(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """The consultations; those that are approval requests are marked 🏛."""
        await state.clear()
        items = await consultations_to_choose(message, user, session)
        if not items:
            return
        marked = set(
            await session.scalars(
                select(ApprovalRequest.consultation_id).where(
                    ApprovalRequest.consultation_id.in_([c.id for c in items])
                )
            )
        )
        buttons: list[Button] = [
            (
                ("🏛 " if c.id in marked else "") + (c.title(current_locale())[0] or _("(untitled)"))[:60],
                ApprovalScreen(cid=c.id),
            )
            for c in items
        ]
        await message.answer(
            _("Approval requests from state bodies. Which consultation? (🏛: already a request)"),
            reply_markup=keyboard(buttons),
        )

    @router.callback_query(ApprovalScreen.filter())
    async def show(
        query: CallbackQuery,
        callback_data: ApprovalScreen,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The approval request's screen, or the offer to mark the consultation as one."""
        consultation = await _consultation(session, callback_data.cid)
        if await approval.find_approval(session, consultation.id) is None:
            title = consultation.title(current_locale())[0] or _("(untitled)")
            await replace(
                query,
                _(
                    "«{title}» is not an approval request. "
                    "Did a state body ask the association to approve it?"
                ).format(title=html.quote(title)),
                keyboard([(_("🏛 Mark as an approval request"), ApprovalStart(cid=consultation.id))]),
            )
            return
        await replace(query, *await approval_screen(session, consultation.id, settings, clock.now()))

    @router.callback_query(ApprovalStart.filter())
    async def start(query: CallbackQuery, callback_data: ApprovalStart, session: AsyncSession) -> None:
        """Who asks: the kind of state body."""
        cid = (await _consultation(session, callback_data.cid)).id
        if await approval.find_approval(session, cid) is not None:
            raise AlreadyDone(N_("This consultation is already an approval request."))
        buttons: list[Button] = [
            (body_kind_label(kind), ApprovalBody(cid=cid, kind=kind)) for kind in StateBodyKind
        ]
        await replace(query, _("Which state body asks for the approval?"), keyboard(buttons))

    @router.callback_query(ApprovalBody.filter())
    async def body(
        query: CallbackQuery, callback_data: ApprovalBody, session: AsyncSession, state: FSMContext
    ) -> None:
        """The kind is chosen; now its name."""
        cid = (await _consultation(session, callback_data.cid)).id
        await state.set_state(ApprovalInput.body_name)
        await state.set_data({"cid": cid, "kind": callback_data.kind.value})
        await replace(
            query,
            _("The body's name as it signs its letters, e.g. «Министерство финансов Кыргызской Республики»."),
        )

    @router.message(ApprovalInput.body_name, not_command)
    async def typed_body(message: Message, state: FSMContext) -> None:
        """The body's name; now the number of its letter."""
        await state.update_data(body=approval.clean_body_name(message.text))
        await state.set_state(ApprovalInput.incoming_number)
        await message.answer(_("The number of the incoming letter, e.g. 01-2/345."))

    @router.message(ApprovalInput.incoming_number, not_command)
    async def typed_number(message: Message, state: FSMContext) -> None:
        """The letter's number; now its date."""
        await state.update_data(number=approval.clean_letter_number(message.text))
        await state.set_state(ApprovalInput.incoming_date)
        await message.answer(_("The date of the incoming letter: day.month.year, e.g. 5.12.2026."))

    @router.message(ApprovalInput.incoming_date, not_command)
    async def typed_date(message: Message, state: FSMContext, settings: Settings, clock: Clock) -> None:
        """The letter's date (not in the future); now the kind of days the term counts."""
        zone = settings.locale.zone
        day = approval.check_past_date(
            parse_day(message.text, zone).date(), approval.today_in(clock.now(), zone)
        )
        data = await state.update_data(date=day.isoformat())
        await state.set_state(None)  # the next step is a button; the values stay in the data
        buttons: list[Button] = [
            (term_unit_label(unit), ApprovalTermUnit(cid=int(data["cid"]), unit=unit)) for unit in TermUnit
        ]
        await message.answer(
            _("Is the term for the answer in calendar or in working days?"), reply_markup=keyboard(buttons)
        )

    @router.callback_query(ApprovalTermUnit.filter())
    async def unit(query: CallbackQuery, callback_data: ApprovalTermUnit, state: FSMContext) -> None:
        """The unit is chosen; now the number of days."""
        data = await state.get_data()
        if data.get("cid") != callback_data.cid or not data.get("date"):
            raise stale_button()
        await state.update_data(unit=callback_data.unit.value)
        await state.set_state(ApprovalInput.term_days)
        await replace(
            query,
            _("How many {unit} does the state body give for the answer? Write a number, e.g. 15.").format(
                unit=term_unit_label(callback_data.unit)
            ),
        )

    @router.message(ApprovalInput.term_days, not_command)
    async def typed_days(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The term: the request is registered with its terms, and its screen shown."""
        data = await state.get_data()
        cid = int(data["cid"])
        await approval.register(
            session,
            user,
            cid,
            body_kind=StateBodyKind(data["kind"]),
            body_name=data["body"],
            incoming_number=data["number"],
            incoming_date=date.fromisoformat(data["date"]),
            term_days=parse_days(message.text),
            term_unit=TermUnit(data["unit"]),
            calendar=await load_calendar(session),
            margin=settings.procedures.approval_margin_days,
            now=clock.now(),
            zone=settings.locale.zone,
        )
        await state.clear()
        text, markup = await approval_screen(session, cid, settings, clock.now())
        await message.answer(_("Registered.") + "\n\n" + text, reply_markup=markup)

    return router
