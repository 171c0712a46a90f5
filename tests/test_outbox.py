"""The delivery engine against the emulator: limits, 429, blocked users, retries, restarts."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from aiogram import Bot
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.outbox import DeliverySender
from devtools.emulator import BotApiEmulator
from devtools.testing import TEST_TOKEN
from models import Role, User, UserStatus
from models.deliveries import Broadcast, Delivery, DeliveryStatus

FIRST_USER = 50_000


async def note(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
    """The simplest renderer: a line of text naming the delivery."""
    message = await bot.send_message(delivery.chat_id, f"note {delivery.id}")
    return message.message_id


async def queue_broadcast(
    session: AsyncSession, emulator: BotApiEmulator, recipients: int, now: datetime
) -> Broadcast:
    """``recipients`` users who once started the bot, and one delivery for each, due ``now``."""
    users = [
        User(
            telegram_id=FIRST_USER + i,
            role=Role.HEAD,
            status=UserStatus.ACTIVE,
            language="ky",
            created_at=now,
        )
        for i in range(recipients)
    ]
    session.add_all(users)
    broadcast = Broadcast(kind="note", total=recipients, created_at=now)
    session.add(broadcast)
    await session.flush()
    session.add_all(
        Delivery(
            broadcast_id=broadcast.id, user_id=user.id, chat_id=user.telegram_id, kind="note", not_before=now
        )
        for user in users
    )
    await session.commit()
    for user in users:
        emulator.open_chat(user.telegram_id)
    return broadcast


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    bot = Bot(TEST_TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.url)))
    yield bot
    await bot.session.close()


def make_sender(
    bot: Bot, session_factory: async_sessionmaker[AsyncSession], clock: ManualClock, rate: float = 200
):
    return DeliverySender(bot, session_factory, {"note": note}, rate=rate, clock=clock, poll_interval=0.05)


async def sends_reach(emulator: BotApiEmulator, count: int) -> None:
    """Let a background sender get part of the way."""
    for _ in range(500):
        if emulator.total_sends >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {emulator.total_sends} sends")


def received(emulator: BotApiEmulator, recipients: int) -> Counter[int]:
    return Counter({FIRST_USER + i: len(emulator.messages(FIRST_USER + i)) for i in range(recipients)})


async def statuses(session: AsyncSession) -> Counter[str]:
    rows = await session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    return Counter({status.value: count for status, count in rows})


async def test_429_pauses_and_blocked_users_are_marked(
    emulator: BotApiEmulator,
    bot: Bot,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    await queue_broadcast(session, emulator, 40, clock.now())
    blocked = {FIRST_USER + 3, FIRST_USER + 17, FIRST_USER + 31}
    for user_id in blocked:
        emulator.block(user_id)
    emulator.fail_next(count=4, error_code=429, retry_after=1, method="sendMessage")
    sender = make_sender(bot, session_factory, clock)

    await sender.run_until_idle()

    counts = received(emulator, 40)
    assert {user for user, n in counts.items() if n == 0} == blocked
    assert all(n == 1 for user, n in counts.items() if user not in blocked)
    assert sender.retry_after_count == 4
    assert await statuses(session) == Counter({"sent": 37, "blocked": 3})
    blocked_rows = await session.scalars(
        select(Delivery.chat_id).where(Delivery.status == DeliveryStatus.BLOCKED)
    )
    assert set(blocked_rows) == blocked


async def test_transient_errors_are_retried_with_backoff(
    emulator: BotApiEmulator,
    bot: Bot,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    await queue_broadcast(session, emulator, 10, clock.now())
    emulator.fail_next(count=3, error_code=502, method="sendMessage")
    sender = make_sender(bot, session_factory, clock)
    await sender.run_until_idle()
    assert (await statuses(session))["pending"] == 3  # waiting for their backoff
    clock.advance(timedelta(seconds=5))
    await sender.run_until_idle()
    assert all(n == 1 for n in received(emulator, 10).values())
    retried = await session.scalars(select(Delivery.attempts).where(Delivery.attempts > 1))
    assert list(retried) == [2, 2, 2]


async def test_a_stopped_sender_resumes_without_loss_or_repeat(
    emulator: BotApiEmulator,
    bot: Bot,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    await queue_broadcast(session, emulator, 60, clock.now())
    first = make_sender(bot, session_factory, clock, rate=40)
    first.start()
    await sends_reach(emulator, 15)
    await first.stop()
    sent_before = (await statuses(session))["sent"]
    assert 15 <= sent_before < 60
    assert (await statuses(session))["sending"] == 0  # claimed rows were given back

    second = make_sender(bot, session_factory, clock)  # "a new process" on the same database
    await second.run_until_idle()
    assert all(n == 1 for n in received(emulator, 60).values())
    assert await statuses(session) == Counter({"sent": 60})
