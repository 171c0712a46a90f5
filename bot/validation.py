"""Checks for what people type, with messages that say what to do instead."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.errors import N_, InvalidInput

# Telegram shows at most 4096 characters in one message; names are far shorter in practice.
NAME_MAX = 120
POSITION_MAX = 150


def check_length(text: str, *, max_length: int, min_length: int = 1) -> str:
    """The same refusals everywhere for empty, too short and too long input."""
    if not text:
        raise InvalidInput(N_("The message is empty. Please send it as text."))
    if len(text) > max_length:
        raise InvalidInput(
            N_(
                "That is too long: {length} characters, at most {limit}. Please shorten it and send again."
            ),
            length=len(text),
            limit=max_length,
        )
    if len(text) < min_length:
        raise InvalidInput(N_("That is too short: at least {limit} characters."), limit=min_length)
    return text


def strip_invisible(text: str) -> str:
    """The text in NFC without invisible control and format characters, line breaks and tabs excepted.

    A right-to-left override (U+202E) shows «\u202eвонасА» as «Асанов»: a name could pass for someone
    else's. Zero-width spaces and joiners, the BOM and the bidi marks hide differences the same way."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf")
    )


def clean_text(value: str | None, *, max_length: int, min_length: int = 1) -> str:
    """Trimmed text on one line, inner whitespace collapsed, invisible characters removed."""
    text = " ".join(strip_invisible(value or "").split())
    return check_length(text, max_length=max_length, min_length=min_length)


def clean_paragraphs(value: str | None, *, max_length: int) -> str:
    """Trimmed at the ends only: line breaks matter in summaries and comments."""
    return check_length(strip_invisible(value or "").strip(), max_length=max_length)


def clean_person_name(value: str | None) -> str:
    name = clean_text(value, max_length=NAME_MAX, min_length=3)
    if not any(ch.isalpha() for ch in name) or any(ch.isdigit() for ch in name):
        raise InvalidInput(N_("Please write your full name in letters, e.g. Асанов Бакыт Жумабекович."))
    return name


def parse_day(value: str | None, zone: ZoneInfo) -> datetime:
    """«5.12.2026» as noon of that day in ``zone`` (noon, so the date is the same in UTC)."""
    parts = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", (value or "").strip())
    if parts is None:
        raise InvalidInput(N_("Please write the date as day.month.year, e.g. 5.12.2026."))
    day, month, year = (int(p) for p in parts.groups())
    try:
        return datetime(year, month, day, 12, tzinfo=zone)
    except ValueError:
        raise InvalidInput(N_("There is no such date. Please check the day and the month.")) from None
