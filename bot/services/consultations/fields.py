"""The fields of a consultation checked and cleaned as the coordinator types them (or a file gives them)."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import N_, InvalidInput
from bot.validation import clean_paragraphs, clean_text

TITLE_MAX = 300
SUMMARY_MAX = 3000  # leaves room for the heading and the deadline in one 4096-character message
NAME_FIELD_MAX = 300
URL_MAX = 1000
# A bot may send files of up to 50 MB.
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
DOCUMENT_SUFFIXES = (
    ".pdf",
    ".doc",
    ".docx",
    ".odt",
    ".rtf",
    ".xls",
    ".xlsx",
    ".ods",
    ".ppt",
    ".pptx",
    ".txt",
)
DEFAULT_DEADLINE_TIME = time(18, 0)
MIN_LEAD = timedelta(hours=1)
MAX_LEAD = timedelta(days=366)

_URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", re.IGNORECASE)
_DEADLINE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$")


def clean_title(text: str | None) -> str:
    return clean_text(text, max_length=TITLE_MAX, min_length=3)


def clean_summary(text: str | None) -> str:
    return clean_paragraphs(text, max_length=SUMMARY_MAX)


def clean_url(text: str | None) -> str:
    value = (text or "").strip()
    if len(value) > URL_MAX or not _URL.match(value):
        raise InvalidInput(N_("This does not look like a link. Send the full address, starting with https://"))
    return value


def clean_name_field(text: str | None) -> str:
    return clean_text(text, max_length=NAME_FIELD_MAX, min_length=2)


def check_document(file_name: str | None, size: int | None) -> None:
    if not (file_name or "").lower().endswith(DOCUMENT_SUFFIXES):
        raise InvalidInput(N_("Please send the draft as a PDF, Word, Excel or other office document."))
    if (size or 0) > DOCUMENT_MAX_BYTES:
        raise InvalidInput(N_("The file is too large: at most 50 MB. Please send a smaller file or a link."))


def parse_deadline(text: str | None, now: datetime, zone: ZoneInfo) -> datetime:
    """«20.12.2026» (18:00 that day) or «20.12.2026 14:00», in the configured zone; must be ahead."""
    match = _DEADLINE.match(" ".join((text or "").split()))
    if not match:
        raise InvalidInput(
            N_("Please write the deadline as day.month.year, e.g. 20.12.2026 or 20.12.2026 14:00.")
        )
    day, month, year, hour, minute = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), tzinfo=zone)
        at = time(int(hour), int(minute)) if hour else DEFAULT_DEADLINE_TIME
        local = local.replace(hour=at.hour, minute=at.minute)
    except ValueError:
        raise InvalidInput(N_("There is no such date. Please check the day and the month.")) from None
    deadline = local.astimezone(now.tzinfo)
    if deadline < now + MIN_LEAD:
        raise InvalidInput(N_("The deadline has to be in the future, at least an hour from now."))
    if deadline > now + MAX_LEAD:
        raise InvalidInput(N_("The deadline is more than a year away. Please check the year."))
    return deadline


