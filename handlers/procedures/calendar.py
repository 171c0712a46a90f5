"""/calendar (administrators): the days the Cabinet of Ministers moved by decree, on top of Kyrgyzstan's
public holidays, which the working-day terms of approval requests count with."""

from __future__ import annotations

from datetime import date

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import stale_button
from bot.i18n import _
from bot.services.procedures import calendar as service
from bot.validation import parse_day
from handlers.filters import not_command
from handlers.procedures.callbacks import CalendarAdd, CalendarRemove
from handlers.procedures.states import CalendarInput
from handlers.procedures.views import day_text
from handlers.views.screens import Button, keyboard, replace, send
from models import User

SHOWN = 30


async def calendar_screen(session: AsyncSession) -> tuple[str, InlineKeyboardMarkup]:
    days = (await service.decree_days(session))[-SHOWN:]
    lines = [
        _(
            "<b>Working-day calendar</b>: weekends and the public holidays of Kyrgyzstan, and these days "
            "moved by decree of the Cabinet of Ministers:"
        )
    ]
    buttons: list[Button] = []
    for row in days:
        kind = _("working day") if row.working else _("day off")
        note = f" — {html.quote(row.note)}" if row.note else ""
        lines.append(f"• {day_text(row.day)}: {kind}{note}")
        buttons.append((f"🗑 {day_text(row.day)}", CalendarRemove(day=row.day.toordinal())))
    if not days:
        lines.append(_("No days moved by decree yet."))
    buttons += [
        (_("➕ A day off by decree"), CalendarAdd(working=False)),
        (_("➕ A working day by decree"), CalendarAdd(working=True)),
    ]
    return "\n".join(lines), keyboard(buttons)


def create_router() -> Router:
    router = Router(name="procedures.calendar")

    @router.message(Command("calendar"))
    async def show(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """The decree days, with buttons to add or remove one."""
        service.require_admin(user)
        await state.clear()
        text, markup = await calendar_screen(session)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(CalendarAdd.filter())
    async def add(query: CallbackQuery, callback_data: CalendarAdd, user: User, state: FSMContext) -> None:
        """Ask for the day (and an optional note: the decree's number)."""
        service.require_admin(user)
        await state.set_state(CalendarInput.day)
        await state.set_data({"working": callback_data.working})
        await send(
            query,
            _("The day and, after a space, the decree if you wish: e.g. «31.12.2026 decree No. 650»."),
        )

    @router.message(CalendarInput.day, not_command)
    async def typed(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The day typed: recorded, and the calendar shown."""
        service.require_admin(user)
        day_text_typed, _space, note = (message.text or "").strip().partition(" ")
        day = parse_day(day_text_typed, settings.locale.zone).date()
        working = bool((await state.get_data()).get("working"))
        await service.set_decree_day(session, user, day, working, note or None, clock.now())
        await state.clear()
        text, markup = await calendar_screen(session)
        await message.answer(_("Saved.") + "\n\n" + text, reply_markup=markup)

    @router.callback_query(CalendarRemove.filter())
    async def remove(
        query: CallbackQuery, callback_data: CalendarRemove, user: User, session: AsyncSession, clock: Clock
    ) -> None:
        """Take a decree day off the calendar (a mistake, or a decree revoked)."""
        service.require_admin(user)
        if not 1 <= callback_data.day <= date.max.toordinal():
            raise stale_button()
        if not await service.remove_decree_day(session, user, callback_data.as_date, clock.now()):
            raise stale_button()
        await replace(query, *await calendar_screen(session))

    return router
