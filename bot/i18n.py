"""Translations (gettext catalogs in locales/) and locale-aware formatting of dates and numbers.

Where the locale lives (one way only):
- The domain (``bot/services``, ``bot/flows``) never translates, formats for a reader or enters a
  locale: it returns data, and message keys marked with ``bot.errors.N_`` (refusals carry the key
  and raw values; see ``error_text``). A query may be told which of the two stored names of a place
  to sort and return ("ky" or "ru"): that picks data, like ``Consultation.title(locale)``, and is
  passed down as a plain argument, never set as a context.
- The channel renders in the *context* locale: during an update the i18n middleware sets it from
  the user's choice, and handlers simply call ``_()``, ``format_*`` and ``error_text``.
- Code outside an update (the delivery engine's renderers, the command line, document builders)
  enters the reader's locale explicitly, once, at its top with ``use_locale``; everything below
  renders in that context and takes no ``locale`` argument of its own.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n, lazy_gettext
from aiogram.utils.i18n import gettext as _gettext
from aiogram.utils.i18n.context import get_i18n
from babel import dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.config import SUPPORTED_LOCALES
from bot.errors import InvalidFields, UserFacingError

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

__all__ = [
    "LOCALES_DIR",
    "_",
    "__",
    "create_i18n",
    "error_text",
    "format_date",
    "format_datetime",
    "format_number",
    "ngettext",
    "npgettext",
    "pgettext",
]

__ = lazy_gettext
_fallback: I18n | None = None


def _(message: str) -> str:
    """The message in the current locale; outside any update (tests, scripts) in the default one."""
    try:
        return _gettext(message)
    except LookupError:
        return _default_i18n().gettext(message)


def error_text(error: UserFacingError, zone: ZoneInfo | None = None) -> str:
    """A refusal in the current locale: its key translated, then its values filled in, numbers and
    dates written the reader's way (a date in ``zone``, else in the zone the value carries).

    Several problems with their fields (``InvalidFields``) give one line each, «field: message»."""
    if isinstance(error, InvalidFields):
        return "\n".join(
            (f"{problem.field}: " if problem.field else "") + _message(problem.key, problem.params, zone)
            for problem in error.problems
        )
    return _message(error.key, error.params, zone)


def _message(key: str, params: dict[str, Any], zone: ZoneInfo | None) -> str:
    text = _(key)
    if not params:
        return text
    return text.format(**{name: _for_reader(value, zone) for name, value in params.items()})


def _for_reader(value: Any, zone: ZoneInfo | None) -> Any:
    """Numbers with the locale's separators («4 096»), a moment as its date; text as it is."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, datetime):
        return format_date(value, zone or value.tzinfo or UTC)  # type: ignore[arg-type]
    return value


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form for ``count`` (Russian has three, Kyrgyz one); the text still needs .format()."""
    try:
        return _gettext(singular, plural, count)
    except LookupError:
        return _default_i18n().gettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """The message as used in ``context``: the same English word may need two translations (Russian
    «отклонено» for a proposal, «отклонён» for an act)."""
    return _translator().pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, count: int) -> str:
    """``ngettext`` with a context."""
    return _translator().npgettext(context, singular, plural, count)


def _translator() -> gettext_module.NullTranslations:
    try:
        i18n = get_i18n()
    except LookupError:
        i18n = _default_i18n()
    return i18n.locales.get(i18n.current_locale) or gettext_module.NullTranslations()


def _default_i18n() -> I18n:
    global _fallback
    if _fallback is None:
        _fallback = create_i18n()
    return _fallback


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> None:
    """Compile each .po into its .mo when the .mo is missing or older, so no manual step is needed."""
    for po_path in locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        temporary.replace(mo_path)  # atomic, so a concurrent start never reads half a file


def create_i18n(default_locale: str = "ky") -> I18n:
    compile_catalogs()
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


@contextmanager
def use_locale(locale: str, i18n: I18n | None = None) -> Iterator[None]:
    """Translate in this locale, outside of an update (command line, background senders)."""
    try:
        current = i18n or get_i18n()
    except LookupError:  # the catalogs are read once per process, not at every use
        current = _default_i18n()
    if locale not in SUPPORTED_LOCALES:
        locale = current.default_locale
    with current.context(), current.use_locale(locale):
        yield


def current_locale() -> str:
    try:
        return get_i18n().current_locale
    except LookupError:
        return "ky"


def format_date(moment: datetime, zone: ZoneInfo, locale: str | None = None) -> str:
    """A date in the reader's language, in the configured time zone (e.g. «5 декабря 2026 г.»)."""
    return dates.format_date(moment.astimezone(zone), "long", locale=locale or current_locale())


def format_datetime(moment: datetime, zone: ZoneInfo, locale: str | None = None) -> str:
    """Date and 24-hour time in the configured zone, e.g. «5 декабря 2026 г., 14:30»."""
    local = moment.astimezone(zone)
    locale = locale or current_locale()
    day = dates.format_date(local, "long", locale=locale)
    return f"{day}, {dates.format_time(local, 'HH:mm', locale=locale)}"


def format_number(value: float | int, locale: str | None = None) -> str:
    return numbers.format_decimal(value, locale=locale or current_locale())


# The months in Kyrgyz official dates take the possessive ending: «2026-жылдын 5-декабры».
_KY_MONTHS = (
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


def format_official_day(day: date, locale: str | None = None) -> str:
    """A day as official documents write it: «2026-жылдын 5-декабры», «5 декабря 2026 г.»."""
    if (locale or current_locale()) == "ky":
        return f"{day.year}-жылдын {day.day}-{_KY_MONTHS[day.month - 1]}"
    # CLDR puts a narrow no-break space before «г.»; letters are typed with a plain space.
    return dates.format_date(day, "long", locale="ru").replace("\u202f", " ").replace("\xa0", " ")


def format_official_date(moment: datetime, zone: ZoneInfo, locale: str | None = None) -> str:
    """The day of ``moment`` in ``zone``, in the official form (see format_official_day)."""
    return format_official_day(moment.astimezone(zone).date(), locale)


def format_official_datetime(moment: datetime, zone: ZoneInfo, locale: str | None = None) -> str:
    """An official date and the 24-hour time: «2026-жылдын 5-декабры, 18:00»."""
    local = moment.astimezone(zone)
    return f"{format_official_date(local, zone, locale)}, {local:%H:%M}"
