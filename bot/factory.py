"""Factories for the bot, its FSM storage and its dispatcher; nothing here runs at import time."""

from __future__ import annotations

from typing import Any, ClassVar

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.methods import Response, TelegramMethod
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.budget.middleware import install_budget
from bot.clock import Clock
from bot.config import Settings
from bot.db import POOL_TIMEOUT, update_slots
from bot.fsm_storage import DatabaseStorage
from bot.i18n import create_i18n
from bot.middlewares import (
    UPDATE_CONCURRENCY,
    ConcurrencyLimitMiddleware,
    CurrentUserMiddleware,
    DatabaseSessionMiddleware,
    UserLocaleMiddleware,
)
from handlers import all_routers

# Every update in hand uses at most one Redis connection at a time; the rest is for the margin.
REDIS_POOL_SIZE = UPDATE_CONCURRENCY + 10


class _Session(AiohttpSession):
    """aiogram's aiohttp session, keeping alive the response models it parametrises.

    aiogram reads each Bot API answer with ``Response[method.__returning__]``; pydantic caches a
    parametrised model only while something else refers to it (a weak cache), so without a reference
    the model was rebuilt, schema and validator, after every garbage collection: about a tenth of the
    bot's CPU time under load. Holding them here makes every call after the first a cache hit.
    """

    _response_types: ClassVar[dict[Any, type[Response[Any]]]] = {}

    def check_response(
        self, bot: Bot, method: TelegramMethod[Any], status_code: int, content: str
    ) -> Response[Any]:
        self.prepare(method.__returning__)
        return super().check_response(bot, method, status_code, content)

    @classmethod
    def prepare(cls, *returning: Any) -> None:
        """Build the response models now (at start-up), not in the middle of the first reply."""
        for kind in returning:
            if kind not in cls._response_types:
                cls._response_types[kind] = Response[kind]  # type: ignore[valid-type]


def create_bot(settings: Settings) -> Bot:
    """The Bot with a real aiohttp session, pointed at TELEGRAM_API_URL when it is set."""
    api_url = settings.telegram.telegram_api_url
    session = _Session(api=TelegramAPIServer.from_base(api_url)) if api_url else _Session()
    bot = Bot(
        token=settings.telegram.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    # Every call Telegram counts (replies, edits, deliveries) waits for its turn in one budget.
    install_budget(bot, settings.telegram.broadcast_rate, settings.database.redis_url)
    return bot


def create_storage(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    redis_connections: int = REDIS_POOL_SIZE,
) -> BaseStorage:
    """Redis when REDIS_URL is set (several bot processes), the application database otherwise."""
    if settings.database.redis_url:
        from redis.asyncio import BlockingConnectionPool, Redis

        # A blocking pool: when every connection is in use, the next caller waits for one instead of
        # failing with "Too many connections".
        pool = BlockingConnectionPool.from_url(
            settings.database.redis_url, max_connections=redis_connections, timeout=POOL_TIMEOUT
        )
        return RedisStorage(
            Redis(connection_pool=pool), key_builder=DefaultKeyBuilder(prefix="pikir", with_destiny=True)
        )
    return DatabaseStorage(session_factory)


def create_dispatcher(
    settings: Settings,
    *,
    session_factory: async_sessionmaker[AsyncSession],
    storage: BaseStorage | None = None,
    clock: Clock | None = None,
    i18n: I18n | None = None,
) -> Dispatcher:
    """The dispatcher with its middlewares and routers; handlers receive settings, clock and session.

    The outer middlewares run in this order: aiogram's errors and user context, our limit (one update
    per user at a time, and so many in all), aiogram's FSM context (the Redis lock and the storage),
    a database session, the user's row, the language.
    """
    storage = storage or create_storage(settings, session_factory)
    dispatcher = Dispatcher(
        storage=storage,
        # Across processes a user's updates are kept apart by a lock in Redis; within one process
        # ConcurrencyLimitMiddleware does it already (and the database storage serves one process).
        events_isolation=storage.create_isolation() if isinstance(storage, RedisStorage) else None,
        settings=settings,
        clock=clock or Clock(),
        session_factory=session_factory,
    )
    # aiogram registers its FSM middleware (which takes the isolation lock and reads the state) in
    # Dispatcher.__init__; it is moved behind the limit with the manager's own register/unregister.
    middlewares = dispatcher.update.outer_middleware
    middlewares.unregister(dispatcher.fsm)
    middlewares.register(ConcurrencyLimitMiddleware(update_slots(session_factory.kw.get("bind"))))
    middlewares.register(dispatcher.fsm)
    dispatcher.update.outer_middleware(DatabaseSessionMiddleware(session_factory))
    dispatcher.update.outer_middleware(CurrentUserMiddleware(settings.telegram.admin_ids))
    UserLocaleMiddleware(i18n or create_i18n(settings.locale.default_locale)).setup(dispatcher)
    dispatcher.include_routers(*all_routers())
    return dispatcher
