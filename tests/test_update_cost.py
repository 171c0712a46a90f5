"""What every update costs before any handler runs: the sender's row, and the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.__main__ import configure_logging
from bot.clock import ManualClock
from bot.services.users import get_or_create_user, with_municipality
from models import Role
from tests.factories import SmallRegistry, add_user


async def test_the_sender_is_one_query_on_the_user_table_and_no_write(
    engine: AsyncEngine,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    municipality = registry.ysyk_ata_aimaks[0]
    await add_user(session, 7001, role=Role.HEAD, municipality=municipality, now=clock.now())
    seen = {"telegram_name": "Асанов Бакыт", "telegram_username": "asanov", "admin_ids": frozenset({1})}
    async with session_factory() as first:  # the first update from this account stores its Telegram name
        await get_or_create_user(first, 7001, now=clock.now(), **seen)  # type: ignore[arg-type]

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        async with session_factory() as update:
            user = await get_or_create_user(update, 7001, now=clock.now(), **seen)  # type: ignore[arg-type]
            assert len(statements) == 1, statements
            assert "JOIN" not in statements[0].upper() and "FROM municipality" not in statements[0]
            # Texts that name the municipality still get it, with its district and oblast.
            await with_municipality(update, user)
            assert user.municipality is not None
            assert user.municipality.full_name("ru") == municipality.full_name("ru")
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
    assert not any(s.lstrip().upper().startswith(("UPDATE", "INSERT")) for s in statements)


@pytest.fixture
def restored_logging() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in ("", "aiogram.event", "aiohttp.access", "alembic")]
    saved = [(logger, logger.level, list(logger.filters)) for logger in loggers]
    yield
    for logger, level, filters in saved:
        logger.setLevel(level)
        logger.filters[:] = filters


@pytest.mark.usefixtures("restored_logging")
def test_one_line_per_update_only_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    updates = logging.getLogger("aiogram.event")
    configure_logging("INFO")
    assert not updates.isEnabledFor(logging.INFO)  # aiogram's "Update id=... is handled" line
    assert not logging.getLogger("aiohttp.access").isEnabledFor(logging.INFO)  # the webhook request
    assert updates.isEnabledFor(logging.ERROR)  # a failing update is still logged

    logging.getLogger().setLevel(logging.DEBUG)
    configure_logging("DEBUG")
    with caplog.at_level(logging.DEBUG):
        updates.info("Update id=%s is handled. Duration %d ms by bot id=%d", 1, 2, 3)
    assert [record.levelname for record in caplog.records] == ["DEBUG"]
