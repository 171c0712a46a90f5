"""Claims that hold: a claim of n takes exactly n rows on PostgreSQL whatever plan the statistics lead
to, two senders on one database split a broadcast without overlap, and 20,000 recipients go out in
batches small enough for the lease."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from aiogram import Bot
from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot import outbox_claims
from bot.clock import ManualClock
from bot.outbox import DeliverySender
from devtools.emulator import BotApiEmulator
from models import Role, User, UserStatus
from models.deliveries import Broadcast, Delivery, DeliveryStatus
from tests.test_outbox import FIRST_USER, bot, note, queue_broadcast, statuses  # noqa: F401 (bot: a fixture)


async def sending_now(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Delivery).where(Delivery.status == DeliveryStatus.SENDING)
    )
    await session.commit()
    return count or 0


async def claim_once(session: AsyncSession, worker: str, size: int, clock: ManualClock, plan: str) -> int:
    """One claim statement; ``plan`` "nested loops" takes hash and merge joins away from the planner."""
    if plan == "nested loops":
        await session.execute(text("SET LOCAL enable_hashjoin = off"))
        await session.execute(text("SET LOCAL enable_mergejoin = off"))
    claimed = await outbox_claims.claim(session, worker, clock.now(), size)
    return len(claimed)


async def test_a_claim_of_n_claims_exactly_n_on_postgresql(
    engine: AsyncEngine,
    emulator: BotApiEmulator,
    session: AsyncSession,
    clock: ManualClock,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the claim's plan is PostgreSQL's question; SQLite has one writer")
    await queue_broadcast(session, emulator, 400, clock.now())
    async with engine.begin() as connection:  # as a table no ANALYZE has seen yet (needs a superuser)
        try:
            await connection.execute(text("DELETE FROM pg_statistic WHERE starelid = 'delivery'::regclass"))
            await connection.execute(
                text("UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = 'delivery'::regclass")
            )
        except Exception:  # not a superuser: the planner keeps whatever statistics exist
            pytest.skip("forgetting the table's statistics needs a superuser")
    claimed = 0
    for statistics in ("none", "analyzed"):
        if statistics == "analyzed":
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE delivery"))
        for plan in ("default", "nested loops"):
            got = await claim_once(session, f"worker-{statistics}-{plan}", 50, clock, plan)
            claimed += 50
            assert (got, await sending_now(session)) == (50, claimed), (statistics, plan)


async def test_two_senders_split_a_broadcast_without_overlap(
    emulator: BotApiEmulator,
    bot: Bot,  # noqa: F811
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    await queue_broadcast(session, emulator, 200, clock.now())
    senders = [
        DeliverySender(
            bot, session_factory, {"note": note}, rate=1000, clock=clock, poll_interval=0.05, batch_size=10
        )
        for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    try:
        for _ in range(1000):
            if (await statuses(session))["sent"] == 200:
                break
            await asyncio.sleep(0.02)
    finally:
        for sender in senders:
            await sender.stop()

    assert emulator.sends_per_chat == Counter({FIRST_USER + i: 1 for i in range(200)})
    by_sender = Counter(
        await session.scalars(select(Delivery.claimed_by).where(Delivery.status == DeliveryStatus.SENT))
    )
    assert set(by_sender) == {sender.worker_id for sender in senders}  # both took part
    assert sum(by_sender.values()) == 200


class WatchedSender(DeliverySender):
    """A sender that notes the size of every claim it made."""

    claims: list[int]

    async def _claim(self) -> list[tuple[int, int]]:
        batch = await super()._claim()
        self.claims = [*getattr(self, "claims", []), len(batch)]
        return batch


@pytest.mark.slow  # 20,000 sends through the emulator: about a minute alone, more on a shared machine
async def test_twenty_thousand_recipients_are_claimed_in_batches_within_the_lease(
    emulator: BotApiEmulator,
    bot: Bot,  # noqa: F811
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    recipients = 20_000
    now = clock.now()
    broadcast = Broadcast(kind="note", total=recipients, created_at=now)
    session.add(broadcast)
    await session.flush()
    ids = await session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "telegram_id": FIRST_USER + i,
                "role": Role.HEAD,
                "status": UserStatus.ACTIVE,
                "language": "ky",
                "created_at": now,
            }
            for i in range(recipients)
        ],
    )
    await session.execute(
        insert(Delivery),
        [
            {"broadcast_id": broadcast.id, "user_id": user_id, "chat_id": FIRST_USER + i, "kind": "note"}
            | {"not_before": now, "status": DeliveryStatus.PENDING, "attempts": 0, "payload": {}}
            for i, user_id in enumerate(ids.all())
        ],
    )
    await session.commit()
    for i in range(recipients):
        emulator.open_chat(FIRST_USER + i)
    sender = WatchedSender(bot, session_factory, {"note": note}, rate=1000, clock=clock)

    most_claimed = 0

    async def watch() -> None:
        nonlocal most_claimed
        async with session_factory() as watching:
            while True:
                most_claimed = max(most_claimed, await sending_now(watching))
                await asyncio.sleep(0.2)

    watcher = asyncio.create_task(watch())
    try:
        await sender.run_until_idle(timeout=600)
    finally:
        watcher.cancel()

    assert len(emulator.sends_per_chat) == recipients and max(emulator.sends_per_chat.values()) == 1
    assert await statuses(session) == Counter({"sent": recipients})
    # Batches, not everything at once; what one sender holds is sent well within the lease.
    assert max(sender.claims) == sender.batch_size < recipients / 10
    assert most_claimed <= 2 * sender.batch_size
    assert 2 * sender.batch_size / sender.rate < sender.lease.total_seconds()
