"""Working days in Kyrgyzstan: weekends, the public holidays of the ``holidays`` package's KG calendar,
and the days the Cabinet of Ministers moves by decree (stored by an administrator, ``CalendarDay``).

The arithmetic is pure (a ``WorkCalendar`` and dates in, a date or a count out), so it is tested
without a database; ``load_calendar`` reads the decree days once per use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput
from bot.services import audit
from bot.services.users import not_allowed
from bot.validation import clean_text
from models import CalendarDay, Role, User
from models.procedures import TermUnit

CALENDAR_NOTE_MAX = 300
# A term is counted within a few years; a decree day far away is surely a typing mistake.
DECREE_YEARS_AHEAD = 2


def require_admin(user: User) -> None:
    if not user.has_role(Role.ADMIN):
        raise not_allowed(user, N_("Only administrators can change the working-day calendar."))


@lru_cache(maxsize=1)
def _kyrgyz_holidays() -> holidays.HolidayBase:
    """The KG public holidays; the package fills in each year as it is first asked about."""
    return holidays.country_holidays("KG")


def is_public_holiday(day: date) -> bool:
    return day in _kyrgyz_holidays()


@dataclass(frozen=True)
class WorkCalendar:
    """Weekends and KG holidays are days off, except where a decree says otherwise."""

    days_off: frozenset[date] = field(default_factory=frozenset)  # weekdays made days off by decree
    working: frozenset[date] = field(default_factory=frozenset)  # weekend days made working by decree

    def is_working(self, day: date) -> bool:
        if day in self.working:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5 and not is_public_holiday(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_working(day):
                count -= 1
        return day

    def subtract_working_days(self, end: date, count: int) -> date:
        """The ``count``-th working day before ``end``."""
        day = end
        while count > 0:
            day -= timedelta(days=1)
            if self.is_working(day):
                count -= 1
        return day

    def next_working_day(self, day: date) -> date:
        """``day`` itself if it is a working day, else the first working day after it."""
        while not self.is_working(day):
            day += timedelta(days=1)
        return day

    def working_days_left(self, today: date, due: date) -> int:
        """Working days after ``today`` up to and including ``due``: 0 on the last day itself, and
        negative (the working days since) once it has passed."""
        if due < today:
            return -sum(self.is_working(today - timedelta(days=n)) for n in range((today - due).days))
        return sum(self.is_working(today + timedelta(days=n)) for n in range(1, (due - today).days + 1))

    def term_end(self, start: date, days: int, unit: TermUnit) -> date:
        """The last day of a term of ``days`` from ``start``. In working days, the ``days``-th working day
        after ``start``; in calendar days, ``start + days``, moved to the next working day when that is a
        day off (as the Civil Code counts a term that ends on a day off)."""
        if unit is TermUnit.WORKING:
            return self.add_working_days(start, days)
        return self.next_working_day(start + timedelta(days=days))


async def load_calendar(session: AsyncSession) -> WorkCalendar:
    rows = (await session.execute(select(CalendarDay.day, CalendarDay.working))).all()
    return WorkCalendar(
        days_off=frozenset(day for day, working in rows if not working),
        working=frozenset(day for day, working in rows if working),
    )


async def set_decree_day(
    session: AsyncSession, actor: User | None, day: date, working: bool, note: str | None, now: datetime
) -> CalendarDay:
    """An administrator records a day moved by decree (``actor`` None: the command line); a second
    record of the same day replaces the first."""
    if actor is not None:
        require_admin(actor)
    if abs(day.year - now.year) > DECREE_YEARS_AHEAD:
        raise InvalidInput(N_("That date is too far from today for a decree of the Cabinet."))
    cleaned = clean_text(note, max_length=CALENDAR_NOTE_MAX) if note else None
    row = await session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        row = CalendarDay(day=day, created_at=now)
        session.add(row)
    row.working, row.note, row.created_by_id = working, cleaned, actor.id if actor else None
    audit.record(
        session,
        "calendar.decree_day",
        actor_id=actor.id if actor else None,
        now=now,
        day=day.isoformat(),
        working=working,
        note=cleaned,
    )
    await session.commit()
    return row


async def remove_decree_day(session: AsyncSession, actor: User | None, day: date, now: datetime) -> bool:
    if actor is not None:
        require_admin(actor)
    row = await session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        return False
    await session.delete(row)
    audit.record(
        session,
        "calendar.decree_day_removed",
        actor_id=actor.id if actor else None,
        now=now,
        day=day.isoformat(),
    )
    await session.commit()
    return True


async def decree_days(session: AsyncSession) -> list[CalendarDay]:
    return list(await session.scalars(select(CalendarDay).order_by(CalendarDay.day)))
