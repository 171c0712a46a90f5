"""/sittings (staff): record a committee sitting (committee, date and time, place, reading, speakers), and
after it the minutes (attended, the opinion voiced, entered in the minutes or not, the number, the
committee's decision), which tells the heads who answered."""

from __future__ import annotations

import re
from datetime import datetime, time

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import N_, InvalidInput, StaleAction, stale_button
from bot.i18n import _, current_locale, format_datetime
from bot.outbox import DeliverySender
from bot.services.procedures import sittings as service
from bot.validation import parse_day
from handlers.filters import not_command
from handlers.procedures.callbacks import (
    SittingAgenda,
    SittingAttended,
    SittingCommittee,
    SittingEntry,
    SittingMinutes,
    SittingReading,
    SittingScreen,
    SittingSkip,
    SittingStart,
)
from handlers.procedures.sitting_renderers import minutes_label, reading_label
from handlers.procedures.states import SittingInput
from handlers.procedures.views import consultations_to_choose
from handlers.views.screens import Button, keyboard, replace, send
from models import CommitteeSitting, Consultation, User
from models.procedures import MinutesEntry, Reading, SittingStatus


def parse_moment(text: str | None, settings: Settings) -> datetime:
    """«5.12.2026 10:00» in Bishkek."""
    parts = (text or "").strip().split()
    clock = re.fullmatch(r"(\d{1,2})[:.](\d{2})", parts[1]) if len(parts) == 2 else None
    if clock is None or not (0 <= int(clock[1]) < 24 and 0 <= int(clock[2]) < 60):
        raise InvalidInput(
            N_("Please write the date and time as day.month.year hours:minutes, e.g. 5.12.2026 10:00.")
        )
    day = parse_day(parts[0], settings.locale.zone).date()
    return datetime.combine(day, time(int(clock[1]), int(clock[2])), settings.locale.zone)


async def sittings_screen(
    session: AsyncSession, cid: int, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    consultation = await session.get(Consultation, cid)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    rows = list(
        await session.scalars(
            select(CommitteeSitting)
            .where(CommitteeSitting.consultation_id == cid)
            .order_by(CommitteeSitting.starts_at)
        )
    )
    lines = [
        _("<b>Committee sittings</b> on «{title}»").format(
            title=html.quote(consultation.title(current_locale())[0] or _("(untitled)"))
        )
    ]
    buttons: list[Button] = []
    for sitting in rows:
        when = format_datetime(sitting.starts_at, settings.locale.zone)
        where = f"{html.quote(sitting.committee)}, {html.quote(sitting.place)}"
        line = f"• {when}: {where} ({reading_label(sitting.reading)})"
        if sitting.status is SittingStatus.RECORDED and sitting.minutes is not None:
            line += " — " + minutes_label(sitting.minutes)
        else:
            if sitting.briefing_sent_at is None:
                buttons.append((_("📋 Agenda of {when}").format(when=when), SittingAgenda(sid=sitting.id)))
            buttons.append((_("📝 Minutes of {when}").format(when=when), SittingMinutes(sid=sitting.id)))
        lines.append(line)
    if not rows:
        lines.append(_("No sittings recorded yet."))
    buttons.append((_("➕ Record a sitting"), SittingStart(cid=cid)))
    return "\n".join(lines), keyboard(buttons)


def create_router() -> Router:
    router = Router(name="procedures.sittings")

    @router.message(Command("sittings"))
    async def choose(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """The consultations, to record a sitting on one."""
        await state.clear()
        items = await consultations_to_choose(message, user, session)
        if not items:
            return
        buttons: list[Button] = [
            ((c.title(current_locale())[0] or _("(untitled)"))[:60], SittingScreen(cid=c.id)) for c in items
        ]
        await message.answer(_("Committee sittings. Which consultation?"), reply_markup=keyboard(buttons))

    @router.callback_query(SittingScreen.filter())
    async def show(
        query: CallbackQuery, callback_data: SittingScreen, session: AsyncSession, settings: Settings
    ) -> None:
        """The sittings on the consultation."""
        await replace(query, *await sittings_screen(session, callback_data.cid, settings))

    @router.callback_query(SittingStart.filter())
    async def start(
        query: CallbackQuery, callback_data: SittingStart, session: AsyncSession, state: FSMContext
    ) -> None:
        """Which committee (the consultation's own is one press away)."""
        consultation = await session.get(Consultation, callback_data.cid)
        if consultation is None:
            raise stale_button()
        await state.set_state(SittingInput.committee)
        await state.set_data({"cid": consultation.id})
        buttons: list[Button] = []
        if consultation.committee:
            buttons.append((consultation.committee[:60], SittingCommittee(cid=consultation.id)))
        await send(query, _("Which committee holds the sitting?"), keyboard(buttons) if buttons else None)

    async def ask_moment(target: Message, state: FSMContext, committee: str) -> None:
        await state.update_data(committee=committee)
        await state.set_state(SittingInput.moment)
        await target.answer(_("Date and time of the sitting, e.g. 5.12.2026 10:00."))

    @router.callback_query(SittingCommittee.filter())
    async def own_committee(
        query: CallbackQuery, callback_data: SittingCommittee, session: AsyncSession, state: FSMContext
    ) -> None:
        """The consultation's committee."""
        consultation = await session.get(Consultation, callback_data.cid)
        if (
            consultation is None
            or not consultation.committee
            or (await state.get_data()).get("cid") != consultation.id
        ):
            raise stale_button()
        await query.answer()
        await ask_moment(query.message, state, consultation.committee)  # type: ignore[arg-type]

    @router.message(SittingInput.committee, not_command)
    async def typed_committee(message: Message, state: FSMContext) -> None:
        """The committee, typed."""
        await ask_moment(message, state, message.text or "")

    @router.message(SittingInput.moment, not_command)
    async def typed_moment(message: Message, state: FSMContext, settings: Settings, clock: Clock) -> None:
        """When; not in the past."""
        moment = parse_moment(message.text, settings)
        if moment <= clock.now():
            raise InvalidInput(N_("The sitting cannot be in the past."))
        await state.update_data(at=moment.isoformat())
        await state.set_state(SittingInput.place)
        await message.answer(_("Where? E.g. Jogorku Kenesh, room 410."))

    @router.message(SittingInput.place, not_command)
    async def typed_place(message: Message, state: FSMContext) -> None:
        """Where; then the reading."""
        data = await state.update_data(place=message.text or "")
        await state.set_state(None)
        buttons: list[Button] = [
            (reading_label(r), SittingReading(cid=int(data["cid"]), reading=r)) for r in Reading
        ]
        await message.answer(_("Which reading?"), reply_markup=keyboard(buttons))

    @router.callback_query(SittingReading.filter())
    async def reading(query: CallbackQuery, callback_data: SittingReading, state: FSMContext) -> None:
        """The reading; then who speaks."""
        data = await state.get_data()
        if data.get("cid") != callback_data.cid or not data.get("place"):
            raise stale_button()
        await state.update_data(reading=callback_data.reading.value)
        await state.set_state(SittingInput.speakers)
        await replace(
            query,
            _(
                "Who speaks for the association? Telegram ids or @usernames of registered users, "
                "separated by commas."
            ),
        )

    @router.message(SittingInput.speakers, not_command)
    async def typed_speakers(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The speakers: the sitting is recorded; they will get a briefing the day before."""
        data = await state.get_data()
        speakers = await service.find_speakers(
            session, [p for p in (message.text or "").split(",") if p.strip()]
        )
        cid = int(data["cid"])
        await service.schedule(
            session,
            user,
            cid,
            committee=data["committee"],
            starts_at=datetime.fromisoformat(data["at"]),
            place=data["place"],
            reading=Reading(data["reading"]),
            speakers=speakers,
            now=clock.now(),
        )
        await state.clear()
        text, markup = await sittings_screen(session, cid, settings)
        await message.answer(
            _("Recorded. The speakers get a briefing the day before.") + "\n\n" + text, reply_markup=markup
        )

    @router.callback_query(SittingMinutes.filter())
    async def minutes(
        query: CallbackQuery, callback_data: SittingMinutes, session: AsyncSession, clock: Clock
    ) -> None:
        """Did the association attend?"""
        sitting = await session.get(CommitteeSitting, callback_data.sid)
        if sitting is None or sitting.status is not SittingStatus.SCHEDULED:
            raise stale_button()
        if sitting.starts_at > clock.now():
            raise InvalidInput(N_("The sitting has not taken place yet."))
        sid = sitting.id
        buttons: list[Button] = [
            (_("Yes, we took part"), SittingAttended(sid=sid, attended=True)),
            (_("No, we did not"), SittingAttended(sid=sid, attended=False)),
        ]
        await send(query, _("Did the association take part in the sitting?"), keyboard(buttons))

    @router.callback_query(SittingAttended.filter())
    async def attended(query: CallbackQuery, callback_data: SittingAttended, state: FSMContext) -> None:
        """Then the opinion voiced."""
        await state.set_state(SittingInput.opinion)
        await state.set_data({"sid": callback_data.sid, "attended": callback_data.attended})
        await replace(
            query,
            _("The opinion the association voiced, in a few lines."),
            keyboard([(_("Skip"), SittingSkip(sid=callback_data.sid))]),
        )

    async def ask_entry(target: Message, state: FSMContext, sid: int) -> None:
        await state.set_state(None)
        buttons: list[Button] = [(minutes_label(e), SittingEntry(sid=sid, entry=e)) for e in MinutesEntry]
        await target.answer(
            _("Was the association's opinion entered in the minutes?"), reply_markup=keyboard(buttons)
        )

    @router.message(SittingInput.opinion, not_command)
    async def typed_opinion(message: Message, state: FSMContext) -> None:
        """The opinion; then the minutes."""
        data = await state.update_data(opinion=message.text)
        await ask_entry(message, state, int(data["sid"]))

    @router.callback_query(SittingEntry.filter())
    async def entry(query: CallbackQuery, callback_data: SittingEntry, state: FSMContext) -> None:
        """In the minutes or not; then the minutes' number."""
        if (await state.get_data()).get("sid") != callback_data.sid:
            raise stale_button()
        await state.update_data(entry=callback_data.entry.value)
        await state.set_state(SittingInput.number)
        await replace(
            query,
            _("The minutes' number, if known."),
            keyboard([(_("Skip"), SittingSkip(sid=callback_data.sid))]),
        )

    @router.message(SittingInput.number, not_command)
    async def typed_number(message: Message, state: FSMContext) -> None:
        """The number; then the decision."""
        await state.update_data(number=message.text)
        await state.set_state(SittingInput.decision)
        sid = int((await state.get_data())["sid"])
        await message.answer(
            _("The committee's decision, in a few lines."),
            reply_markup=keyboard([(_("Skip"), SittingSkip(sid=sid))]),
        )

    async def finish(
        target: Message,
        data: dict[str, object],
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        sid = int(data["sid"])  # type: ignore[call-overload]
        sitting = await session.get(CommitteeSitting, sid)
        if sitting is None:
            raise stale_button()
        cid = sitting.consultation_id
        told = await service.record_minutes(
            session,
            user,
            sid,
            attended=bool(data.get("attended")),
            opinion=data.get("opinion"),  # type: ignore[arg-type]
            minutes=MinutesEntry(str(data.get("entry") or MinutesEntry.NO.value)),
            minutes_number=data.get("number"),  # type: ignore[arg-type]
            decision=data.get("decision"),  # type: ignore[arg-type]
            now=clock.now(),
        )
        sender.wake()
        await state.clear()
        text, markup = await sittings_screen(session, cid, settings)
        notice = _("Recorded. Heads told: {count}.").format(count=told)
        await target.answer(notice + "\n\n" + text, reply_markup=markup)

    @router.message(SittingInput.decision, not_command)
    async def typed_decision(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        """The decision: the minutes are on record and the heads told."""
        data = await state.update_data(decision=message.text)
        await finish(message, data, user, session, state, settings, clock, sender)

    @router.callback_query(SittingSkip.filter())
    async def skip(
        query: CallbackQuery,
        callback_data: SittingSkip,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        """Nothing to write for this one."""
        data = await state.get_data()
        current = await state.get_state()
        if data.get("sid") != callback_data.sid:
            raise stale_button()
        await query.answer()
        target: Message = query.message  # type: ignore[assignment]
        if current == SittingInput.opinion.state:
            await ask_entry(target, state, callback_data.sid)
        elif current == SittingInput.number.state:
            await state.set_state(SittingInput.decision)
            await target.answer(
                _("The committee's decision, in a few lines."),
                reply_markup=keyboard([(_("Skip"), SittingSkip(sid=callback_data.sid))]),
            )
        elif current == SittingInput.decision.state:
            await finish(target, data, user, session, state, settings, clock, sender)
        else:
            raise stale_button()

    return router
