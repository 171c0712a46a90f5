"""The coordinator's work after the answers: close, read, edit, adopt and submit the position, the
proposals and the outcome, the documents; and what the outbox sends about them (``renderers``).

Every button here is staff-only: the check runs once, after a button's data parsed and before its
handler (``staff_only``), so a forged press from anyone else is refused without touching anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Router
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject

from handlers.filters import staff_only
from handlers.positions import closing, documents, outcome, position_text, proposals
from handlers.states import PositionInput


async def abandon_pending_input(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """A button pressed instead of typing the text asked for abandons that input; its data stays (the
    addressee, for «Today»)."""
    state: FSMContext = data["state"]
    if await state.get_state() in PositionInput.__all_states_names__:
        await state.set_state(None)
    return await handler(event, data)


def create_router() -> Router:
    router = Router(name="positions")
    router.callback_query.middleware(staff_only)
    router.callback_query.middleware(abandon_pending_input)
    router.message.middleware(staff_only)
    router.include_routers(
        closing.create_router(),
        position_text.create_router(),
        proposals.create_router(),
        outcome.create_router(),
        documents.create_router(),
    )
    return router
