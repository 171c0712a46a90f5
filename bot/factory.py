"""Factories for the bot, its FSM storage and its dispatcher; nothing here runs at import time."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.fsm_storage import DatabaseStorage
from bot.i18n import create_i18n
from bot.middlewares import (
    ConcurrencyLimitMiddleware,
    CurrentUserMiddleware,
    DatabaseSessionMiddleware,
    UserLocaleMiddleware,
)
from handlers import all_routers


def create_bot(settings: Settings) -> Bot:
    """The Bot with a real aiohttp session, pointed at TELEGRAM_API_URL when it is set."""
    api_url = settings.telegram.telegram_api_url
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url)) if api_url else AiohttpSession()
    return Bot(
        token=settings.telegram.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_storage(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> BaseStorage:
    """Redis when REDIS_URL is set (several bot processes), the application database otherwise."""
    if settings.database.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage

        return RedisStorage.from_url(
            settings.database.redis_url, key_builder=DefaultKeyBuilder(prefix="pikir", with_destiny=True)
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
    """The dispatcher with its middlewares and routers; handlers receive settings, clock and session."""
    dispatcher = Dispatcher(
        storage=storage or create_storage(settings, session_factory),
        settings=settings,
        clock=clock or Clock(),
        session_factory=session_factory,
    )
    dispatcher.update.outer_middleware(ConcurrencyLimitMiddleware())
    dispatcher.update.outer_middleware(DatabaseSessionMiddleware(session_factory))
    dispatcher.update.outer_middleware(CurrentUserMiddleware(settings.telegram.admin_ids))
    UserLocaleMiddleware(i18n or create_i18n(settings.locale.default_locale)).setup(dispatcher)
    dispatcher.include_routers(*all_routers())
    return dispatcher
