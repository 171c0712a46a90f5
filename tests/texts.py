"""Expected texts in a given language, taken from the catalogs (so a test follows the translation)."""

from __future__ import annotations

from bot.i18n import _, use_locale


def tr(message_id: str, locale: str, **values: object) -> str:
    """The message as a user of ``locale`` sees it (plain text, without HTML tags)."""
    with use_locale(locale):
        text = _(message_id)
    return text.format(**values) if values else text


def plain(text: str) -> str:
    """Our HTML messages as the emulator stores them: tags removed, entities unescaped."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", text))


def number(value: float, locale: str) -> str:
    """A number as a user of ``locale`` reads it («4 048» in Russian)."""
    from bot.i18n import format_number

    return format_number(value, locale)


def trp(context: str, message_id: str, locale: str) -> str:
    """A message with a context (``pgettext``) as a user of ``locale`` sees it."""
    from bot.i18n import pgettext

    with use_locale(locale):
        return pgettext(context, message_id)


def trn(singular: str, plural: str, count: int, locale: str, **values: object) -> str:
    """A message with plural forms, the form for ``count``, as a user of ``locale`` sees it."""
    from bot.i18n import ngettext

    with use_locale(locale):
        return ngettext(singular, plural, count).format(**values)
