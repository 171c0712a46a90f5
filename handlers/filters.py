"""Small filters and checks shared by handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import Message, TelegramObject

from bot.services.users import require_staff


async def not_command(message: Message) -> bool:
    """True for anything that is not a /command, so commands still work inside a dialogue step.

    A coroutine: aiogram runs a synchronous filter in a thread (asyncio.to_thread), a thread hop at
    every check; for the same reason handlers filter on ``StateFilter(state)``, not a bare State."""
    return not (message.text or "").startswith("/")


async def staff_only(
    handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
    event: TelegramObject,
    data: dict[str, Any],
) -> Any:
    """Inner middleware for a staff-only router: once a handler's filters matched (a button's data
    parsed), anyone but an active coordinator or admin is refused before the handler runs."""
    require_staff(data["user"])
    return await handler(event, data)
