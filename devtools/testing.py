"""The real bot, long-polling a Bot API emulator: used by the tests, the benchmarks and a sandbox.

Updates are handled one after another (``handle_as_tasks=False``) unless asked otherwise, so a test
knows that an update is fully handled once the bot asks for the next ones. With ``handle_as_tasks=True``
(as in production) each update is a task; ``settled()`` waits for them, and a scenario client given
``settle=running.settled`` waits for it after each action.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiogram.fsm.storage.base import BaseStorage
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Pikir, assemble
from bot.clock import Clock
from bot.config import (
    DatabaseSettings,
    LocaleSettings,
    PositionSettings,
    ProcedureSettings,
    ScheduleSettings,
    Settings,
    TelegramSettings,
    WebhookSettings,
)

TEST_TOKEN = "123456:PIKIR-TEST-TOKEN"


def settings_for(
    api_url: str,
    database_url: str,
    *,
    admin_ids: list[int] | None = None,
    redis_url: str | None = None,
    broadcast_rate: float = 25.0,
    reminder_offsets: str = "72h,24h,3h",
    digest_at: str = "mon 09:00",
    quiet_hours: str = "21:00-08:00",
) -> Settings:
    """Settings given in full, so nothing leaks in from the environment or a developer's .env."""
    return Settings(
        telegram=TelegramSettings(
            BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_URL=api_url,
            ADMIN_IDS=",".join(str(i) for i in admin_ids or []),
            BROADCAST_RATE=broadcast_rate,
            _env_file=None,
        ),
        database=DatabaseSettings(DATABASE_URL=database_url, REDIS_URL=redis_url or "", _env_file=None),
        webhook=WebhookSettings(_env_file=None),
        locale=LocaleSettings(TIMEZONE="Asia/Bishkek", DEFAULT_LOCALE="ky", _env_file=None),
        position=PositionSettings(QUORUM_PERCENT=50, _env_file=None),
        procedures=ProcedureSettings(
            SIGNATORY_NAME="Ж. Асанов", LETTERHEAD_CONTACTS="+996 312 000000", _env_file=None
        ),
        schedule=ScheduleSettings(
            REMINDER_OFFSETS=reminder_offsets, DIGEST_AT=digest_at, QUIET_HOURS=quiet_hours, _env_file=None
        ),
    )


class RunningBot:
    """Starts and stops the dispatcher's polling; ``restart()`` is a process restart on the same database."""

    def __init__(
        self,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        clock: Clock | None = None,
        handle_as_tasks: bool = False,
        storage: BaseStorage | None = None,
    ) -> None:
        self.settings = settings
        self.session_factory = session_factory
        self.clock = clock or Clock()
        self.handle_as_tasks = handle_as_tasks
        self.storage = storage
        self.pikir: Pikir | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.pikir = pikir = assemble(
            self.settings, self.session_factory, clock=self.clock, storage=self.storage
        )
        started = asyncio.Event()
        pikir.dispatcher.startup.register(started.set)
        self._task = asyncio.create_task(
            pikir.dispatcher.start_polling(
                pikir.bot,
                polling_timeout=1,
                handle_as_tasks=self.handle_as_tasks,
                handle_signals=False,
                close_bot_session=True,
            )
        )
        waiter = asyncio.ensure_future(started.wait())
        await asyncio.wait({self._task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self._task.done():
            self._task.result()  # polling failed to start: raise its error here

    async def settled(self) -> None:
        """Wait until every update the bot has taken so far is handled (its error handler included).

        An update the emulator saw confirmed had its task created before the confirming getUpdates;
        aiogram keeps those tasks in ``_handle_update_tasks`` (there is no public accessor).
        """
        if self.pikir is None:
            return
        tasks: set[asyncio.Task[object]] = self.pikir.dispatcher._handle_update_tasks
        while pending := [task for task in tasks if not task.done()]:
            await asyncio.wait(pending)

    async def stop(self) -> None:
        if self.pikir is not None and self._task is not None and not self._task.done():
            with contextlib.suppress(RuntimeError):
                await self.pikir.dispatcher.stop_polling()
            await self._task
        if self.pikir is not None:
            await self.pikir.dispatcher.storage.close()
        self._task = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def __aenter__(self) -> RunningBot:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
