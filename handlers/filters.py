"""Small filters shared by handlers."""

from __future__ import annotations

from aiogram.types import Message


def not_command(message: Message) -> bool:
    """True for anything that is not a /command, so commands still work inside a dialogue step."""
    return not (message.text or "").startswith("/")


def text_of(message: Message) -> str | None:
    """The text of a message; None for stickers, photos and the like, which the caller refuses."""
    return message.text
