"""Formatted text to plain text and entities: the parse modes and the command entity."""

from __future__ import annotations

import re
from typing import Any

from devtools.emulator.errors import ApiError
from devtools.emulator.html_text import _parse_html
from devtools.emulator.markdown_text import _parse_markdown, _parse_markdown_v2
from devtools.emulator.text_builder import EntityParseError, utf16_len


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace as Telegram does, moving entity offsets along."""
    stripped = text.lstrip()
    lead = utf16_len(text[: len(text) - len(stripped)])
    stripped = stripped.rstrip()
    if lead == 0 and len(stripped) == len(text):
        return text, entities
    total = utf16_len(stripped)
    moved: list[dict[str, Any]] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved


def parse_entities(
    text: str, parse_mode: str | None, entities: Any = None
) -> tuple[str, list[dict[str, Any]]]:
    """Turn text as the bot sent it into (plain text, entities); ApiError for markup Telegram rejects."""
    mode = (parse_mode or "").strip().lower()
    try:
        if not mode:
            if entities is not None and not isinstance(entities, list):
                raise ApiError(400, "Bad Request: can't parse entities JSON object")
            plain, found = text, [dict(e) for e in entities or [] if isinstance(e, dict)]
        elif mode == "html":
            plain, found = _parse_html(text)
        elif mode == "markdownv2":
            plain, found = _parse_markdown_v2(text)
        elif mode == "markdown":
            plain, found = _parse_markdown(text)
        else:
            raise ApiError(400, "Bad Request: unsupported parse_mode")
    except EntityParseError as exc:
        raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
    return _trim(plain, found)


def _command_entities(text: str) -> list[dict[str, Any]]:
    """A leading /command (optionally /command@bot) gets a bot_command entity, as Telegram marks it."""
    match = re.match(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?", text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]
