"""The delivery engine: works through pending ``Delivery`` rows within Telegram's limits.

- pacing is the bot's budget (``bot.budget``): every send and edit, replies to people included, takes a
  place in one sliding window per bot token; deliveries come after replies and keep one message a second
  per chat; a 429 pauses deliveries for its ``retry_after`` and the row goes back to the queue;
- three loops side by side, none waiting for another: claiming (the next batch is claimed while the
  current one is being sent), sending (a pipeline just deep enough to keep the budget busy), and the
  progress report (edited beside the sending, at the deliveries' priority);
- a recipient who blocked the bot is marked ``blocked``; transient errors retry with a bounded backoff;
- rows are claimed before sending and marked sent right after, so a restart resends nothing that was
  marked sent; only a message in flight at the instant of a crash can be sent twice;
- a claim lasts a lease: rows claimed by a sender that died go back to the queue at the next poll of
  any live sender once their lease is over (a sender never takes back its own live claims);
- ``stop()`` (graceful shutdown) finishes the requests already on their way and gives back the rest at
  once, a send still waiting for its turn (a long 429 pause) included.

What a delivery looks like is decided by a renderer for its ``kind``; the engine knows nothing of
consultations, so reminders, digests and outcome notices go through it too.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import math
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
from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import outbox_claims as claims
from bot.budget.middleware import install_budget
from bot.budget.priority import CallState, as_delivery
from bot.clock import Clock
from models.deliveries import Delivery, DeliveryStatus

log = logging.getLogger(__name__)

# Sends one delivery and returns the id of the message it sent.
Renderer = Callable[[Bot, AsyncSession, Delivery], Awaitable[int | None]]
# Told which broadcasts moved forward, so that it can update progress messages.
ProgressListener = Callable[[set[int]], Awaitable[None]]

MAX_ATTEMPTS = 6
MAX_BACKOFF = timedelta(minutes=10)
BATCH_SECONDS = 2.0  # a claim is about this much sending; the next one is made when half is left
WARM_CONNECTIONS = 8  # database connections opened at start for the sends in flight
DATABASE_TIME = 0.2  # seconds a send may spend in the database (more on a busy machine), for the pipeline


class DeliverySender:
    """Claims due deliveries in batches and sends them through the bot's budget."""

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
        redis_url: str | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.bot = bot
        self.sessions = session_factory
        self.renderers = dict(renderers)
        self.clock = clock or Clock()
        self.lease = lease
        self.worker_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.rate = rate
        self.batch_size = batch_size or max(1, min(500, int(rate * BATCH_SECONDS)))
        self._budget = install_budget(bot, rate, redis_url)
        self.max_in_flight = max_in_flight
        self.poll_interval = poll_interval
        self.on_progress = on_progress
        self.progress_interval = progress_interval
        self.retry_after_count = 0
        self._queue: collections.deque[tuple[int, int]] = collections.deque()
        self._wake = asyncio.Event()  # new rows may be due
        self._room = asyncio.Event()  # the queue ran low, or a send finished
        self._report_now = asyncio.Event()  # the pipeline is empty: report without waiting
        self._stopping = False
        self._idle = False
        self._last_requeue: float | None = None
        self._in_flight: dict[asyncio.Task[None], CallState] = {}
        self._touched: set[int] = set()
        self._task: asyncio.Task[None] | None = None

    # ---- lifecycle -----------------------------------------------------------------------------

    def start(self) -> None:
        self._stopping = False
        self._last_requeue = None
        self._task = asyncio.create_task(self.run(), name="delivery-sender")

    def wake(self) -> None:
        """New deliveries were written: look now instead of at the next poll."""
        self._wake.set()

    def touch(self, broadcast_id: int) -> None:
        """Report this broadcast's progress soon, sent rows or not (its progress message is new)."""
        self._touched.add(broadcast_id)
        self._wake.set()
        self._report_now.set()

    async def stop(self) -> None:
        """Finish the requests on their way, give back everything else at once."""
        self._stopping = True
        self._wake.set()
        self._room.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def run(self, *, until_idle: bool = False) -> None:
        """Claim, send and report side by side until stopped (or, ``until_idle``, until nothing is due)."""
        self._idle = False
        await self._warm_up()
        helpers = [
            asyncio.create_task(self._claim_loop(until_idle), name="delivery-claims"),
            asyncio.create_task(self._progress_loop(), name="delivery-progress"),
        ]
        try:
            await self._send_loop()
        except asyncio.CancelledError:  # cancelled, not stopped: the lease gives our claims back
            for task in helpers:
                task.cancel()
            # Their sessions roll back before this task ends (an SQLite write must not stay open).
            await asyncio.gather(*helpers, return_exceptions=True)
            raise
        self._stopping = True
        for task in helpers:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._finish_in_flight()
        # Whatever we still hold (the queue, a claim cut short by the stop) goes back at once.
        self._queue.clear()
        await self._give_back(None)
        await self._report_progress()

    async def run_until_idle(self, timeout: float = 120.0) -> None:  # noqa: ASYNC109
        """Send everything that is due now, then return (tests, benchmarks, the command line)."""
        self._stopping = False
        self._last_requeue = None
        runner = asyncio.ensure_future(self.run(until_idle=True))
        done, _pending = await asyncio.wait({runner}, timeout=timeout)
        if not done:
            await self.stop_runner(runner)
        else:
            runner.result()

    async def stop_runner(self, runner: asyncio.Future[None]) -> None:
        self._stopping = True
        self._wake.set()
        self._room.set()
        with contextlib.suppress(asyncio.CancelledError):
            await runner

    # ---- the three loops -----------------------------------------------------------------------

    async def _send_loop(self) -> None:
        """Start a send for each claimed row, keeping just enough in flight to keep the budget busy."""
        while not self._stopping:
            if not self._queue or len(self._in_flight) >= self._depth():
                if self._idle and not self._queue and not self._in_flight:
                    return
                self._room.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._room.wait(), self.poll_interval)
                continue
            delivery_id, _chat_id = self._queue.popleft()
            if len(self._queue) < self.batch_size // 2:
                self._wake.set()  # the claim loop tops the queue up while these are sent
            state = CallState()
            task = asyncio.create_task(self._send(delivery_id, state))
            self._in_flight[task] = state
            task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(task, None)
        self._room.set()
        if not self._in_flight and not self._queue:
            self._report_now.set()  # the last one for now: the progress message says so at once

    def _depth(self) -> int:
        """Sends in flight: the rate times a send's duration (round trip and database), plus a few."""
        duration = self._budget.budget(self.bot).round_trip + DATABASE_TIME
        return max(4, min(self.max_in_flight, math.ceil(self.rate * duration) + 8))

    async def _warm_up(self) -> None:
        """Open the pipeline's database connections now, not all at once at the first broadcast."""

        async def touch() -> None:
            async with self.sessions() as session:
                await session.execute(select(literal(1)))

        with contextlib.suppress(Exception):  # only a head start; the sends connect anyway
            await asyncio.gather(*(touch() for _ in range(WARM_CONNECTIONS)))

    async def _claim_loop(self, until_idle: bool) -> None:
        while not self._stopping:
            self._wake.clear()  # before looking: a wake() from here on is not missed
            await self._requeue_due()
            if len(self._queue) < max(1, self.batch_size // 2):
                batch = await self._claim()
                if batch:
                    self._queue.extend(batch)
                    self._room.set()
                    continue
                if until_idle and not self._queue and not self._in_flight and not await self._due():
                    self._idle = True
                    self._room.set()
                    return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.05 if until_idle else self.poll_interval)

    async def _progress_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._report_now.wait(), self.progress_interval)
            self._report_now.clear()
            await self._report_progress()
            await asyncio.sleep(min(1.0, self.progress_interval))  # at most an edit a second

    # ---- the database --------------------------------------------------------------------------

    async def _claim(self) -> list[tuple[int, int]]:
        try:
            async with self.sessions() as session:
                return await claims.claim(session, self.worker_id, self.clock.now(), self.batch_size)
        except Exception:  # the database may be away for a moment; the next poll tries again
            log.exception("claiming deliveries failed")
            return []

    async def _due(self) -> bool:
        async with self.sessions() as session:
            return await claims.pending_due(session, self.clock.now())

    async def _give_back(self, delivery_ids: list[int] | None) -> None:
        with contextlib.suppress(Exception):  # the lease is the net
            async with self.sessions() as session:
                await claims.release(session, self.worker_id, delivery_ids)

    async def _requeue_due(self) -> None:
        """At start and then once a poll interval, even while busy: a dead sender's rows come back."""
        if self._last_requeue is not None and time.monotonic() - self._last_requeue < self.poll_interval:
            return
        self._last_requeue = time.monotonic()
        try:
            if returned := await self.requeue_expired():
                log.warning("%s deliveries claimed by a stopped sender are back in the queue", returned)
        except Exception:
            log.exception("requeueing expired claims failed")

    async def requeue_expired(self) -> int:
        async with self.sessions() as session:
            return await claims.requeue_expired(session, self.worker_id, self.clock.now(), self.lease)

    async def _finish_in_flight(self) -> None:
        """Requests on their way finish; sends still waiting for their turn are cancelled."""
        while self._in_flight:
            for task, state in list(self._in_flight.items()):
                if not state.requesting and not state.started:
                    task.cancel()
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    # ---- sending -------------------------------------------------------------------------------

    async def _send(self, delivery_id: int, state: CallState) -> None:
        try:
            with as_delivery(state):
                async with self.sessions() as session:
                    # Not ours any more (another sender took it over after our lease): not ours to send.
                    delivery = await self._still_ours(session, delivery_id)
                    if delivery is None:
                        return
                    await self._attempt(session, delivery)
                    self._touched.add(delivery.broadcast_id)
                    await session.commit()
        except asyncio.CancelledError:
            if state.started:
                raise
            await self._give_back([delivery_id])  # stopped while waiting for its turn: nothing went out
        except Exception as error:  # a bug in one renderer must not stop the engine
            log.exception("delivery %s crashed", delivery_id)
            await self._after_crash(delivery_id, error)

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
        except TelegramRetryAfter:
            # The budget pauses every delivery for retry_after; the row itself is due again at once.
            self.retry_after_count += 1
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

    async def _report_progress(self) -> None:
        """Tell the listener which broadcasts moved; its edits are deliveries, behind replies."""
        if self.on_progress is None or not self._touched:
            return
        touched, self._touched = self._touched, set()
        try:
            with as_delivery():
                await self.on_progress(touched)
        except Exception:  # progress is a courtesy; sending goes on
            log.exception("progress report failed")
