"""The one source of "now", so that tests can move time for deadlines, invites and reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Wall-clock time, always aware and in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock(Clock):
    """A clock that moves only when told to (tests, the sandbox)."""

    def __init__(self, start: datetime) -> None:
        # No default moment: a fixed one is overtaken by the wall clock some day, and the tests then
        # depend on the date they run (tests start it with tests.factories.clock_start).
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment
