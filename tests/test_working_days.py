"""Working-day arithmetic on Kyrgyzstan's calendar: weekends, the KG public holidays of the ``holidays``
package, and days the Cabinet moves by decree. Pure functions: known dates in, dates out."""

from __future__ import annotations

from datetime import date

import holidays

from bot.services.procedures.approval import compute_terms
from bot.services.procedures.calendar import WorkCalendar, is_public_holiday
from models.procedures import TermUnit

PLAIN = WorkCalendar()


def test_the_kyrgyz_calendar_is_there() -> None:
    assert "KG" in holidays.list_supported_countries()
    assert is_public_holiday(date(2026, 8, 31))  # Independence Day
    assert is_public_holiday(date(2026, 5, 5))  # Constitution Day
    assert is_public_holiday(date(2027, 1, 7))  # Orthodox Christmas
    assert not is_public_holiday(date(2026, 12, 4))


def test_working_days_skip_weekends_and_the_may_holidays() -> None:
    # Thursday 30 April 2026; 1–9 May are holidays and a weekend: the next working day is Monday 11 May.
    assert PLAIN.add_working_days(date(2026, 4, 30), 1) == date(2026, 5, 11)
    assert PLAIN.add_working_days(date(2026, 4, 29), 2) == date(2026, 5, 11)
    assert PLAIN.subtract_working_days(date(2026, 5, 11), 1) == date(2026, 4, 30)
    # An ordinary week: Friday 4 December 2026 plus 3 working days is Wednesday 9 December.
    assert PLAIN.add_working_days(date(2026, 12, 4), 3) == date(2026, 12, 9)
    assert PLAIN.working_days_left(date(2026, 12, 4), date(2026, 12, 9)) == 3
    assert PLAIN.working_days_left(date(2026, 12, 9), date(2026, 12, 9)) == 0
    assert PLAIN.working_days_left(date(2026, 12, 11), date(2026, 12, 9)) == -2


def test_a_day_moved_by_decree() -> None:
    # The Cabinet makes Thursday 31 December 2026 a day off and works on Saturday 26 December instead.
    moved = WorkCalendar(days_off=frozenset({date(2026, 12, 31)}), working=frozenset({date(2026, 12, 26)}))
    assert PLAIN.add_working_days(date(2026, 12, 30), 1) == date(2026, 12, 31)
    # With the decree, the next working day after 30 December is Friday 8 January 2027 (1–7 are holidays).
    assert moved.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 8)
    assert moved.add_working_days(date(2026, 12, 25), 1) == date(2026, 12, 26)
    assert PLAIN.add_working_days(date(2026, 12, 25), 1) == date(2026, 12, 28)
    assert moved.working_days_left(date(2026, 12, 24), date(2026, 12, 30)) == 5  # 25, 26, 28, 29, 30


def test_terms_in_calendar_and_working_days() -> None:
    # 10 calendar days from 27 November 2026 end on Monday 7 December (a working day).
    assert PLAIN.term_end(date(2026, 11, 27), 10, TermUnit.CALENDAR) == date(2026, 12, 7)
    # 8 calendar days from 27 November end on Saturday 5 December: moved to Monday 7 December.
    assert PLAIN.term_end(date(2026, 11, 27), 8, TermUnit.CALENDAR) == date(2026, 12, 7)
    # 10 working days from 27 November: 30 Nov–4 Dec and 7–11 Dec.
    assert PLAIN.term_end(date(2026, 11, 27), 10, TermUnit.WORKING) == date(2026, 12, 11)
    # Across the New Year: 30 and 31 December, then Friday 8 January 2027 (1–7 January are holidays).
    assert PLAIN.term_end(date(2026, 12, 29), 3, TermUnit.WORKING) == date(2027, 1, 8)


def test_the_heads_deadline_comes_a_margin_of_working_days_before_the_term() -> None:
    terms = compute_terms(PLAIN, date(2026, 11, 27), 10, TermUnit.WORKING, 3)
    assert terms.due_on == date(2026, 12, 11)
    assert terms.heads_due_on == date(2026, 12, 8)  # Tuesday: 9, 10 and 11 December are left
    # Across the May holidays: term on Monday 11 May 2026, heads by Wednesday 29 April.
    terms = compute_terms(PLAIN, date(2026, 4, 20), 21, TermUnit.CALENDAR, 2)
    assert terms.due_on == date(2026, 5, 11)
    assert terms.heads_due_on == date(2026, 4, 29)


def test_official_date_forms() -> None:
    from bot.i18n import format_official_day

    assert format_official_day(date(2026, 12, 5), "ky") == "2026-жылдын 5-декабры"
    assert format_official_day(date(2026, 12, 5), "ru") == "5 декабря 2026 г."
    assert format_official_day(date(2027, 6, 1), "ky") == "2027-жылдын 1-июну"
