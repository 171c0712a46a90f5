"""The time left before a deadline in words, in the reader's language, through Babel's unit names."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_timedelta


def time_left_words(left: timedelta, locale: str) -> str:
    """«2 дня 3 часа», «5 саат 20 мүнөт», «15 минут»: days and hours, or hours and minutes when under a
    day; at least one minute (what is left is never shown as nothing while answers are accepted)."""
    minutes = max(1, int(left.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    units = [(days, "day"), (hours, "hour")] if days else [(hours, "hour"), (minutes, "minute")]
    # threshold=1 keeps the unit asked for (Babel would otherwise write 24 hours as «1 day»)
    parts = [
        format_timedelta(
            timedelta(**{f"{unit}s": amount}), granularity=unit, threshold=1, format="long", locale=locale
        )
        for amount, unit in units
        if amount
    ]
    return " ".join(parts)
