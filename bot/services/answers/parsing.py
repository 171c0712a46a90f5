"""What a head types into an answer: the limits, amounts of som and article references parsed, and long
texts that arrive in several messages joined."""

from __future__ import annotations

import enum
import re
from datetime import datetime, timedelta
from typing import Any

from bot.errors import N_, InvalidInput
from bot.validation import clean_paragraphs, clean_text

ARTICLE_MAX = 200
LONG_TEXT_MAX = 20_000  # a comment or a wording may come in several Telegram messages
MAX_AMENDMENTS = 50
# The parts of one pasted text are sent at the same moment; a message sent later than this after the
# previous part of a refused paste is the user's next attempt, not the rest of that paste.
PASTE_GAP = timedelta(seconds=10)
MAX_ATTACHMENTS = 10
MAX_COST = 10**13  # som; far above any municipal budget
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

_MULTIPLIERS = {
    "тыс": 10**3,
    "тысяч": 10**3,
    "тысячи": 10**3,
    "миң": 10**3,
    "мин": 10**3,
    "k": 10**3,
    "к": 10**3,
    "млн": 10**6,
    "миллион": 10**6,
    "миллиона": 10**6,
    "миллионов": 10**6,
    "m": 10**6,
    "млрд": 10**9,
    "миллиард": 10**9,
    "миллиарда": 10**9,
    "миллиардов": 10**9,
}
_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([^\d\s.,]+)?\.?$")


def parse_som(text: str | None) -> int:
    """«1 500 000», «1500000», «1,5 млн», «300 миң», «2 млрд сом» → som; anything else is refused."""
    value = (text or "").strip().lower()
    value = re.sub(r"\s*(сом|som|с)\.?$", "", value)
    value = re.sub(r"(?<=\d)[\s\u00a0\u202f'’](?=\d{3}\b)", "", value)  # thousands separators
    match = _NUMBER.match(value)
    if match is None:
        raise InvalidInput(N_("Please write the amount in som as a number, e.g. 1 500 000 or 1,5 млн."))
    number, unit = match.groups()
    if unit and unit not in _MULTIPLIERS:
        raise InvalidInput(N_("Please write the amount in som as a number, e.g. 1 500 000 or 1,5 млн."))
    if "," in number and not unit and len(number.split(",")[1]) == 3:
        number = number.replace(",", "")  # «1,500» written the English way
    amount = float(number.replace(",", ".")) * _MULTIPLIERS.get(unit or "", 1)
    if amount > MAX_COST:
        raise InvalidInput(N_("That amount is too large. Please check the number."))
    return round(amount)


def clean_article(text: str | None) -> str:
    return clean_text(text, max_length=ARTICLE_MAX)


class Part(enum.Enum):
    """What became of one message of a long text."""

    MORE = "more"  # kept; the rest of a longer text may follow
    DONE = "done"  # the text is whole
    REFUSED = "refused"  # the pasted text is over LONG_TEXT_MAX: none of it kept, the field as before
    IGNORED = "ignored"  # a further part of a text already refused


def too_long() -> InvalidInput:
    return InvalidInput(
        N_(
            "This text is longer than {limit} characters, the most one field of the answer can hold, "
            "so none of it was kept; what was saved before is unchanged. Please shorten it and send it again."
        ),
        limit=LONG_TEXT_MAX,
    )


# Long texts arrive in parts (Telegram splits at 4096 characters); they are joined and kept whole.
def join_part(
    data: dict[str, Any], holder: dict[str, Any], field: str, text: str, sent_at: datetime, *, more: bool
) -> Part:
    """Put one message of a long text into ``holder[field]``; ``data`` remembers where a paste stands.

    ``more``: the message is as long as Telegram's parts, so the rest of the text may follow. A paste
    whose joined length goes over the limit is refused whole: the field gets back the value it had
    before the paste, and the paste's remaining parts (sent within PASTE_GAP of each other) are ignored
    rather than joined to nothing or refused once each.
    """
    refused = data.pop("refused_paste", None)
    if refused and refused["more"] and sent_at.timestamp() - refused["at"] <= PASTE_GAP.total_seconds():
        data["refused_paste"] = {"at": sent_at.timestamp(), "more": more}
        return Part.IGNORED
    paste = data.pop("in_parts", None)  # True in drafts written before the value was kept
    before = paste.get("before") if isinstance(paste, dict) else None if paste else holder.get(field)
    text = clean_paragraphs(text, max_length=LONG_TEXT_MAX)
    joined = f"{holder[field]}\n{text}" if paste and holder.get(field) else text
    if len(joined) > LONG_TEXT_MAX:
        if before is None:
            holder.pop(field, None)
        else:
            holder[field] = before
        data["refused_paste"] = {"at": sent_at.timestamp(), "more": more}
        return Part.REFUSED
    holder[field] = joined
    if more:
        data["in_parts"] = {"before": before}
        return Part.MORE
    return Part.DONE

