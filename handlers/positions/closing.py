"""Closing a consultation before its deadline, from the live view of the answers."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import _
from bot.outbox import DeliverySender
from bot.presentation.drafting import draft_text
from bot.services import positions as service
from handlers.callbacks import PositionClose, PositionCloseNow, ResponsesStats
from handlers.views.screens import keyboard, replace
from models import User


def create_router() -> Router:
    router = Router(name="positions.closing")

    @router.callback_query(PositionClose.filter())
    async def ask(query: CallbackQuery, callback_data: PositionClose) -> None:
        """Ask for a confirmation: answers are frozen from then on."""
        cid = callback_data.cid
        await replace(
            query,
            _("Close the consultation now? Answers will no longer be accepted."),
            keyboard(
                [
                    (_("⏹ Yes, close it now"), PositionCloseNow(cid=cid)),
                    (_("◀ Back"), ResponsesStats(cid=cid)),
                ]
            ),
        )

    @router.callback_query(PositionCloseNow.filter())
    async def close_now(
        query: CallbackQuery,
        callback_data: PositionCloseNow,
        user: User,
        session: AsyncSession,
        clock: Clock,
        settings: Settings,
        sender: DeliverySender,
    ) -> None:
        """Close, draft the position in both languages, and send it through the outbox."""
        # Answered only after closing: a repeated press gets «already closed» as the button's alert.
        await service.close(
            session, callback_data.cid, clock.now(), settings.position.quorum, drafter=draft_text, actor=user
        )
        sender.wake()  # the drafted position goes out through the outbox, like any notice
        await replace(query, _("The consultation is closed. The drafted position will follow in a moment."))

    return router
