"""Building plain text and entities while parsing formatted text (offsets in UTF-16)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class EntityParseError(Exception):
    """Markup that Telegram refuses with "can't parse entities"."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(slots=True)
class _Open:
    kind: str
    offset: int
    pos: int
    arg: str | None = None
    language: str | None = None


class _TextBuilder:
    """Collects plain text and entities while a parser walks the source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_Open] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.offset += utf16_len(text) if len(text) != 1 else (2 if ord(text) > 0xFFFF else 1)

    def open(self, kind: str, pos: int, arg: str | None = None) -> _Open:
        tag = _Open(kind, self.offset, pos, arg)
        self.stack.append(tag)
        return tag

    def emit(self, entity_type: str, start: int, **extra: Any) -> None:
        if self.offset > start:
            self.entities.append(
                {"type": entity_type, "offset": start, "length": self.offset - start, **extra}
            )

    def byte_offset(self, pos: int) -> int:
        return len(self.source[:pos].encode("utf-8"))

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities
