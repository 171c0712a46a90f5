"""The value of a «number» question: an amount in som (a loss written with a minus) or a count."""

from __future__ import annotations

import re
from datetime import date

from bot.errors import N_, InvalidInput
from bot.services.answers.parsing import parse_som

SOM = "som"
MAX_COUNT = 1_000_000
_COUNT = re.compile(r"^\d{1,7}$")


def parse_number(text: str, unit: str | None) -> int:
    """«-1,5 млн» → -1500000 for som; «12» → 12 for a count (whole, not negative)."""
    value = (text or "").strip().replace("\u2212", "-")
    if unit == SOM:
        negative = value.startswith("-")
        amount = parse_som(value.lstrip("-").strip())
        return -amount if negative else amount
    value = re.sub(r"[\s\u00a0\u202f]", "", value)
    if not _COUNT.match(value) or int(value) > MAX_COUNT:
        raise InvalidInput(N_("Please write a whole number, e.g. 12."))
    return int(value)


_DAY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def parse_day(text: str) -> date:
    """«1.07.2026», «01/07/2026», «01-07-2026» → that day (day first, as written in Kyrgyzstan)."""
    match = _DAY.match((text or "").strip())
    try:
        if match is None:
            raise ValueError
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(N_("Please write the date as day.month.year, e.g. 01.07.2026.")) from None
