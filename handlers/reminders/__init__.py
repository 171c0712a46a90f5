"""«Remind now» under /responses: whom (all the silent or one oblast), an optional message of one's own,
a preview with the number of people reached, then the reminders go out through the outbox."""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import StaleAction
from bot.i18n import _, current_locale, format_number
from bot.outbox import DeliverySender
from bot.services import reminders as service
from handlers.callbacks import RemindPlain, RemindScope, RemindSend, RemindStart, ResponsesStats
from handlers.filters import staff_only
from handlers.states import RemindNow
from handlers.views.screens import Button, keyboard, replace
from models import Oblast, User


def _preview(reach: service.Reach, note: str | None) -> str:
    lines = [
        _(
            "This reminder reaches {people} people in {municipalities} municipalities that have not answered."
        ).format(people=format_number(reach.people), municipalities=format_number(reach.municipalities))
    ]
    if reach.recently_reminded:
        lines.append(
            _("{count} municipalities reminded within the last hour are left out.").format(
                count=format_number(reach.recently_reminded)
            )
        )
    if note:
        lines += ["", _("Your message: {note}").format(note=html.quote(note))]
    return "\n".join(lines)


async def _scope(state: FSMContext, cid: int) -> tuple[int | None, str | None]:
    """The oblast and message chosen in this dialogue; a press from another one is stale."""
    data = await state.get_data()
    if data.get("remind_cid") != cid:
        raise StaleAction(_("This screen is out of date. Open /responses again."))
    return data.get("remind_oblast") or None, data.get("remind_note")


async def _show_preview(
    target: CallbackQuery | Message,
    session: AsyncSession,
    user: User,
    state: FSMContext,
    cid: int,
    now: Clock,
) -> None:
    oblast_id, note = await _scope(state, cid)
    reach = await service.remind_reach(session, user, cid, oblast_id, now.now())
    buttons: list[Button] = []
    if reach.people:
        buttons.append((_("🔔 Send the reminder"), RemindSend(cid=cid)))
    buttons.append((_("◀ Back"), ResponsesStats(cid=cid)))
    text = _preview(reach, note)
    if isinstance(target, CallbackQuery):
        await replace(target, text, keyboard(buttons))
    else:
        await target.answer(text, reply_markup=keyboard(buttons))


def create_router() -> Router:
    router = Router(name="reminders")
    router.message.middleware(staff_only)
    router.callback_query.middleware(staff_only)

    @router.callback_query(RemindStart.filter())
    async def start(
        query: CallbackQuery, callback_data: RemindStart, user: User, session: AsyncSession, clock: Clock
    ) -> None:
        """Whom to remind: all the silent, or those of one oblast."""
        cid = callback_data.cid
        reach = await service.remind_reach(session, user, cid, None, clock.now())
        locale = current_locale()
        buttons: list[Button] = [
            (
                _("All that have not answered ({count})").format(
                    count=format_number(reach.municipalities + reach.recently_reminded)
                ),
                RemindScope(cid=cid),
            ),
        ]
        for oblast_id, name_ru, name_ky, count in await service.silent_oblasts(session, cid):
            name = Oblast(name_ru=name_ru, name_ky=name_ky).name(locale)
            buttons.append((f"{name} ({format_number(count)})", RemindScope(cid=cid, oblast=oblast_id)))
        buttons.append((_("◀ Back"), ResponsesStats(cid=cid)))
        await replace(
            query, _("🔔 Remind the municipalities that have not answered: which ones?"), keyboard(buttons)
        )

    @router.callback_query(RemindScope.filter())
    async def scope(
        query: CallbackQuery,
        callback_data: RemindScope,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
    ) -> None:
        """Remember whom; ask for the optional message."""
        await service.remind_reach(session, user, callback_data.cid, None, clock.now())  # open, and staff
        await state.set_state(RemindNow.note)
        await state.set_data({"remind_cid": callback_data.cid, "remind_oblast": callback_data.oblast})
        await replace(
            query,
            _(
                "Write a short message to add to the reminder (at most {limit} characters), "
                "or send it without one."
            ).format(limit=format_number(service.NOTE_MAX)),
            keyboard([(_("Without a message"), RemindPlain(cid=callback_data.cid))]),
        )

    @router.callback_query(RemindPlain.filter())
    async def plain(
        query: CallbackQuery,
        callback_data: RemindPlain,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
    ) -> None:
        """No message of one's own: the preview."""
        await _scope(state, callback_data.cid)
        await state.update_data(remind_note=None)
        await _show_preview(query, session, user, state, callback_data.cid, clock)

    @router.message(StateFilter(RemindNow.note), F.text)
    async def note(
        message: Message, user: User, session: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        """The coordinator's message, checked; then the preview."""
        cid = (await state.get_data()).get("remind_cid")
        if cid is None:
            await state.clear()
            return
        await state.update_data(remind_note=service.clean_note(message.text))
        await _show_preview(message, session, user, state, cid, clock)

    @router.callback_query(RemindSend.filter())
    async def send(
        query: CallbackQuery,
        callback_data: RemindSend,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        """Write the reminders; the outbox sends them."""
        oblast_id, note = await _scope(state, callback_data.cid)
        reach = await service.remind_now(session, user, callback_data.cid, oblast_id, note, clock.now())
        await state.clear()
        sender.wake()
        await replace(
            query,
            _("🔔 Reminder sent to {people} people in {municipalities} municipalities.").format(
                people=format_number(reach.people), municipalities=format_number(reach.municipalities)
            ),
            keyboard([(_("◀ Back"), ResponsesStats(cid=callback_data.cid))]),
        )

    return router
