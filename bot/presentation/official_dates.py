"""Dates as official letters write them: «5 декабря 2026 г.» and «2026-жылдын 5-декабры».

Babel's Kyrgyz long date («2026-ж., 5-декабрь») is not the form of Kyrgyz paperwork, which puts the
month in the possessive after the day («5-декабры»), so the Kyrgyz form is built here.
"""

from __future__ import annotations

from datetime import date

from babel import dates

# The month's possessive form after the day number, as official Kyrgyz texts write it.
KYRGYZ_MONTHS = (
    "январы",
    "февралы",
    "марты",
    "апрели",
    "майы",
    "июну",
    "июлу",
    "августу",
    "сентябры",
    "октябры",
    "ноябры",
    "декабры",
)


def official_date(day: date, locale: str) -> str:
    if locale == "ky":
        return f"{day.year}-жылдын {day.day}-{KYRGYZ_MONTHS[day.month - 1]}"
    # CLDR puts a narrow no-break space before «г.»; letters are typed with a plain space.
    return dates.format_date(day, "long", locale="ru").replace("\u202f", " ").replace("\xa0", " ")
