"""Middlewares on the outer ``update`` level: the limit on updates in hand, a database session, the
user's row, the user's language."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.middlewares.user_context import EVENT_CONTEXT_KEY, EventContext
from aiogram.types import TelegramObject
from aiogram.types import User as TelegramUser
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.middleware import I18nMiddleware
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SUPPORTED_LOCALES
from bot.services.users import get_or_create_user

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
# Updates handled at once by one process; bot.db sizes the database pool for it, bot.factory the Redis one.
UPDATE_CONCURRENCY = 20


class _Turns:
    """A first-come, first-served lock per key that is forgotten once nobody holds or awaits it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def take(self, key: Hashable) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class ConcurrencyLimitMiddleware(BaseMiddleware):
    """One update per user at a time, in the order they came, and at most ``limit`` updates in hand.

    It runs before everything that touches the database or Redis (the FSM storage and its isolation
    lock included), so a burst waits here holding nothing instead of exhausting a pool. A user's own
    updates queue on their turn before taking a slot: the 25 parts of one paste hold one slot, not 25,
    and they are handled in order (an asyncio.Lock is first-come, first-served).
    """

    def __init__(self, limit: int = UPDATE_CONCURRENCY) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._turns = _Turns()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context: EventContext | None = data.get(EVENT_CONTEXT_KEY)
        user_id = context.user_id if context else None
        if user_id is None:
            async with self._slots:
                return await handler(event, data)
        async with self._turns.take((context.chat_id, user_id)), self._slots:  # type: ignore[union-attr]
            return await handler(event, data)


class DatabaseSessionMiddleware(BaseMiddleware):
    """Opens one session per update and hands it to handlers as ``session``."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        async with self._sessions() as session:
            data["session"] = session
            return await handler(event, data)


class CurrentUserMiddleware(BaseMiddleware):
    """Loads (or creates) the sender's row and hands it to handlers as ``user``."""

    def __init__(self, admin_ids: Iterable[int]) -> None:
        self._admin_ids = frozenset(admin_ids)

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        sender: TelegramUser | None = data.get("event_from_user")
        if sender is None or sender.is_bot:
            return await handler(event, data)
        user = await get_or_create_user(
            data["session"],
            sender.id,
            telegram_name=sender.full_name,
            telegram_username=sender.username,
            admin_ids=self._admin_ids,
            now=data["clock"].now(),
        )
        data["user"] = user
        # Kept apart from the row: an error handler must still know the language after a rollback.
        data["user_locale"] = user.language
        return await handler(event, data)


class UserLocaleMiddleware(I18nMiddleware):
    """The language the user chose in the bot; before that, Telegram's hint if it is one we speak."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        chosen: str | None = data.get("user_locale")
        if chosen in SUPPORTED_LOCALES:
            return chosen
        sender: TelegramUser | None = data.get("event_from_user")
        hint = (sender.language_code or "")[:2] if sender else ""
        return hint if hint in SUPPORTED_LOCALES else self.i18n.default_locale
