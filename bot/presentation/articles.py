"""An article group's heading in the reader's language.

Proposals are grouped by ``models.answers.article_key`` («ст. 5», «Статья 5» and «5-берене» are all
«art5»); the heading is written from that key in the current locale, so a Russian paper says «Статья 5»
and a Kyrgyz one «5-берене», whatever the first municipality typed. A reference the key does not
fully understand keeps the spelling of the group's first proposal."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.i18n import _

_PART = re.compile(r"^(art|part|point|sub|para)(\d+(?:[.\-]\d+)*)$")

# One template per part of an act, from the largest down; «{number}» is the part's number.
_TEMPLATES: dict[str, Callable[[], str]] = {
    "art": lambda: _("Article {number}"),
    "part": lambda: _("part {number}"),
    "point": lambda: _("point {number}"),
    "sub": lambda: _("subpoint {number}"),
    "para": lambda: _("paragraph {number}"),
}


def article_heading(key: str, first_spelling: str) -> str:
    """«Статья 5, часть 2» / «5-берене, 2-бөлүк» for the key «art5 part2»; else ``first_spelling``."""
    parts = [_PART.match(token) for token in key.split()]
    if not parts or not all(parts):
        return first_spelling
    return ", ".join(_TEMPLATES[m.group(1)]().format(number=m.group(2)) for m in parts if m)
