"""Time-based work: the scheduler only wakes the jobs up; what is due is read from the database.

A restart loses nothing: a deadline that passed while the bot was down is caught at the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.clock import Clock
from bot.outbox import DeliverySender

log = logging.getLogger(__name__)

DEADLINE_CHECK_EVERY = timedelta(minutes=1)
# The alerts count whole working days; a check every quarter of an hour sends each soon after midnight.
APPROVAL_ALERTS_EVERY = timedelta(minutes=15)
FOLLOW_UP_CHECK_EVERY = timedelta(minutes=10)

Done = TypeVar("Done")  # what a job wrote: closed ids, reminder rounds, a digest run...


def scheduled(
    what: str, call: Callable[[datetime], Awaitable[Done]], clock: Clock, sender: DeliverySender
) -> Callable[[], Awaitable[Done]]:
    """A job: ``call`` writes what is due at the clock's now; when it wrote something, log it and wake
    the sender (deadlines, reminder rounds, the digest, alerts, briefings, follow-ups)."""

    async def check() -> Done:
        done = await call(clock.now())
        if done:
            log.info("%s: %s", what, done)
            sender.wake()
        return done

    return check


def create_scheduler(jobs: list[tuple[Callable[[], Awaitable[object]], timedelta]]) -> AsyncIOScheduler:
    """Each job runs at once (catching up after a restart) and then at its interval, never twice at a time."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job, every in jobs:
        scheduler.add_job(
            job,
            "interval",
            seconds=every.total_seconds(),
            # APScheduler wakes up in real time, so it gets the wall clock even when the domain clock is
            # a ManualClock: the job itself reads the injected clock for what is due.
            next_run_time=Clock().now(),
            max_instances=1,
            coalesce=True,
        )
    return scheduler
