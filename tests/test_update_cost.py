"""What an update costs: the sender's row before any handler runs, a button press of the answer flow
in all (SQL statements, transactions, Bot API calls), and the log."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.__main__ import configure_logging
from bot.clock import ManualClock
from bot.services.users import get_or_create_user, with_municipality
from devtools.emulator import BotApiEmulator, TelegramUser
from devtools.testing import RunningBot
from models import Role
from tests.factories import SmallRegistry, add_user, open_consultation
from tests.test_answers import wait_for_card
from tests.texts import tr


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


class Counted:
    """SQL statements and transactions of an engine, and Bot API calls, from here on."""

    def __init__(self, engine: AsyncEngine, emulator: BotApiEmulator) -> None:
        self.engine, self.emulator = engine, emulator
        self.statements: list[str] = []
        self.transactions = 0
        self.calls_before = len(emulator.requests)

    def __enter__(self) -> Counted:
        event.listen(self.engine.sync_engine, "before_cursor_execute", self._statement)
        event.listen(self.engine.sync_engine, "begin", self._begin)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine.sync_engine, "before_cursor_execute", self._statement)
        event.remove(self.engine.sync_engine, "begin", self._begin)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements.append(statement)

    def _begin(self, *_args: Any) -> None:
        self.transactions += 1

    @property
    def calls(self) -> list[str]:
        """The calls the bot made, its long polling aside."""
        return [r.method for r in self.emulator.requests[self.calls_before :] if r.method != "getUpdates"]


async def test_a_press_in_the_answer_flow_is_one_transaction_three_statements_two_calls(
    running_bot: RunningBot,
    engine: AsyncEngine,
    emulator: BotApiEmulator,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    """The bar of a tap: the person (one indexed query), the draft with its consultation and the
    target check (one query), one write; the press answered and its message edited in place."""
    await add_user(session, 8801, role=Role.HEAD, municipality=registry.tokmok, language="ru")
    head = make_user(8801, language_code="ru")
    await head.send("/help")  # they have talked to the bot before
    await open_consultation(session, registry, clock.now() + timedelta(days=10))
    running_bot.pikir.sender.wake()  # type: ignore[union-attr]
    card = await wait_for_card(head)
    await running_bot.pikir.sender.stop()  # type: ignore[union-attr]  # nothing else touches the database
    await head.click(tr("✍ Answer", "ru"), card)
    step = head.last_message

    for button in (tr("👍 Support", "ru"), tr("Skip »", "ru")):
        with Counted(engine, emulator) as counted:
            await head.click(button, step)
        assert len(counted.statements) <= 3, counted.statements
        writes = [
            s for s in counted.statements if s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        ]
        assert len(writes) == 1, counted.statements
        assert counted.transactions == 1
        assert sorted(counted.calls) == ["answerCallbackQuery", "editMessageText"], counted.calls
        assert head.last_message.message_id == step.message_id  # the same message, now the next step


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


def test_no_filter_or_handler_runs_in_a_thread() -> None:
    """aiogram runs a synchronous filter or handler with asyncio.to_thread: a thread hop each time an
    update is tried against it (a bare State or F.x as a filter, a plain ``def``). Every handler with
    such a filter must be reached only after its awaitable filters matched."""
    from handlers import all_routers

    offenders = []
    for router in all_routers():
        for name, observer in router.observers.items():
            for handler in observer.handlers:
                filters = handler.filters or []
                # A synchronous filter after an awaitable one is checked only once those matched.
                first = filters[0] if filters else None
                if not handler.awaitable or (first is not None and not first.awaitable):
                    offenders.append(f"{router.name}.{name}: {handler.callback.__name__}")
    assert not offenders, offenders
