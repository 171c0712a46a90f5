"""A broadcast survives the bot process dying: `python -m bot` killed mid-broadcast, then started once.

The bot runs as a real subprocess against the emulator (in this process) and the test database; the
test counts what each recipient received: nobody is left without the message, nobody gets it thrice.
The sender's own part (claims of a dead sender come back while it runs; stop() does not wait out a 429
pause) is tested in-process, on a clock the test moves. A crash itself is always a killed process: a
sender's tasks cancelled in-process are no crash (aiosqlite finishes their statements in its threads, so a
"dead" sender could still claim rows after the survivor had taken them back).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram import Bot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, ManualClock
from bot.outbox import DeliverySender
from devtools.emulator import BotApiEmulator
from devtools.testing import TEST_TOKEN
from models import Role, User, UserStatus
from models.deliveries import Broadcast, Delivery, DeliveryStatus
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, open_consultation
from tests.test_outbox import bot, make_sender, note  # noqa: F401 (bot is a fixture)
from tests.test_webhook import free_port

ROOT = Path(__file__).resolve().parent.parent
RECIPIENTS = 400
FIRST_RECIPIENT = 70_000
# A short lease keeps the test short; whether the dead process's claims expire before or after the new one
# is up (start-up takes a few seconds), they are sent (the running case is also tested in-process below).
LEASE_SECONDS = 2
SETTINGS_NAMES = (
    "BOT_TOKEN",
    "TELEGRAM_API_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "ADMIN_IDS",
    "BROADCAST_RATE",
    "DELIVERY_LEASE_SECONDS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEB_HOST",
    "WEB_PORT",
)


async def publish_to_many(session: AsyncSession, registry: SmallRegistry) -> None:
    """RECIPIENTS registered heads in Chui oblast, and a consultation published to them just now."""
    municipalities = [*registry.ysyk_ata_aimaks, registry.tokmok]
    # The bot in the subprocess runs on the wall clock, so the deliveries are due by the wall clock.
    published = Clock().now() - timedelta(minutes=1)
    session.add_all(
        User(
            created_at=published,
            telegram_id=FIRST_RECIPIENT + i,
            role=Role.HEAD,
            status=UserStatus.ACTIVE,
            municipality_id=municipalities[i % len(municipalities)].id,
            language="ky" if i % 2 else "ru",
            full_name=f"Башчы {i}",
        )
        for i in range(RECIPIENTS)
    )
    await session.commit()
    await open_consultation(session, registry, deadline=published + timedelta(days=10))


class BotProcess:
    """`python -m bot` in its own process, with its output kept in a file to show when a test fails."""

    def __init__(self, environment: dict[str, str], workdir: Path) -> None:
        self.environment = environment
        self.workdir = workdir
        self.process: asyncio.subprocess.Process | None = None
        self.runs = 0

    async def start(self) -> None:
        self.runs += 1
        log = (self.workdir / f"bot-{self.runs}.log").open("wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self.workdir, env=self.environment, stdout=log, stderr=log
        )
        log.close()

    async def stop(self, signum: signal.Signals, timeout: float = 15.0) -> tuple[int, float]:  # noqa: ASYNC109
        """Send the signal; the exit code and how long the process took to exit."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signum)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        return code, time.monotonic() - started

    def output(self) -> str:
        logs = sorted(self.workdir.glob("*.log"))
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in logs)

    async def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


@pytest.fixture
async def bot_process(
    emulator: BotApiEmulator, database_url: str, redis_url: str | None, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    environment = {name: value for name, value in os.environ.items() if name not in SETTINGS_NAMES}
    environment.update(
        PYTHONPATH=str(ROOT),
        BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_URL=emulator.url,
        DATABASE_URL=database_url,
        ADMIN_IDS=str(ADMIN_ID),
        BROADCAST_RATE="200",
        DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
    )
    if redis_url:
        environment["REDIS_URL"] = redis_url
    workdir = tmp_path / "bot"  # no developer .env there
    workdir.mkdir()
    process = BotProcess(environment, workdir)
    yield process
    await process.close()


# Generous bounds: a bot process starting on a busy machine spends many seconds importing aiogram.
WAIT_SECONDS = 120.0


async def sends_reach(emulator: BotApiEmulator, count: int, process: BotProcess) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if emulator.total_sends >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {emulator.total_sends} sends\n{process.output()}")


async def statuses(session: AsyncSession) -> Counter[str]:
    session.expire_all()
    rows = await session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    await session.commit()  # end the read transaction, so the next look sees the bot's latest writes
    return Counter({status.value: count for status, count in rows})


async def all_delivered(session: AsyncSession, process: BotProcess, timeout: float = WAIT_SECONDS) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (await statuses(session))["sent"] == RECIPIENTS:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"not all sent: {await statuses(session)}\n{process.output()}")


def received(emulator: BotApiEmulator) -> Counter[int]:
    return Counter(
        {FIRST_RECIPIENT + i: len(emulator.messages(FIRST_RECIPIENT + i)) for i in range(RECIPIENTS)}
    )


async def test_kill_9_mid_broadcast_then_one_restart_loses_nobody(
    emulator: BotApiEmulator,
    session: AsyncSession,
    registry: SmallRegistry,
    bot_process: BotProcess,
) -> None:
    await publish_to_many(session, registry)
    for i in range(RECIPIENTS):
        emulator.open_chat(FIRST_RECIPIENT + i)

    await bot_process.start()
    await sends_reach(emulator, RECIPIENTS // 4, bot_process)
    code, _ = await bot_process.stop(signal.SIGKILL)
    assert code == -signal.SIGKILL
    left = await statuses(session)
    assert left["sent"] < RECIPIENTS and left["sending"] > 0  # the dead process held claims

    await bot_process.start()  # once
    await all_delivered(session, bot_process)

    counts = received(emulator)
    assert [chat for chat, n in counts.items() if n == 0] == []
    assert max(counts.values()) <= 2  # only a message in flight at the kill may arrive twice
    # Polling mode stops cleanly on SIGTERM too.
    code, _ = await bot_process.stop(signal.SIGTERM)
    assert code == 0, bot_process.output()


async def test_sigterm_in_webhook_mode_shuts_down_gracefully(
    emulator: BotApiEmulator,
    session: AsyncSession,
    registry: SmallRegistry,
    bot_process: BotProcess,
) -> None:
    port = free_port()
    bot_process.environment.update(
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
        WEBHOOK_SECRET="s3cret-Token_1",
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
    )
    await publish_to_many(session, registry)
    for i in range(RECIPIENTS):
        emulator.open_chat(FIRST_RECIPIENT + i)

    await bot_process.start()
    await sends_reach(emulator, RECIPIENTS // 4, bot_process)
    code, took = await bot_process.stop(signal.SIGTERM, timeout=30)
    assert code == 0, bot_process.output()
    print(f"exited {took:.2f} s after SIGTERM")
    left = await statuses(session)
    assert left["sent"] < RECIPIENTS and left["sending"] == 0  # in-flight sends finished, the rest given back

    await bot_process.start()  # once
    await all_delivered(session, bot_process)

    counts = received(emulator)
    assert [chat for chat, n in counts.items() if n != 1] == []  # nobody lost, nobody twice
    code, _ = await bot_process.stop(signal.SIGTERM)
    assert code == 0, bot_process.output()


# ---- the sender in-process ---------------------------------------------------------------------


async def queue_notes(
    session: AsyncSession, emulator: BotApiEmulator, clock: ManualClock, count: int, claimed_by: str | None
) -> None:
    """``count`` due "note" deliveries; claimed (status sending) by ``claimed_by`` when given."""
    users = [
        User(
            created_at=clock.now(),
            telegram_id=FIRST_RECIPIENT + i,
            role=Role.HEAD,
            status=UserStatus.ACTIVE,
            language="ky",
        )
        for i in range(count)
    ]
    broadcast = Broadcast(kind="note", total=count, created_at=clock.now())
    session.add_all([*users, broadcast])
    await session.flush()
    session.add_all(
        Delivery(
            broadcast_id=broadcast.id,
            user_id=user.id,
            chat_id=user.telegram_id,
            kind="note",
            not_before=clock.now(),
            status=DeliveryStatus.SENDING if claimed_by else DeliveryStatus.PENDING,
            claimed_by=claimed_by,
            claimed_at=clock.now() if claimed_by else None,
        )
        for user in users
    )
    await session.commit()
    for user in users:
        emulator.open_chat(user.telegram_id)


async def test_a_running_sender_takes_over_a_dead_senders_claims_when_their_lease_ends(
    emulator: BotApiEmulator,
    bot: Bot,  # noqa: F811
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    await queue_notes(session, emulator, clock, 20, claimed_by="4242-deadbeef")
    sender = make_sender(bot, session_factory, clock)
    sender.start()
    try:
        await asyncio.sleep(0.3)  # several polls
        assert emulator.total_sends == 0  # the lease still protects the claims
        clock.advance(sender.lease + timedelta(seconds=1))
        for _ in range(250):
            if (await statuses(session))["sent"] == 20:
                break
            await asyncio.sleep(0.02)
    finally:
        await sender.stop()
    assert [len(emulator.messages(FIRST_RECIPIENT + i)) for i in range(20)] == [1] * 20


async def test_stop_during_a_429_pause_gives_the_claims_back_at_once(
    emulator: BotApiEmulator,
    bot: Bot,  # noqa: F811
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    await queue_notes(session, emulator, clock, 50, claimed_by=None)
    emulator.fail_next(count=1, error_code=429, retry_after=60, method="sendMessage")
    sender = make_sender(bot, session_factory, clock)
    sender.start()
    for _ in range(250):
        if sender.retry_after_count:
            break
        await asyncio.sleep(0.02)
    assert sender.retry_after_count == 1

    await asyncio.wait_for(sender.stop(), 5)  # not after the minute's pause

    left = await statuses(session)
    assert left["sending"] == 0 and left["pending"] > 0


async def test_a_send_that_crashes_is_retried_later_not_left_in_progress(
    emulator: BotApiEmulator,
    bot: Bot,  # noqa: F811
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    await queue_notes(session, emulator, clock, 3, claimed_by=None)
    crashed: list[int] = []

    async def buggy_once(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        if not crashed:
            crashed.append(delivery.id)
            raise RuntimeError("a bug in a renderer")
        return await note(bot, session, delivery)

    sender = DeliverySender(bot, session_factory, {"note": buggy_once}, rate=200, clock=clock)
    await sender.run_until_idle()
    assert await statuses(session) == Counter({"sent": 2, "pending": 1})  # waiting for its backoff
    clock.advance(timedelta(seconds=5))
    await sender.run_until_idle()
    assert await statuses(session) == Counter({"sent": 3})
    assert [len(emulator.messages(FIRST_RECIPIENT + i)) for i in range(3)] == [1, 1, 1]
