"""The budget on the Bot's request path: every call Telegram counts goes through it, whoever makes it.

Registered on the Bot's session (``bot.session.middleware(BudgetMiddleware(...))``), so handlers, the
outbox, progress messages and the command line are all paced by the same window without knowing it.

A 429 on a reply to a person is waited out and the call made again, up to ``REPLY_PATIENCE`` seconds
in all: the person sees a slower answer, never an error. The pause is kept for that chat only (the
window keeps the bot as a whole under Telegram's limit; a reply's 429 is the chat's own limit). A 429 on
a delivery pauses every delivery for ``retry_after`` and goes back to the outbox, which queues the
message again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.budget import Budget, budget_for
from bot.budget.priority import Priority, current_call_state, current_priority

log = logging.getLogger(__name__)

REPLY_PATIENCE = 10.0  # seconds a reply may spend waiting out 429s before the error is let through
# Calls that put something in a chat count; answering a button, chat actions and the rest do not.
COUNTED_PREFIXES = ("send", "edit", "copy", "forward", "stopPoll")
NOT_COUNTED = frozenset({"sendChatAction"})


def counted(api_method: str) -> bool:
    return api_method.startswith(COUNTED_PREFIXES) and api_method not in NOT_COUNTED


def chat_of(method: TelegramMethod[Any]) -> int | None:
    chat = getattr(method, "chat_id", None)
    if chat is None or isinstance(chat, int):
        return chat
    return hash(chat)  # a @channel username


class BudgetMiddleware(BaseRequestMiddleware):
    """Takes a place in the bot's budget before each counted call and gives it back after."""

    def __init__(self, capacity: int, redis_url: str | None = None) -> None:
        self.capacity = max(1, int(capacity))
        self.redis_url = redis_url

    def budget(self, bot: Bot) -> Budget:
        return budget_for(bot.token, self.capacity, self.redis_url)

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not counted(method.__api_method__):
            return await make_request(bot, method)
        budget = self.budget(bot)
        priority, chat, state = current_priority(), chat_of(method), current_call_state()
        patience = REPLY_PATIENCE
        while True:
            grant = await budget.acquire(priority, chat)
            if state is not None:
                state.requesting = state.started = True
            started = time.monotonic()
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                budget.limited += 1
                if priority is Priority.DELIVERY:
                    await budget.pause(error.retry_after)
                    raise
                await budget.pause(error.retry_after, chat)
                if error.retry_after > patience:
                    raise
                patience -= error.retry_after
                wait = error.retry_after
                log.info("429 on %s to %s: retrying in %s s", method.__api_method__, chat, error.retry_after)
            finally:
                if state is not None:
                    state.requesting = False
                await budget.release(grant, started)
            await asyncio.sleep(wait)


def install_budget(bot: Bot, capacity: float, redis_url: str | None = None) -> BudgetMiddleware:
    """The bot's budget middleware, registered on its session unless it already is."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, BudgetMiddleware):
            return middleware
    middleware = BudgetMiddleware(int(capacity), redis_url)
    bot.session.middleware(middleware)
    return middleware
