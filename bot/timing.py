"""The bot's sense of time as configured: reminder offsets, the digest's weekly moment, quiet hours.

Plain values and arithmetic (no database, no Telegram): the settings parse into them, the services and
the scheduler compute with them against the injected Clock's "now".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_OFFSET = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "m": timedelta(minutes=1)}
_CLOCK_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_offsets(value: str) -> tuple[timedelta, ...]:
    """``72h,24h,3h`` (also ``2d``, ``10m``): distinct offsets, the largest (the first reminder) first."""
    offsets = set()
    for part in (p.strip().lower() for p in value.split(",")):
        if not part:
            continue
        match = _OFFSET.match(part)
        if match is None or int(match.group(1)) == 0:
            raise ValueError(
                f"{part!r} is not an offset: write a positive number with h (hours), m (minutes) or "
                "d (days), comma-separated, e.g. 72h,24h,3h or 30m"
            )
        offsets.add(int(match.group(1)) * _UNITS[match.group(2)])
    if any(offset > timedelta(days=90) for offset in offsets):
        raise ValueError("an offset longer than 90 days makes no sense for a consultation")
    return tuple(sorted(offsets, reverse=True))


def offset_key(offset: timedelta) -> int:
    """An offset as whole minutes, the way it is stored."""
    return int(offset.total_seconds() // 60)


def _clock_time(text: str, what: str) -> time:
    match = _CLOCK_TIME.match(text.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"{text.strip()!r} is not a time of day for {what}: write HH:MM, e.g. 09:00")
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class WeeklyMoment:
    """A day of the week and a time of day, in the configured zone (the digest's moment)."""

    weekday: int  # Monday is 0
    at: time

    @classmethod
    def parse(cls, value: str) -> WeeklyMoment:
        parts = value.strip().lower().split()
        if len(parts) != 2 or parts[0][:3] not in WEEKDAYS:
            raise ValueError(
                f"{value.strip()!r} is not a weekly moment: write a day (mon, tue, wed, thu, fri, sat, sun) "
                "and a time, e.g. mon 09:00"
            )
        return cls(WEEKDAYS.index(parts[0][:3]), _clock_time(parts[1], "DIGEST_AT"))

    def latest(self, now: datetime, zone: ZoneInfo) -> datetime:
        """The most recent occurrence at or before ``now`` (aware, in ``zone``)."""
        local = now.astimezone(zone)
        day = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        moment = datetime.combine(day, self.at, zone)
        if moment > local:
            moment -= timedelta(days=7)
        return moment


@dataclass(frozen=True)
class QuietHours:
    """A nightly span (e.g. 21:00-08:00) in which reminders and digests wait for the morning."""

    start: time
    end: time

    @classmethod
    def parse(cls, value: str) -> QuietHours | None:
        if not value.strip():
            return None
        start, sep, end = value.partition("-")
        if not sep:
            raise ValueError(f"{value!r} is not a span: write HH:MM-HH:MM, e.g. 21:00-08:00 (empty for none)")
        hours = cls(_clock_time(start, "QUIET_HOURS"), _clock_time(end, "QUIET_HOURS"))
        if hours.start == hours.end:
            raise ValueError(
                "QUIET_HOURS starts and ends at the same time: leave it empty for no quiet hours"
            )
        return hours

    def _contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end  # over midnight

    def release(self, now: datetime, zone: ZoneInfo) -> datetime | None:
        """When held work may go out: the end of the quiet span ``now`` is in, or None if it is not."""
        local = now.astimezone(zone)
        if not self._contains(local.time()):
            return None
        end = datetime.combine(local.date(), self.end, zone)
        if end <= local:
            end += timedelta(days=1)
        return end


def held(quiet: QuietHours | None, now: datetime, zone: ZoneInfo, deadline: datetime | None = None) -> bool:
    """Whether work due now waits for the morning: in quiet hours, unless ``deadline`` comes first."""
    if quiet is None:
        return False
    release = quiet.release(now, zone)
    if release is None:
        return False
    return deadline is None or deadline > release
