"""The period an annual report covers: a calendar year in Bishkek by default, or any span of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_

from models.consultations import Consultation


@dataclass(frozen=True)
class Period:
    """``start`` inclusive, ``end`` exclusive, both aware; ``first_day``/``last_day`` in the zone."""

    start: datetime
    end: datetime
    zone: ZoneInfo

    @property
    def first_day(self) -> date:
        return self.start.astimezone(self.zone).date()

    @property
    def last_day(self) -> date:
        return date.fromordinal(self.end.astimezone(self.zone).date().toordinal() - 1)

    @property
    def year(self) -> int | None:
        """The year, when the period is exactly one calendar year."""
        first, last = self.first_day, self.last_day
        if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
            return first.year
        return None

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def year_period(year: int, zone: ZoneInfo) -> Period:
    return days_period(date(year, 1, 1), date(year, 12, 31), zone)


def days_period(first: date, last: date, zone: ZoneInfo) -> Period:
    """From the first day's midnight to the midnight after the last day, in ``zone``."""
    start = datetime.combine(first, time(0, 0), zone)
    end = datetime.combine(date.fromordinal(last.toordinal() + 1), time(0, 0), zone)
    return Period(start, end, zone)


def published_in(period: Period) -> ColumnElement[bool]:
    """A consultation belongs to the period it was published in."""
    return and_(
        Consultation.published_at.is_not(None),
        Consultation.published_at >= period.start,
        Consultation.published_at < period.end,
    )
