"""The delivery engine: works through pending ``Delivery`` rows within Telegram's limits.

- one global pace (BROADCAST_RATE messages a second) and at most one message a second to a chat;
- a 429 pauses all sending for its ``retry_after``; the delivery goes back to the queue;
- a recipient who blocked the bot is marked ``blocked``; transient errors retry with a bounded backoff;
- rows are claimed before sending and marked sent right after, so a restart resends nothing that was
  marked sent; only a message in flight at the instant of a crash can be sent twice;
- a claim lasts a lease: rows claimed by a sender that died go back to the queue at the next poll of
  any live sender once their lease is over (a sender never takes back its own live claims);
- ``stop()`` (graceful shutdown) finishes the sends in flight and gives back the rest at once.

What a delivery looks like is decided by a renderer for its ``kind``; the engine knows nothing of
consultations, so reminders, digests and outcome notices go through it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from models.deliveries import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

# Sends one delivery and returns the id of the message it sent.
Renderer = Callable[[Bot, AsyncSession, Delivery], Awaitable[int | None]]
# Told which broadcasts moved forward, so that it can update progress messages.
ProgressListener = Callable[[set[int]], Awaitable[None]]

MAX_ATTEMPTS = 6
MAX_BACKOFF = timedelta(minutes=10)
PER_CHAT_INTERVAL = 1.0  # seconds between two messages to the same chat


class RateLimiter:
    """Evenly spaced send slots for the whole bot, one-a-second per chat, and a global pause."""

    def __init__(self, rate: float, per_chat_interval: float = PER_CHAT_INTERVAL) -> None:
        self._interval = 1.0 / rate
        self._per_chat = per_chat_interval
        self._next_slot = 0.0
        self._chat_free_at: dict[int, float] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def acquire(self, chat_id: int) -> None:
        while True:
            now = time.monotonic()
            wait = max(self._paused_until, self._chat_free_at.get(chat_id, 0.0)) - now
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            slot = max(self._next_slot, now)
            self._next_slot = slot + self._interval
            self._chat_free_at[chat_id] = slot + self._per_chat
            if slot > now:
                await asyncio.sleep(slot - now)
            if len(self._chat_free_at) > 50_000:  # forget chats whose interval is long over
                horizon = time.monotonic()
                self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > horizon}
            if self._paused_until <= time.monotonic():
                return


class DeliverySender:
    """Claims due deliveries in small batches and sends them concurrently at the configured pace."""

    def __init__(
        self,
        bot: Bot,
        session_factory: async_sessionmaker[AsyncSession],
        renderers: Mapping[str, Renderer],
        *,
        rate: float,
        clock: Clock | None = None,
        lease: timedelta = timedelta(seconds=90),
        max_in_flight: int = 32,
        poll_interval: float = 2.0,
        on_progress: ProgressListener | None = None,
        progress_interval: float = 2.0,
    ) -> None:
        self.bot = bot
        self.sessions = session_factory
        self.renderers = dict(renderers)
        self.clock = clock or Clock()
        self.lease = lease
        self.worker_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.batch_size = max(1, min(200, int(rate * 2)))
        self.limiter = RateLimiter(rate)
        self.poll_interval = poll_interval
        self.on_progress = on_progress
        self.progress_interval = progress_interval
        self.retry_after_count = 0
        self._wake = asyncio.Event()
        self._stopping = False
        self._stop_requested = asyncio.Event()
        self._last_requeue: float | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(max_in_flight)
        self._touched: set[int] = set()
        self._last_progress = 0.0
        self._task: asyncio.Task[None] | None = None

    # ---- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self._stopping = False
        self._stop_requested.clear()
        self._last_requeue = None
        self._task = asyncio.create_task(self.run(), name="delivery-sender")

    def wake(self) -> None:
        """New deliveries were written: look now instead of at the next poll."""
        self._wake.set()

    def touch(self, broadcast_id: int) -> None:
        """Report this broadcast's progress soon, sent rows or not (its progress message is new)."""
        self._touched.add(broadcast_id)
        self._wake.set()

    async def stop(self) -> None:
        """Finish the sends in flight and give back the claimed rows not yet started."""
        self._stopping = True
        self._stop_requested.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self) -> None:
        try:
            while not self._stopping:
                await self._requeue_due()
                batch = await self._claim()
                if not batch:
                    await self._report_progress(force=True)
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.poll_interval)
                    continue
                for index, (delivery_id, chat_id) in enumerate(batch):
                    # A stop during a long 429 pause must not wait for the pause to end.
                    if self._stopping or not await self._unless_stopped(self.limiter.acquire(chat_id)):
                        await self._release([d for d, _ in batch[index:]])
                        break
                    await self._slots.acquire()
                    task = asyncio.create_task(self._send(delivery_id))
                    self._in_flight.add(task)
                    task.add_done_callback(self._in_flight.discard)
                await self._report_progress()
        finally:
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)
            await self._report_progress(force=True)

    async def _requeue_due(self) -> None:
        """At start and then once a poll interval, even while busy: a dead sender's rows come back."""
        if self._last_requeue is not None and time.monotonic() - self._last_requeue < self.poll_interval:
            return
        self._last_requeue = time.monotonic()
        try:
            if returned := await self.requeue_expired():
                log.warning("%s deliveries claimed by a stopped sender are back in the queue", returned)
        except Exception:  # the database may be away for a moment; the next poll tries again
            log.exception("requeueing expired claims failed")

    async def _unless_stopped(self, waiting: Awaitable[None]) -> bool:
        """Wait for ``waiting`` unless stop() comes first; False when it did."""
        wait = asyncio.ensure_future(waiting)
        stopped = asyncio.ensure_future(self._stop_requested.wait())
        await asyncio.wait({wait, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if wait.done():
            return True
        wait.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await wait
        return False

    async def run_until_idle(self, timeout: float = 120.0) -> None:  # noqa: ASYNC109
        """Send everything that is due now, then return (tests, benchmarks, the command line)."""
        deadline = time.monotonic() + timeout
        await self.requeue_expired()
        while time.monotonic() < deadline:
            batch = await self._claim()
            if not batch:
                if self._in_flight:
                    await asyncio.gather(*self._in_flight, return_exceptions=True)
                    continue
                if await self._pending_due() == 0:
                    break
                await asyncio.sleep(0.05)
                continue
            for delivery_id, chat_id in batch:
                await self.limiter.acquire(chat_id)
                await self._slots.acquire()
                task = asyncio.create_task(self._send(delivery_id))
                self._in_flight.add(task)
                task.add_done_callback(self._in_flight.discard)
        await self._report_progress(force=True)

    # ---- claiming ------------------------------------------------------------------------------

    async def _claim(self) -> list[tuple[int, int]]:
        """Mark a batch of due rows as ours; row locks keep two processes off the same rows."""
        now = self.clock.now()
        async with self.sessions() as session:
            due = (
                select(Delivery.id)
                .where(Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= now)
                .order_by(Delivery.id)
                .limit(self.batch_size)
            )
            if session.bind.dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            claimed = await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(due.scalar_subquery()), Delivery.status == DeliveryStatus.PENDING)
                .values(status=DeliveryStatus.SENDING, claimed_by=self.worker_id, claimed_at=now)
                .returning(Delivery.id, Delivery.chat_id)
                .execution_options(synchronize_session=False)
            )
            rows = sorted((row.id, row.chat_id) for row in claimed)
            await session.commit()
        return rows

    async def _release(self, delivery_ids: list[int]) -> None:
        async with self.sessions() as session:
            await session.execute(
                update(Delivery)
                .where(
                    Delivery.id.in_(delivery_ids),
                    Delivery.status == DeliveryStatus.SENDING,
                    Delivery.claimed_by == self.worker_id,
                )
                .values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_at=None)
            )
            await session.commit()

    async def requeue_expired(self) -> int:
        """Rows claimed by a sender that died: back to the queue once their lease is over.

        Our own claims are alive as long as we are, however long a 429 pause keeps them waiting.
        """
        async with self.sessions() as session:
            result = await session.execute(
                update(Delivery)
                .where(
                    Delivery.status == DeliveryStatus.SENDING,
                    Delivery.claimed_at < self.clock.now() - self.lease,
                    Delivery.claimed_by != self.worker_id,
                )
                .values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_at=None)
            )
            await session.commit()
        return result.rowcount or 0  # type: ignore[attr-defined]

    async def _pending_due(self) -> int:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Delivery.id)
                .where(Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= self.clock.now())
                .limit(1)
            )
            return len(rows.all())

    # ---- sending -------------------------------------------------------------------------------

    async def _send(self, delivery_id: int) -> None:
        try:
            async with self.sessions() as session:
                # Not ours any more (another sender took it over after our lease): not ours to send.
                delivery = await self._still_ours(session, delivery_id)
                if delivery is None:
                    return
                await self._attempt(session, delivery)
                self._touched.add(delivery.broadcast_id)
                await session.commit()
        except Exception as error:  # a bug in one renderer must not stop the engine
            log.exception("delivery %s crashed", delivery_id)
            await self._after_crash(delivery_id, error)
        finally:
            self._slots.release()

    async def _still_ours(self, session: AsyncSession, delivery_id: int) -> Delivery | None:
        """The delivery if this sender still holds its claim, else None."""
        delivery = await session.get(Delivery, delivery_id)
        if delivery is None or delivery.status is not DeliveryStatus.SENDING:
            return None
        return delivery if delivery.claimed_by == self.worker_id else None

    async def _after_crash(self, delivery_id: int, error: Exception) -> None:
        """A send that raised leaves its row claimed by us: retry it later like a transient error."""
        with contextlib.suppress(Exception):  # the database itself may be what failed; the lease is the net
            async with self.sessions() as session:
                delivery = await self._still_ours(session, delivery_id)
                if delivery is None:
                    return
                self._retry_later(delivery, self.clock.now(), repr(error))
                await session.commit()

    async def _attempt(self, session: AsyncSession, delivery: Delivery) -> None:
        now = self.clock.now()
        renderer = self.renderers.get(delivery.kind)
        if renderer is None:
            self._finish(delivery, DeliveryStatus.FAILED, f"no renderer for {delivery.kind!r}")
            return
        try:
            delivery.message_id = await renderer(self.bot, session, delivery)
        except TelegramRetryAfter as error:
            self.retry_after_count += 1
            # The pause holds every send back; the row itself is due again at once.
            self.limiter.pause(error.retry_after)
            self._requeue(delivery, now, count_attempt=False)
        except TelegramForbiddenError as error:
            self._finish(delivery, DeliveryStatus.BLOCKED, error.message)
        except TelegramBadRequest as error:
            self._finish(delivery, DeliveryStatus.FAILED, error.message)
        except (TelegramNetworkError, TelegramServerError, TelegramAPIError, TimeoutError, OSError) as error:
            self._retry_later(delivery, now, str(error))
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = now
            delivery.attempts += 1
            delivery.error = None

    def _retry_later(self, delivery: Delivery, now: datetime, error: str) -> None:
        """A transient failure: again after a bounded backoff, until MAX_ATTEMPTS."""
        if delivery.attempts + 1 >= MAX_ATTEMPTS:
            self._finish(delivery, DeliveryStatus.FAILED, error)
        else:
            backoff = min(timedelta(seconds=2 ** (delivery.attempts + 1)), MAX_BACKOFF)
            self._requeue(delivery, now + backoff, count_attempt=True, error=error)

    @staticmethod
    def _finish(delivery: Delivery, status: DeliveryStatus, error: str) -> None:
        delivery.status = status
        delivery.attempts += 1
        delivery.error = error[:500]

    @staticmethod
    def _requeue(
        delivery: Delivery, not_before: datetime, *, count_attempt: bool, error: str | None = None
    ) -> None:
        delivery.status = DeliveryStatus.PENDING
        delivery.not_before = not_before
        delivery.claimed_by = delivery.claimed_at = None
        if count_attempt:
            delivery.attempts += 1
        if error:
            delivery.error = error[:500]

    async def _report_progress(self, *, force: bool = False) -> None:
        if self.on_progress is None or not self._touched:
            return
        if not force and time.monotonic() - self._last_progress < self.progress_interval:
            return
        touched, self._touched = self._touched, set()
        self._last_progress = time.monotonic()
        try:
            await self.on_progress(touched)
        except Exception:  # progress is a courtesy; sending goes on
            log.exception("progress report failed")
