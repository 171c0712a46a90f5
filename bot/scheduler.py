"""Time-based work: the scheduler only wakes the jobs up; what is due is read from the database.

A restart loses nothing: a deadline that passed while the bot was down is caught at the next start.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.outbox import DeliverySender
from bot.presentation.drafting import draft_text
from bot.presentation.surveys import survey_content
from bot.services.digest import DigestRun, send_digest
from bot.services.positions import close_due
from bot.services.procedures.alerts import send_near_term_alerts
from bot.services.procedures.sittings import send_due_briefings
from bot.services.reminders import Round, send_due_reminders
from bot.services.surveys import SentFollowUp, send_due

log = logging.getLogger(__name__)

DEADLINE_CHECK_EVERY = timedelta(minutes=1)
# The alerts count whole working days; a check every quarter of an hour sends each soon after midnight.
APPROVAL_ALERTS_EVERY = timedelta(minutes=15)
FOLLOW_UP_CHECK_EVERY = timedelta(minutes=10)


def deadline_job(
    session_factory: async_sessionmaker[AsyncSession], clock: Clock, sender: DeliverySender, quorum: float
) -> Callable[[], Awaitable[list[int]]]:
    """Close the consultations whose deadline has passed, and send their drafted positions."""

    async def check() -> list[int]:
        closed = await close_due(session_factory, clock.now(), quorum, draft_text)
        if closed:
            log.info("closed at the deadline: %s", closed)
            sender.wake()
        return closed

    return check


def approval_alerts_job(
    session_factory: async_sessionmaker[AsyncSession],
    clock: Clock,
    sender: DeliverySender,
    settings: Settings,
) -> Callable[[], Awaitable[list[int]]]:
    """Tell the coordinators whose approval answers are 5, 2 and 1 working days from the term."""
    zone, quiet = settings.locale.zone, settings.schedule.quiet

    async def check() -> list[int]:
        alerted = await send_near_term_alerts(session_factory, clock.now(), zone, quiet)
        if alerted:
            log.info("near-term alerts for approval requests: %s", alerted)
            sender.wake()
        return alerted

    return check


def reminder_job(
    session_factory: async_sessionmaker[AsyncSession],
    clock: Clock,
    sender: DeliverySender,
    settings: Settings,
) -> Callable[[], Awaitable[list[Round]]]:
    """Write the reminder rounds that are due (each once, whoever else runs), and wake the sender."""
    schedule, zone = settings.schedule, settings.locale.zone
    offsets, quiet = schedule.offsets, schedule.quiet

    async def check() -> list[Round]:
        rounds = await send_due_reminders(session_factory, clock.now(), offsets, quiet, zone)
        if rounds:
            log.info("reminders: %s", [(r.consultation_id, r.offset, r.people) for r in rounds])
            sender.wake()
        return rounds

    return check


def briefings_job(
    session_factory: async_sessionmaker[AsyncSession],
    clock: Clock,
    sender: DeliverySender,
    settings: Settings,
) -> Callable[[], Awaitable[list[int]]]:
    """Brief the association's speakers the day before a committee sitting (not in the quiet hours)."""
    zone, quiet = settings.locale.zone, settings.schedule.quiet

    async def check() -> list[int]:
        briefed = await send_due_briefings(session_factory, clock.now(), zone, quiet)
        if briefed:
            log.info("sitting briefings: %s", briefed)
            sender.wake()
        return briefed

    return check


def follow_up_job(
    session_factory: async_sessionmaker[AsyncSession], clock: Clock, sender: DeliverySender
) -> Callable[[], Awaitable[list[SentFollowUp]]]:
    """Send the impact follow-ups whose day has come (each once, whatever the number of processes)."""

    async def check() -> list[SentFollowUp]:
        sent = await send_due(session_factory, clock.now(), survey_content)
        if sent:
            log.info("follow-up surveys sent: %s", [s.survey_id for s in sent])
            sender.wake()
        return sent

    return check


def digest_job(
    session_factory: async_sessionmaker[AsyncSession],
    clock: Clock,
    sender: DeliverySender,
    settings: Settings,
) -> Callable[[], Awaitable[DigestRun | None]]:
    """Write the week's digest when its moment has come (once), and wake the sender."""
    schedule, zone = settings.schedule, settings.locale.zone
    moment, quiet = schedule.digest, schedule.quiet

    async def check() -> DigestRun | None:
        run = await send_digest(session_factory, clock.now(), moment, zone, quiet)
        if run is not None:
            log.info("weekly digest: %s people", run.people)
            sender.wake()
        return run

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
