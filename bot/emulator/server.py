"""An in-process emulator of the Telegram Bot API for end-to-end tests.

The real aiogram ``Bot`` with the real ``AiohttpSession`` talks HTTP to it
(``TelegramAPIServer.from_base(emulator.url)``); tests feed updates the way Telegram does and read
back what the bot sent. Error answers copy Telegram's status codes and descriptions so that the
bot's error handling is exercised exactly as in production.
"""

from __future__ import annotations

import asyncio
import json
import math
import mimetypes
import re
import secrets
import struct
import time
import zlib
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self

import aiohttp
from aiohttp import web

__all__ = [
    "BotApiEmulator",
    "CallbackQueryRecord",
    "EmulatedUser",
    "RequestRecord",
    "SentMessage",
    "StoredFile",
    "parse_entities",
    "utf16_len",
]

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024
MAX_PHOTO_BYTES: Final = 10 * 1024 * 1024
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024

# Telegram delivers every update type except these when allowed_updates was never given (or is []).
_NOT_DEFAULT_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Calls that post or change a message: these are what Telegram's flood control counts.
_RATE_LIMITED: Final = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_ACTIONS: Final = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_FILE_ID_PREFIX: Final = {
    "document": "BQACAgIAAxkBAAI",
    "photo": "AgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
}
_FILE_FOLDER: Final = {"document": "documents", "photo": "photos", "sticker": "stickers"}
_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
# A 512x512 WebP header: enough for a sticker the bot may download and inspect.
_STICKER_BYTES: Final = b"RIFF\x1a\x00\x00\x00WEBPVP8X\n\x00\x00\x00\x10\x00\x00\x00\xff\x01\x00\xff\x01\x00"


# --------------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class EmulatedUser:
    """A Telegram user who talks to the bot in a private chat."""

    id: int
    first_name: str = "Test"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    blocked: bool = False
    deactivated: bool = False
    phone_number: str | None = None

    def as_user(self) -> dict[str, Any]:
        """The ``User`` object Telegram puts into ``from``."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> dict[str, Any]:
        """The private ``Chat`` object with this user."""
        chat: dict[str, Any] = {"id": self.id, "first_name": self.first_name, "type": "private"}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass(eq=False)
class StoredFile:
    """A file in the emulator's store (uploaded by the bot or by a user)."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes = field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    uploaded_by_bot: bool = False
    group: str | None = None

    @property
    def size(self) -> int:
        """File size in bytes."""
        return len(self.data)

    def as_document(self) -> dict[str, Any]:
        """The ``Document`` object."""
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def as_photo_size(self) -> dict[str, Any]:
        """The ``PhotoSize`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width or 0,
            "height": self.height or 0,
        }


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, as the user sees it now (edits update it in place)."""

    chat_id: int
    message_id: int
    date: int
    text: str = ""
    html: str = ""
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    caption: str | None = None
    caption_html: str | None = None
    edited: bool = False
    deleted: bool = False
    edit_date: int | None = None
    history: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """Rows of inline buttons (empty when the message has none)."""
        if not self.reply_markup:
            return []
        return list(self.reply_markup.get("inline_keyboard") or [])

    @property
    def reply_keyboard(self) -> list[list[dict[str, Any]]]:
        """Rows of reply-keyboard buttons this message set (strings normalised to ``{"text": ...}``)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("keyboard") or []
        return [[{"text": b} if isinstance(b, str) else b for b in row] for row in rows]

    @property
    def buttons(self) -> list[str]:
        """Visible texts of all buttons attached to this message."""
        return [b.get("text", "") for row in self.inline_keyboard + self.reply_keyboard for b in row]

    def button(self, text: str) -> dict[str, Any] | None:
        """The inline button with exactly this text, if any."""
        for row in self.inline_keyboard:
            for button in row:
                if button.get("text") == text:
                    return button
        return None


@dataclass(slots=True)
class RequestRecord:
    """One Bot API call as the emulator received it."""

    method: str
    time: float
    params: dict[str, Any]
    files: tuple[str, ...] = ()


@dataclass(eq=False)
class CallbackQueryRecord:
    """A callback query sent to the bot and how the bot answered it."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None


class ApiError(Exception):
    """An error answer exactly as Telegram sends it."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON body of the error answer."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def _too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


# --------------------------------------------------------------------------------------------------
# Formatted text: HTML, MarkdownV2 and legacy Markdown the way Telegram parses them
# --------------------------------------------------------------------------------------------------

_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_TYPES: Final = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_HTML_SPACE: Final = frozenset(" \t\r\n\v\f")
_NAMED_ENTITIES: Final = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NUMERIC_ENTITY: Final = re.compile(r"#(?:[0-9]{1,8}|[xX][0-9a-fA-F]{1,8})")
_MDV2_SPECIAL: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MD_TITLES: Final = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "link": "TextUrl",
    "emoji": "CustomEmoji",
    "blockquote": "BlockQuote",
    "expandable_blockquote": "BlockQuote",
}


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


def _decode_html_entity(src: str, pos: int) -> tuple[str, int] | None:
    """Decode ``&...;`` at ``pos``; None when it is not an entity Telegram knows (then ``&`` is literal)."""
    end = src.find(";", pos + 1, pos + 12)
    if end == -1:
        return None
    body = src[pos + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end + 1
    if not _NUMERIC_ENTITY.fullmatch(body):
        return None
    code = int(body[2:], 16) if body[1] in "xX" else int(body[1:])
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), end + 1


def _parse_html(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram's HTML subset; raise EntityParseError with Telegram's wording on bad markup."""
    b = _TextBuilder(src)
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch == "&":
            decoded = _decode_html_entity(src, i)
            if decoded is not None:
                b.add(decoded[0])
                i = decoded[1]
                continue
        if ch != "<":
            b.add(ch)
            i += 1
            continue
        start = i
        i += 1
        if i < n and src[i] == "/":
            i = _close_html_tag(b, src, start, i + 1)
        else:
            i = _open_html_tag(b, src, start, i)
    if b.stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{b.stack[-1].kind}"')
    return b.result()


def _open_html_tag(b: _TextBuilder, src: str, start: int, i: int) -> int:
    n = len(src)
    name_start = i
    while i < n and src[i] not in _HTML_SPACE and src[i] != ">":
        i += 1
    if i >= n:
        raise EntityParseError(f"Unclosed start tag at byte offset {b.byte_offset(start)}")
    name = src[name_start:i].lower()
    if name not in _HTML_TAGS:
        raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {b.byte_offset(start)}')
    attrs: dict[str, str] = {}
    while True:
        while i < n and src[i] in _HTML_SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {b.byte_offset(start)}")
        if src[i] == ">":
            i += 1
            break
        attr_start = i
        while i < n and src[i] not in _HTML_SPACE and src[i] not in "=>":
            i += 1
        attr = src[attr_start:i]
        if not attr:
            raise EntityParseError(
                f'Empty attribute name in the tag "{name}" at byte offset {b.byte_offset(start)}'
            )
        while i < n and src[i] in _HTML_SPACE:
            i += 1
        if i >= n or src[i] != "=":
            if name == "blockquote" and attr == "expandable":
                attrs[attr] = ""
                continue
            raise EntityParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{name}" at byte offset {b.byte_offset(start)}'
            )
        i += 1
        while i < n and src[i] in _HTML_SPACE:
            i += 1
        if i >= n:
            raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {b.byte_offset(start)}')
        if src[i] in "\"'":
            quote = src[i]
            i += 1
            value: list[str] = []
            while i < n and src[i] != quote:
                decoded = _decode_html_entity(src, i) if src[i] == "&" else None
                if decoded is not None:
                    value.append(decoded[0])
                    i = decoded[1]
                else:
                    value.append(src[i])
                    i += 1
            i += 1
            attrs[attr] = "".join(value)
        else:
            token_start = i
            while i < n and (src[i].isalnum() or src[i] in ".-"):
                i += 1
            if i < n and src[i] not in _HTML_SPACE and src[i] != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {b.byte_offset(token_start)}"
                )
            attrs[attr] = src[token_start:i].lower()
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {b.byte_offset(start)}")
    arg: str | None = None
    if name == "a":
        arg = attrs.get("href")
    elif name == "code" and attrs.get("class", "").startswith("language-"):
        arg = attrs["class"][len("language-") :]
    elif name == "span":
        if attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {b.byte_offset(start)}'
            )
    elif name == "tg-emoji":
        arg = attrs.get("emoji-id")
    elif name == "blockquote" and "expandable" in attrs:
        arg = "expandable"
    b.open(name, start, arg)
    return i


def _close_html_tag(b: _TextBuilder, src: str, start: int, i: int) -> int:
    n = len(src)
    if not b.stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {b.byte_offset(start)}")
    name_start = i
    while i < n and src[i] not in _HTML_SPACE and src[i] != ">":
        i += 1
    end_name = src[name_start:i].lower()
    while i < n and src[i] in _HTML_SPACE:
        i += 1
    if i >= n or src[i] != ">":
        raise EntityParseError(f"Unclosed end tag at byte offset {b.byte_offset(start)}")
    tag = b.stack.pop()
    if end_name and end_name != tag.kind:
        raise EntityParseError(
            f'Unmatched end tag at byte offset {b.byte_offset(start)}, expected "</{tag.kind}>", '
            f'found "</{end_name}>"'
        )
    if tag.kind in _SIMPLE_TAG_TYPES:
        b.emit(_SIMPLE_TAG_TYPES[tag.kind], tag.offset)
    elif tag.kind == "a":
        # Telegram drops links without a usable href rather than failing the message.
        if tag.arg:
            b.emit("text_link", tag.offset, url=tag.arg)
    elif tag.kind == "code":
        parent = b.stack[-1] if b.stack else None
        if parent is not None and parent.kind == "pre":
            # <pre><code class="language-x"> is one pre entity with a language, not two entities.
            parent.language = parent.language or tag.arg
        else:
            b.emit("code", tag.offset)
    elif tag.kind == "pre":
        if tag.language:
            b.emit("pre", tag.offset, language=tag.language)
        else:
            b.emit("pre", tag.offset)
    elif tag.kind == "tg-emoji":
        if tag.arg:
            b.emit("custom_emoji", tag.offset, custom_emoji_id=tag.arg)
    elif tag.kind == "blockquote":
        b.emit("expandable_blockquote" if tag.arg else "blockquote", tag.offset)
    return i + 1


def _md_unclosed(b: _TextBuilder, tag: _Open) -> EntityParseError:
    title = _MD_TITLES.get(tag.kind, tag.kind)
    return EntityParseError(f"Can't find end of {title} entity at byte offset {b.byte_offset(tag.pos)}")


def _md_close(b: _TextBuilder, url: str | None = None) -> None:
    tag = b.stack.pop()
    if tag.kind == "link":
        if url:
            b.emit("text_link", tag.offset, url=url)
    elif tag.kind == "emoji":
        match = re.fullmatch(r"tg://emoji\?id=(\d+)", url or "")
        if match:
            b.emit("custom_emoji", tag.offset, custom_emoji_id=match.group(1))
    elif tag.kind == "pre":
        if tag.arg:
            b.emit("pre", tag.offset, language=tag.arg)
        else:
            b.emit("pre", tag.offset)
    else:
        b.emit(tag.kind, tag.offset)


def _md_toggle(b: _TextBuilder, kind: str, pos: int) -> None:
    if b.stack and b.stack[-1].kind == kind:
        _md_close(b)
    elif any(t.kind == kind for t in b.stack):
        raise _md_unclosed(b, b.stack[-1])
    else:
        b.open(kind, pos)


def _parse_markdown_v2(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse MarkdownV2, insisting on escaped reserved characters as Telegram does."""
    b = _TextBuilder(src)
    i, n = 0, len(src)
    while i < n:
        ch = src[i]
        if ch == "\\" and i + 1 < n and 0 < ord(src[i + 1]) < 127:
            b.add(src[i + 1])
            i += 2
            continue
        top = b.stack[-1] if b.stack else None
        if top is not None and top.kind in ("code", "pre"):
            if top.kind == "code" and ch == "`":
                _md_close(b)
                i += 1
            elif top.kind == "pre" and src.startswith("```", i):
                _md_close(b)
                i += 3
            else:
                b.add(ch)
                i += 1
            continue
        line_start = i == 0 or src[i - 1] == "\n"
        if line_start and (ch == ">" or src.startswith("**>", i)):
            kind = "blockquote" if ch == ">" else "expandable_blockquote"
            if not any(t.kind.endswith("blockquote") for t in b.stack):
                b.open(kind, i)
            i += 1 if ch == ">" else 3
            continue
        closes_expandable = (
            src.startswith("||", i)
            and (i + 2 == n or src[i + 2] == "\n")
            and top is not None
            and top.kind == "expandable_blockquote"
        )
        if ch == "\n" or closes_expandable:
            quote_ends = closes_expandable or not src.startswith((">", "**>"), i + 1)
            if top is not None and top.kind.endswith("blockquote") and quote_ends:
                _md_close(b)
            elif quote_ends and any(t.kind.endswith("blockquote") for t in b.stack) and top is not None:
                raise _md_unclosed(b, top)
            if closes_expandable:
                i += 2
                continue
            b.add(ch)
            i += 1
            continue
        if ch not in _MDV2_SPECIAL:
            b.add(ch)
            i += 1
            continue
        if ch == "*":
            _md_toggle(b, "bold", i)
            i += 1
        elif ch == "_":
            if src.startswith("__", i):
                _md_toggle(b, "underline", i)
                i += 2
            else:
                _md_toggle(b, "italic", i)
                i += 1
        elif ch == "~":
            _md_toggle(b, "strikethrough", i)
            i += 1
        elif ch == "|" and src.startswith("||", i):
            _md_toggle(b, "spoiler", i)
            i += 2
        elif ch == "`":
            if src.startswith("```", i):
                j = i + 3
                k = j
                while k < n and src[k] not in " \t\n`":
                    k += 1
                at_newline = k < n and src[k] == "\n"
                b.open("pre", i, src[j:k] if at_newline and k > j else None)
                # The language line (or a bare newline right after ```) is not part of the code.
                i = k + 1 if at_newline else j
            else:
                b.open("code", i)
                i += 1
        elif ch == "[":
            b.open("link", i)
            i += 1
        elif ch == "!" and src.startswith("![", i):
            b.open("emoji", i)
            i += 2
        elif ch == "]" and top is not None and top.kind in ("link", "emoji"):
            i += 1
            url: str | None = None
            if i < n and src[i] == "(":
                i += 1
                chars: list[str] = []
                while i < n and src[i] != ")":
                    if src[i] == "\\" and i + 1 < n:
                        i += 1
                    chars.append(src[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(f"Can't find end of a URL at byte offset {b.byte_offset(i)}")
                i += 1
                url = "".join(chars)
            _md_close(b, url)
        else:
            raise EntityParseError(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
    if b.stack and b.stack[-1].kind.endswith("blockquote"):
        _md_close(b)
    if b.stack:
        raise _md_unclosed(b, b.stack[-1])
    return b.result()


def _parse_markdown(src: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse legacy Markdown: no nesting, only ``_*`[`` are special."""
    b = _TextBuilder(src)
    i, n = 0, len(src)
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    while i < n:
        ch = src[i]
        if ch == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            b.add(src[i + 1])
            i += 2
            continue
        if ch not in "_*`[":
            b.add(ch)
            i += 1
            continue
        unclosed = EntityParseError(
            f"Can't find end of the entity starting at byte offset {b.byte_offset(i)}"
        )
        if ch == "[":
            close = src.find("]", i + 1)
            if close == -1:
                raise unclosed
            start = b.offset
            b.add(src[i + 1 : close])
            i = close + 1
            if i < n and src[i] == "(":
                url_end = src.find(")", i + 1)
                if url_end == -1:
                    raise unclosed
                b.emit("text_link", start, url=src[i + 1 : url_end])
                i = url_end + 1
        elif src.startswith("```", i):
            close = src.find("```", i + 3)
            if close == -1:
                raise unclosed
            body = src[i + 3 : close]
            first, newline, rest = body.partition("\n")
            # The first line names the language; an empty first line is just dropped.
            language = (first or None) if newline and " " not in first else None
            start = b.offset
            b.add(rest if newline and " " not in first else body)
            if language:
                b.emit("pre", start, language=language)
            else:
                b.emit("pre", start)
            i = close + 3
        else:
            close = src.find(ch, i + 1)
            if close == -1:
                raise unclosed
            start = b.offset
            b.add(src[i + 1 : close])
            b.emit(kinds[ch], start)
            i = close + 1
    return b.result()


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


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _image_info(data: bytes) -> tuple[str, int, int] | None:
    """(mime type, width, height) read from an image header; None when the bytes are no image."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return "image/gif", width, height
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return "image/bmp", abs(width), abs(height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8X":
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
        elif chunk == b"VP8 ":
            width, height = (v & 0x3FFF for v in struct.unpack("<HH", data[26:30]))
        elif chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        else:
            return None
        return "image/webp", width, height
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 <= len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            if marker == 0xFF:
                i += 1
                continue
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return "image/jpeg", width, height
            i += 2 + struct.unpack(">H", data[i + 2 : i + 4])[0]
        return None
    return None


def _photo_dimensions(width: int, height: int) -> list[tuple[int, int]]:
    """The sizes Telegram makes of a photo: thumbnails up to the (capped) original."""
    sizes: list[tuple[int, int]] = []
    longest = max(width, height)
    for limit in (90, 320, 800, 1280, 2560):
        if longest > limit:
            scale = limit / longest
            sizes.append((max(1, round(width * scale)), max(1, round(height * scale))))
        else:
            sizes.append((width, height))
            break
    return sizes


def _normal_markup(markup: dict[str, Any] | None) -> Any:
    """Inline markup in a comparable form (None and an empty keyboard are the same)."""
    if not markup or not markup.get("inline_keyboard"):
        return None
    return json.dumps(markup["inline_keyboard"], sort_keys=True)


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


@dataclass(slots=True)
class _Upload:
    filename: str
    content_type: str
    data: bytes


class _Params:
    """Request parameters from a query string, form, multipart body or JSON body."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, _Upload] | None = None) -> None:
        self.values = values
        self.uploads = uploads or {}

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value) if isinstance(value, dict | list | bool) else str(value)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise ApiError(400, f"Bad Request: invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def json(self, name: str, what: str | None = None) -> Any:
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        if value == "":
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {what or name} JSON object") from None

    def file(self, name: str) -> _Upload | str | None:
        """A file field: an uploaded part, ``attach://<part>``, or a file_id / URL string."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.text(name)
        if value is None or value == "":
            return None
        if value.startswith("attach://"):
            part = self.uploads.get(value[len("attach://") :])
            if part is None:
                raise ApiError(400, f"Bad Request: can't find {value} in the request")
            return part
        return value

    def loggable(self) -> tuple[dict[str, Any], tuple[str, ...]]:
        files = tuple(f"{key}: {u.filename} ({len(u.data)} bytes)" for key, u in self.uploads.items())
        return self.values, files


async def _read_params(request: web.Request) -> _Params:
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, _Upload] = {}
    if not request.body_exists:
        return _Params(values, uploads)
    ctype = request.content_type
    try:
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError(400, "Bad Request: can't parse JSON body") from None
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: JSON body must be an object")
            values.update(body)
        elif ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = _Upload(value.filename, value.content_type, value.file.read())
                elif isinstance(value, bytes | bytearray):
                    values[key] = bytes(value).decode("utf-8", "replace")
                else:
                    values[key] = value
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    return _Params(values, uploads)


class _Notifier:
    """Wake every waiter on any state change; callable from sync code, no lock needed."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, limit: float | None) -> None:
        """Return on the next notify() or after ``limit`` seconds."""
        event = self._event
        if limit is None:
            await event.wait()
            return
        try:
            await asyncio.wait_for(event.wait(), limit)
        except TimeoutError:
            pass


class _SlidingWindow:
    """At most ``rate`` accepted calls in any one-second window."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.times: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        while self.times and self.times[0] <= now - 1.0:
            self.times.popleft()
        if len(self.times) + 1 > self.rate:
            return max(1, math.ceil(self.times[0] + 1.0 - now)) if self.times else 1
        return None

    def add(self, now: float) -> None:
        self.times.append(now)


@dataclass(eq=False)
class _Injection:
    remaining: int
    error_code: int
    retry_after: int
    method: str | None
    chat_id: int | None
    description: str | None


@dataclass(eq=False)
class _Webhook:
    url: str
    secret_token: str | None
    token: str
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(slots=True)
class _Call:
    token: str
    params: _Params


@dataclass(slots=True)
class _Described:
    """A result that Telegram sends with a ``description`` (setWebhook, deleteWebhook)."""

    value: Any
    description: str


_Handler = Callable[[_Call], Awaitable[Any]]


# --------------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------------


class BotApiEmulator:
    """A Telegram Bot API server on 127.0.0.1 with inspectable state and injectable faults."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        global_rate: float | None = None,
        per_chat_rate: float | None = None,
        bot_username: str = "pikir_test_bot",
        bot_first_name: str = "Pikir",
        quiet_period: float = 0.03,
        webhook_timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.host = host
        self.port = port
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.quiet_period = quiet_period
        self.webhook_timeout = webhook_timeout
        self.clock = clock

        self.users: dict[int, EmulatedUser] = {}
        self.requests: list[RequestRecord] = []
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.count_429 = 0
        self.sends_per_chat: Counter[int] = Counter()
        self.total_sends = 0

        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._closing = False
        self._notifier = _Notifier()
        self._inflight = 0
        self._activity = 0

        self._known_chats: set[int] = set()
        self._chats: dict[int, dict[int, SentMessage]] = {}
        self._all: list[SentMessage] = []
        self._chat_log: dict[int, list[int]] = {}
        self._next_message_id: dict[int, int] = {}
        self._user_messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._deleted_user_messages: set[tuple[int, int]] = set()
        self._reply_keyboards: dict[int, SentMessage] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_paths: dict[str, StoredFile] = {}
        self._photo_groups: dict[str, list[StoredFile]] = {}
        self._file_counter = 0
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._query_counter = 0

        self._pending: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._confirmed_offset = 0
        self._delivered_upto = 0
        self._done_ids: set[int] = set()
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook: _Webhook | None = None
        self._bot_user: dict[str, Any] | None = None

        self._injections: list[_Injection] = []
        self._refused_tokens: set[str] = set()
        self._global_window: _SlidingWindow | None = None
        self._chat_windows: dict[int, _SlidingWindow] = {}

        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", self._get_me),
                ("getUpdates", self._get_updates),
                ("setWebhook", self._set_webhook),
                ("deleteWebhook", self._delete_webhook),
                ("getWebhookInfo", self._get_webhook_info),
                ("sendMessage", self._send_message),
                ("editMessageText", self._edit_message_text),
                ("editMessageCaption", self._edit_message_caption),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("answerCallbackQuery", self._answer_callback_query),
                ("deleteMessage", self._delete_message),
                ("deleteMessages", self._delete_messages),
                ("sendDocument", self._send_document),
                ("sendPhoto", self._send_photo),
                ("getFile", self._get_file),
                ("setMyCommands", self._set_my_commands),
                ("getMyCommands", self._get_my_commands),
                ("deleteMyCommands", self._delete_my_commands),
                ("sendChatAction", self._send_chat_action),
                ("close", self._true),
                ("logOut", self._true),
                # Startup cosmetics a bot may call; accepted so that they never break a test run.
                ("setMyDescription", self._true),
                ("setMyShortDescription", self._true),
                ("setMyName", self._true),
                ("setChatMenuButton", self._true),
            )
        }

    # ---- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Listen on host:port (port 0 picks a free one) and start the webhook sender."""
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown)
        # Cancel handlers of dropped connections so abandoned long polls do not linger.
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._closing = False
        self._http = aiohttp.ClientSession()
        self._webhook_task = asyncio.create_task(self._webhook_loop())

    async def stop(self) -> None:
        """Answer pending long polls, stop the webhook sender and close the server."""
        self._closing = True
        self._notifier.notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            try:
                await self._webhook_task
            except asyncio.CancelledError:
                pass
            self._webhook_task = None
        if self._http is not None:
            await self._http.close()
            self._http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Base URL for ``TelegramAPIServer.from_base`` / ``TELEGRAM_API_URL``."""
        if self._runner is None:
            raise RuntimeError("the emulator is not started")
        return f"http://{self.host}:{self.port}"

    # ---- users and updates ----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> EmulatedUser:
        """Register (or update) a user; the chat exists for the bot only after the user's first update."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = EmulatedUser(user_id, first_name)
        user.first_name = first_name
        user.last_name = last_name
        user.username = username
        user.language_code = language_code
        return user

    def open_chat(
        self, user_id: int, first_name: str = "Test", language_code: str | None = None
    ) -> EmulatedUser:
        """A user who started the bot some time ago: the bot may message them without a new update."""
        user = self.users.get(user_id) or self.add_user(user_id, first_name, language_code=language_code)
        self._known_chats.add(user_id)
        return user

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is assigned here) and return the update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        queued = {**update, "update_id": update_id}
        self._note_update(queued)
        self._pending.append(queued)
        self._notifier.notify()
        return update_id

    async def feed(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot (getUpdates or webhook) and return its update_id."""
        return self.push_update(update)

    async def wait_processed(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has handled the update and its API calls have settled.

        Polling: a later getUpdates confirmed it (offset > update_id). Webhook: the POST returned.
        Then no API call may be in flight for ``quiet_period`` so that trailing sends are captured.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if not await self._wait_until(lambda: self._is_done(update_id), deadline):
            raise TimeoutError(self._stall_reason(update_id, timeout))
        if not await self._wait_quiet(deadline):
            raise TimeoutError(
                f"update {update_id} was processed, but Bot API calls did not settle within {timeout}s"
            )

    async def wait_answered(self, query_ids: list[str], timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has answered each of these callback queries and its API calls settled.

        Exact also with ``handle_as_tasks=True``, where a confirmed update may still be in hand: every
        press is answered in the end (with an alert, if refused), and the answer is an API call.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        records = [self.callback_queries[query_id] for query_id in query_ids]
        if not await self._wait_until(lambda: all(r.answered for r in records), deadline):
            waiting = [r.id for r in records if not r.answered]
            raise TimeoutError(f"{len(waiting)} callback queries were not answered within {timeout}s")
        if not await self._wait_quiet(deadline):
            raise TimeoutError(f"the presses were answered, but Bot API calls did not settle in {timeout}s")

    def build_text_update(self, user_id: int, text: str) -> dict[str, Any]:
        """A private-chat text message from the user (a leading /command gets its bot_command entity)."""
        message = self._user_message(user_id)
        message["text"] = text
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        return {"message": message}

    def build_document_update(
        self, user_id: int, file: StoredFile, caption: str | None = None
    ) -> dict[str, Any]:
        """A private-chat document message; ``file`` comes from :meth:`upload_user_file`."""
        message = self._user_message(user_id)
        message["document"] = file.as_document()
        if caption:
            message["caption"] = caption
        return {"message": message}

    def build_photo_update(self, user_id: int, content: bytes, caption: str | None = None) -> dict[str, Any]:
        """A private-chat photo message with the sizes Telegram would make."""
        info = _image_info(content)
        width, height = (info[1], info[2]) if info and info[1] and info[2] else (1280, 960)
        sizes = self._new_photo(content, width, height, by_bot=False)
        message = self._user_message(user_id)
        message["photo"] = [s.as_photo_size() for s in sizes]
        if caption:
            message["caption"] = caption
        return {"message": message}

    def build_sticker_update(self, user_id: int, emoji: str = "👍") -> dict[str, Any]:
        """A private-chat message with a regular static sticker."""
        sticker = self._new_file("sticker", _STICKER_BYTES, file_name=None, mime_type="image/webp")
        sticker.width = sticker.height = 512
        message = self._user_message(user_id)
        message["sticker"] = {
            "file_id": sticker.file_id,
            "file_unique_id": sticker.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "PikirTestStickers",
            "file_size": sticker.size,
        }
        return {"message": message}

    def build_contact_update(self, user_id: int, phone_number: str) -> dict[str, Any]:
        """The user shares their own contact (a request_contact keyboard button)."""
        user = self._user(user_id)
        message = self._user_message(user_id)
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": user.first_name,
            "user_id": user_id,
        }
        if user.last_name:
            contact["last_name"] = user.last_name
        message["contact"] = contact
        return {"message": message}

    def build_callback_update(self, user_id: int, message: SentMessage, data: str) -> dict[str, Any]:
        """A press of an inline button with ``data`` under ``message`` (sent along, as Telegram does)."""
        user = self._user(user_id)
        self._query_counter += 1
        query_id = str(4_000_000_000_000_000_000 + self._query_counter)
        self.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user_id, message.chat_id, message.message_id, data
        )
        return {
            "callback_query": {
                "id": query_id,
                "from": user.as_user(),
                "message": json.loads(json.dumps(message.raw)),
                "chat_instance": str((message.chat_id * 2_654_435_761) % (1 << 62)),
                "data": data,
            }
        }

    def upload_user_file(
        self,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        kind: str = "document",
    ) -> StoredFile:
        """Put a user's file into the store, as the Telegram client uploads it before sending."""
        return self._new_file(kind, content, file_name=file_name, mime_type=mime_type)

    def block(self, user_id: int) -> int | None:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update is queued."""
        user = self._user(user_id)
        was_blocked, user.blocked = user.blocked, True
        return None if was_blocked else self._member_update(user, "member", "kicked")

    def unblock(self, user_id: int) -> int | None:
        """The user unblocks the bot (Telegram sends my_chat_member with status member)."""
        user = self._user(user_id)
        was_blocked, user.blocked = user.blocked, False
        return self._member_update(user, "kicked", "member") if was_blocked else None

    # ---- inspection -----------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to this chat, oldest first (deleted ones have ``deleted`` set)."""
        return list(self._chats.get(chat_id, {}).values())

    def all_messages(self) -> list[SentMessage]:
        """Every message the bot sent, in sending order."""
        return list(self._all)

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """One bot message by id."""
        return self._chats.get(chat_id, {}).get(message_id)

    def reply_keyboard(self, chat_id: int) -> SentMessage | None:
        """The message whose reply keyboard is currently shown in the chat, if any."""
        return self._reply_keyboards.get(chat_id)

    def chat_cursor(self, chat_id: int) -> int:
        """A mark in the chat's change log, for :meth:`changes_since`."""
        return len(self._chat_log.get(chat_id, ()))

    def changes_since(self, chat_id: int, cursor: int) -> list[SentMessage]:
        """Messages sent or edited in the chat after ``cursor`` (not deleted), in order of first change."""
        seen: dict[int, None] = dict.fromkeys(self._chat_log.get(chat_id, [])[cursor:])
        chat = self._chats.get(chat_id, {})
        return [chat[mid] for mid in seen if mid in chat and not chat[mid].deleted]

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file by file_id."""
        return self._files.get(file_id)

    def commands(
        self, scope: str | dict[str, Any] = "default", language_code: str = ""
    ) -> list[dict[str, str]]:
        """Commands set for exactly this scope (``"default"``, ``{"type": "chat", "chat_id": 1}`` ...)."""
        return list(self._commands.get((self._scope_key(scope, strict=False), language_code), []))

    def visible_commands(self, user_id: int) -> list[dict[str, str]]:
        """The command menu the user sees in the private chat, resolved like Telegram does."""
        user = self.users.get(user_id)
        language = (user.language_code or "") if user else ""
        for scope in (f"chat:{user_id}", "all_private_chats", "default"):
            for lang in dict.fromkeys((language, "")):
                found = self._commands.get((scope, lang))
                if found:
                    return list(found)
        return []

    def calls(self, method: str) -> list[RequestRecord]:
        """Logged requests of one method (case-insensitive)."""
        name = method.lower()
        return [r for r in self.requests if r.method.lower() == name]

    @property
    def webhook_url(self) -> str | None:
        """The webhook URL set by the bot, if any."""
        return self._webhook.url if self._webhook else None

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed."""
        return len(self._pending)

    # ---- faults ---------------------------------------------------------------------------------

    def fail_next(
        self,
        count: int = 1,
        error_code: int = 429,
        retry_after: int = 1,
        method: str | None = None,
        chat_id: int | None = None,
        description: str | None = None,
    ) -> None:
        """Fail the next ``count`` matching calls with ``error_code`` (429 carries ``retry_after``).

        ``method=None`` matches every method except getUpdates (so polling does not eat the fault);
        pass ``method="getUpdates"`` to break polling itself. ``chat_id`` restricts to one chat.
        """
        self._injections.append(
            _Injection(
                count, error_code, retry_after, method.lower() if method else None, chat_id, description
            )
        )

    def refuse_token(self, token: str) -> None:
        """Answer every call made with ``token`` as Telegram answers a revoked or mistyped one: 401."""
        self._refused_tokens.add(token)

    def _maybe_inject(self, name: str, params: _Params) -> None:
        for injection in self._injections:
            if injection.remaining <= 0:
                continue
            if injection.method is None and name == "getupdates":
                continue
            if injection.method is not None and injection.method != name:
                continue
            if injection.chat_id is not None and str(params.raw("chat_id")) != str(injection.chat_id):
                continue
            injection.remaining -= 1
            self._injections = [i for i in self._injections if i.remaining > 0]
            code = injection.error_code
            if code == 429:
                raise _too_many_requests(injection.retry_after)
            default = {
                400: "Bad Request",
                403: "Forbidden: bot was blocked by the user",
                500: "Internal Server Error",
                502: "Bad Gateway",
                503: "Service Unavailable",
                504: "Gateway Timeout",
            }.get(code, "Error")
            raise ApiError(code, injection.description or default)

    def _consume_rate(self, chat_id: int) -> None:
        """Admit one send or answer 429 (nothing is stored then)."""
        now = time.monotonic()
        waits: list[int] = []
        # Windows follow the current rate attributes, so a test may change the limits at any time.
        if not self.global_rate:
            self._global_window = None
        elif self._global_window is None or self._global_window.rate != self.global_rate:
            self._global_window = _SlidingWindow(self.global_rate)
        if self._global_window is not None:
            wait = self._global_window.retry_after(now)
            if wait is not None:
                waits.append(wait)
        chat_window: _SlidingWindow | None = None
        if self.per_chat_rate:
            chat_window = self._chat_windows.get(chat_id)
            if chat_window is None or chat_window.rate != self.per_chat_rate:
                chat_window = self._chat_windows[chat_id] = _SlidingWindow(self.per_chat_rate)
            wait = chat_window.retry_after(now)
            if wait is not None:
                waits.append(wait)
        if waits:
            raise _too_many_requests(max(waits))
        if self._global_window is not None:
            self._global_window.add(now)
        if chat_window is not None:
            chat_window.add(now)
        self.sends_per_chat[chat_id] += 1
        self.total_sends += 1

    # ---- HTTP -----------------------------------------------------------------------------------

    def _begin(self) -> None:
        self._inflight += 1
        self._activity += 1
        self._notifier.notify()

    def _end(self) -> None:
        self._inflight -= 1
        self._notifier.notify()

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        # A waiting long poll is not "bot activity": only other calls hold back wait_processed.
        tracked = method.lower() != "getupdates"
        if tracked:
            self._begin()
        try:
            try:
                params = await _read_params(request)
            except ApiError as exc:
                return web.json_response(exc.body(), status=exc.code)
            status, body = await self._execute(token, method, params)
            return web.json_response(body, status=status)
        finally:
            if tracked:
                self._end()

    async def _execute(self, token: str, method: str, params: _Params) -> tuple[int, dict[str, Any]]:
        name = method.lower()
        canonical, handler = self._methods.get(name, (method, None))
        values, files = params.loggable()
        self.requests.append(RequestRecord(canonical, time.time(), values, files))
        if token in self._refused_tokens:
            return 401, ApiError(401, "Unauthorized").body()
        self._bot_user = self._bot_user_for(token)
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            self._maybe_inject(name, params)
            result = await handler(_Call(token, params))
        except ApiError as exc:
            if exc.code == 429:
                self.count_429 += 1
            return exc.code, exc.body()
        if isinstance(result, _Described):
            return 200, {"ok": True, "result": result.value, "description": result.description}
        return 200, {"ok": True, "result": result}

    async def _handle_download(self, request: web.Request) -> web.StreamResponse:
        self._begin()
        try:
            stored = self._file_paths.get(request.match_info["path"])
            if stored is None:
                return web.json_response(ApiError(404, "Not Found").body(), status=404)
            return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")
        finally:
            self._end()

    async def _handle_unknown(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    # ---- update queue ---------------------------------------------------------------------------

    def _is_done(self, update_id: int) -> bool:
        return update_id < self._confirmed_offset or update_id in self._done_ids

    def _stall_reason(self, update_id: int, timeout: float) -> str:
        if self._webhook is not None:
            hook = self._webhook
            return (
                f"update {update_id} was not processed within {timeout}s: webhook {hook.url} "
                f"did not accept it (last error: {hook.last_error_message})"
            )
        if update_id <= self._delivered_upto:
            return (
                f"update {update_id} was delivered by getUpdates but not confirmed within {timeout}s: "
                "is a handler stuck? Polling must run with handle_as_tasks=False for exact waiting."
            )
        return f"update {update_id} was never fetched within {timeout}s: is the bot polling this emulator?"

    async def _wait_until(self, predicate: Callable[[], bool], deadline: float | None) -> bool:
        loop = asyncio.get_running_loop()
        while not predicate():
            if deadline is None:
                await self._notifier.wait(None)
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await self._notifier.wait(remaining)
        return True

    async def _wait_quiet(self, deadline: float) -> bool:
        """Wait until no API call has been in flight for ``quiet_period``."""
        loop = asyncio.get_running_loop()
        while True:
            if not await self._wait_until(lambda: self._inflight == 0, deadline):
                return False
            seen = self._activity
            # The window starts now, not at the last call's end: a handler that made no call yet may
            # still be about to make one (handle_as_tasks=True, background tasks).
            quiet_end = loop.time() + self.quiet_period
            if not await self._wait_until(lambda seen=seen: self._activity != seen, quiet_end):
                return True
            if loop.time() >= deadline:
                return False

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = next((k for k in update if k != "update_id"), "")
        if not self._allowed_updates:
            return kind not in _NOT_DEFAULT_UPDATES
        return kind in self._allowed_updates

    def _drop_pending(self) -> None:
        for update in self._pending:
            self._done_ids.add(update["update_id"])
        self._pending.clear()
        self._notifier.notify()

    def _set_allowed_updates(self, allowed: Any) -> None:
        # Telegram keeps the previous setting when the parameter is absent; [] means "the default set".
        if isinstance(allowed, list):
            self._allowed_updates = [str(a) for a in allowed] or None

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            while self._pending and self._pending[0]["update_id"] < offset:
                self._pending.popleft()
            if offset > self._confirmed_offset:
                self._confirmed_offset = offset
                self._notifier.notify()
        elif offset < 0:
            keep = list(self._pending)[offset:]
            for update in list(self._pending)[: len(self._pending) - len(keep)]:
                self._done_ids.add(update["update_id"])
            self._pending = deque(keep)
            self._notifier.notify()

    def _take_batch(self, limit: int) -> list[dict[str, Any]]:
        kept: deque[dict[str, Any]] = deque()
        batch: list[dict[str, Any]] = []
        dropped = False
        for update in self._pending:
            if not self._allowed(update):
                self._done_ids.add(update["update_id"])
                dropped = True
                continue
            kept.append(update)
            if len(batch) < limit:
                batch.append(update)
        self._pending = kept
        if dropped:
            self._notifier.notify()
        return batch

    def _note_user(self, user: Any) -> None:
        """Learn a user from a hand-made update so that the bot may answer them."""
        if isinstance(user, dict) and isinstance(user.get("id"), int) and user["id"] not in self.users:
            self.add_user(
                user["id"],
                str(user.get("first_name") or "Test"),
                last_name=user.get("last_name"),
                username=user.get("username"),
                language_code=user.get("language_code"),
            )

    def _note_update(self, update: dict[str, Any]) -> None:
        """An update from a user opens the private chat for the bot."""
        for key in ("message", "edited_message", "my_chat_member"):
            body = update.get(key)
            if isinstance(body, dict) and isinstance(body.get("chat"), dict):
                chat_id = body["chat"].get("id")
                self._note_user(body.get("from"))
                if isinstance(chat_id, int):
                    if key != "my_chat_member":
                        self._known_chats.add(chat_id)
                    message_id = body.get("message_id")
                    if isinstance(message_id, int):
                        self._next_message_id[chat_id] = max(
                            self._next_message_id.get(chat_id, 1), message_id + 1
                        )
        query = update.get("callback_query")
        if isinstance(query, dict) and isinstance(query.get("from"), dict):
            self._note_user(query["from"])
            user_id = query["from"].get("id")
            if isinstance(user_id, int):
                self._known_chats.add(user_id)

    async def _webhook_loop(self) -> None:
        """Deliver queued updates to the webhook one at a time, retrying failures with backoff."""
        backoff = 0.05
        loop = asyncio.get_running_loop()
        while True:
            await self._wait_until(self._webhook_has_work, None)
            if self._closing:
                return
            hook = self._webhook
            assert hook is not None
            update = self._pending[0]
            if not self._allowed(update):
                self._pending.popleft()
                self._done_ids.add(update["update_id"])
                self._notifier.notify()
                continue
            error = await self._post_update(hook, update)
            if error is None:
                if self._pending and self._pending[0] is update:
                    self._pending.popleft()
                self._done_ids.add(update["update_id"])
                self._notifier.notify()
                backoff = 0.05
                continue
            hook.last_error_date = int(self.clock())
            hook.last_error_message = error
            retry_at = loop.time() + backoff
            await self._wait_until(lambda hook=hook: self._closing or self._webhook is not hook, retry_at)
            backoff = min(backoff * 2, 1.0)

    async def _post_update(self, hook: _Webhook, update: dict[str, Any]) -> str | None:
        """POST one update; None on success, else the error text getWebhookInfo reports."""
        assert self._http is not None
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook.secret_token
        answer: tuple[str, _Params] | None = None
        try:
            async with self._http.post(
                hook.url,
                data=json.dumps(update),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.webhook_timeout),
            ) as resp:
                if not 200 <= resp.status < 300:
                    return f"Wrong response from the webhook: {resp.status} {resp.reason}"
                answer = await self._read_webhook_answer(resp)
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {exc}"
        if answer is not None:
            # Telegram executes a method returned in the webhook response (errors are not reported).
            self._begin()
            try:
                await self._execute(hook.token, answer[0], answer[1])
            finally:
                self._end()
        return None

    @staticmethod
    async def _read_webhook_answer(resp: aiohttp.ClientResponse) -> tuple[str, _Params] | None:
        values: dict[str, Any] = {}
        uploads: dict[str, _Upload] = {}
        if resp.content_type == "application/json":
            try:
                body = await resp.json()
            except ValueError:
                return None
            if isinstance(body, dict):
                values = body
        elif resp.content_type.startswith("multipart/"):
            reader = aiohttp.MultipartReader.from_response(resp)
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, aiohttp.BodyPartReader) or part.name is None:
                    continue
                if part.filename:
                    ctype = part.headers.get("Content-Type", "application/octet-stream")
                    uploads[part.name] = _Upload(part.filename, ctype, bytes(await part.read()))
                else:
                    values[part.name] = await part.text()
        method = values.pop("method", None)
        if not isinstance(method, str) or not method:
            return None
        return method, _Params(values, uploads)

    # ---- internals shared by methods ------------------------------------------------------------

    def _webhook_has_work(self) -> bool:
        return self._closing or (self._webhook is not None and bool(self._pending))

    def _bot_user_for(self, token: str) -> dict[str, Any]:
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else zlib.crc32(token.encode())
        if self._bot_user is not None and self._bot_user["id"] == bot_id:
            return self._bot_user
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _user(self, user_id: int) -> EmulatedUser:
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = EmulatedUser(user_id)
        return user

    def _alloc_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _user_message(self, user_id: int) -> dict[str, Any]:
        user = self._user(user_id)
        message_id = self._alloc_message_id(user_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": user.as_user(),
            "chat": user.as_chat(),
            "date": int(self.clock()),
        }
        self._user_messages[(user_id, message_id)] = message
        return message

    def _member_update(self, user: EmulatedUser, old: str, new: str) -> int | None:
        if user.id not in self._known_chats:
            return None
        bot = self._bot_user or {"id": 1, "is_bot": True, "first_name": self.bot_first_name}
        new_member: dict[str, Any] = {"user": bot, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": user.as_chat(),
                    "from": user.as_user(),
                    "date": int(self.clock()),
                    "old_chat_member": {"user": bot, "status": old},
                    "new_chat_member": new_member,
                }
            }
        )

    def _target_chat(self, params: _Params, *, for_send: bool = True) -> EmulatedUser:
        raw = params.raw("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            # "@username" addresses only public groups and channels, never a private chat.
            raise ApiError(400, "Bad Request: chat not found") from None
        user = self.users.get(chat_id)
        if user is None or chat_id not in self._known_chats:
            raise ApiError(400, "Bad Request: chat not found")
        if for_send:
            if user.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        return user

    def _base_message(self, token: str, user: EmulatedUser, message_id: int, date: int) -> dict[str, Any]:
        return {
            "message_id": message_id,
            "from": self._bot_user_for(token),
            "chat": user.as_chat(),
            "date": date,
        }

    def _touch(self, chat_id: int, message_id: int) -> None:
        self._chat_log.setdefault(chat_id, []).append(message_id)

    def _store(self, message: SentMessage) -> None:
        self._chats.setdefault(message.chat_id, {})[message.message_id] = message
        self._all.append(message)
        self._touch(message.chat_id, message.message_id)
        markup = message.reply_markup or {}
        if "keyboard" in markup:
            self._reply_keyboards[message.chat_id] = message
        elif markup.get("remove_keyboard"):
            self._reply_keyboards.pop(message.chat_id, None)

    def _markup(self, params: _Params) -> dict[str, Any] | None:
        markup = params.json("reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400,
                    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
                    "must be an Array of Arrays",
                )
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
            return markup
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400, 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise ApiError(400, "Bad Request: keyboard button text must be non-empty")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise ApiError(
                400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        text = button.get("text")
        if not isinstance(text, str) or not text:
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
        if not any(key in button for key in _INLINE_ACTIONS):
            raise ApiError(
                400,
                "Bad Request: can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard",
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            scheme = url.split("://", 1)[0].lower() if isinstance(url, str) and "://" in url else "http"
            if (
                not isinstance(url, str)
                or not url
                or any(c.isspace() for c in url)
                or scheme
                not in (
                    "http",
                    "https",
                    "tg",
                )
            ):
                raise ApiError(
                    400, f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
                )

    def _reply_to(self, params: _Params, chat_id: int) -> dict[str, Any] | None:
        reply = params.json("reply_parameters")
        if isinstance(reply, dict):
            message_id, allow = reply.get("message_id"), bool(reply.get("allow_sending_without_reply"))
        else:
            message_id, allow = (
                params.integer("reply_to_message_id"),
                params.flag("allow_sending_without_reply"),
            )
        if message_id is None:
            return None
        found: dict[str, Any] | None = None
        bot_message = self._chats.get(chat_id, {}).get(message_id)
        if bot_message is not None and not bot_message.deleted:
            found = bot_message.raw
        elif (chat_id, message_id) not in self._deleted_user_messages:
            found = self._user_messages.get((chat_id, message_id))
        if found is None:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in found.items() if k != "reply_to_message"}

    def _editable(self, params: _Params) -> tuple[EmulatedUser, SentMessage]:
        if params.raw("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        user = self._target_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self._chats.get(user.id, {}).get(message_id)
        if message is None or message.deleted:
            key = (user.id, message_id)
            if key in self._user_messages and key not in self._deleted_user_messages:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, "Bad Request: message to edit not found")
        return user, message

    def _edit_markup(self, params: _Params) -> dict[str, Any] | None:
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        return markup

    def _apply_edit(self, message: SentMessage, markup: dict[str, Any] | None) -> None:
        message.edited = True
        message.edit_date = int(self.clock())
        message.raw["edit_date"] = message.edit_date
        if markup is not None or _inline_only(message.reply_markup) is not None:
            # An edit without reply_markup removes the inline keyboard, exactly as in Telegram.
            message.reply_markup = markup
        if markup and markup.get("inline_keyboard"):
            message.raw["reply_markup"] = markup
        else:
            message.raw.pop("reply_markup", None)
        self._touch(message.chat_id, message.message_id)

    def _new_file(
        self,
        kind: str,
        data: bytes,
        *,
        file_name: str | None,
        mime_type: str | None,
        by_bot: bool = False,
        group: str | None = None,
    ) -> StoredFile:
        self._file_counter += 1
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1].lower()
        elif kind == "photo":
            suffix = ".jpg"
        elif kind == "sticker":
            suffix = ".webp"
        elif mime_type:
            suffix = mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
            file_id=_FILE_ID_PREFIX.get(kind, "BQACAgIAAxkBAAI") + secrets.token_urlsafe(48),
            file_unique_id="AgAD" + secrets.token_urlsafe(9),
            kind=kind,
            data=data,
            file_path=f"{_FILE_FOLDER.get(kind, 'documents')}/file_{self._file_counter}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
            uploaded_by_bot=by_bot,
            group=group,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    def _new_photo(self, data: bytes, width: int, height: int, *, by_bot: bool) -> list[StoredFile]:
        group = secrets.token_hex(8)
        sizes: list[StoredFile] = []
        for w, h in _photo_dimensions(width, height):
            stored = self._new_file(
                "photo", data, file_name=None, mime_type="image/jpeg", by_bot=by_bot, group=group
            )
            stored.width, stored.height = w, h
            sizes.append(stored)
        self._photo_groups[group] = sizes
        return sizes

    def _file_reference(self, reference: str, kind: str) -> StoredFile:
        if reference.startswith(("http://", "https://")):
            # The emulator does not fetch URLs; tests should upload bytes or reuse a file_id.
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        stored = self._files.get(reference.strip())
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise ApiError(400, "Bad Request: type of file mismatch")
        return stored

    def _caption(self, params: _Params) -> tuple[str | None, str | None, list[dict[str, Any]]]:
        raw = params.text("caption")
        if not raw:
            return None, None, []
        plain, entities = parse_entities(raw, params.text("parse_mode"), params.json("caption_entities"))
        if utf16_len(plain) > MAX_CAPTION_LENGTH:
            raise ApiError(400, "Bad Request: message caption is too long")
        return plain or None, raw, entities

    # ---- methods --------------------------------------------------------------------------------

    async def _true(self, call: _Call) -> Any:
        return True

    async def _get_me(self, call: _Call) -> Any:
        return {
            **self._bot_user_for(call.token),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, call: _Call) -> Any:
        params = call.params
        if self._webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset") or 0
        limit = min(100, max(1, params.integer("limit") or 100))
        timeout = max(0, params.integer("timeout") or 0)
        self._set_allowed_updates(params.json("allowed_updates"))
        self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notifier.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._closing:
                return []
            if self._poll_generation != generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            batch = self._take_batch(limit)
            if batch:
                self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
                return batch
            if loop.time() >= deadline:
                return []
            await self._notifier.wait(deadline - loop.time())

    async def _set_webhook(self, call: _Call) -> Any:
        params = call.params
        url = params.text("url") or ""
        if not url:
            return await self._delete_webhook(call)
        # Real Telegram insists on HTTPS; plain http is allowed here for local test servers.
        if not re.match(r"https?://[^\s/]+", url):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.text("secret_token")
        if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        self._set_allowed_updates(params.json("allowed_updates"))
        if params.flag("drop_pending_updates"):
            self._drop_pending()
        same = self._webhook is not None and self._webhook.url == url
        self._webhook = _Webhook(url, secret or None, call.token, params.integer("max_connections") or 40)
        self._notifier.notify()
        return _Described(True, "Webhook is already set" if same else "Webhook was set")

    async def _delete_webhook(self, call: _Call) -> Any:
        if call.params.flag("drop_pending_updates"):
            self._drop_pending()
        existed = self._webhook is not None
        self._webhook = None
        self._notifier.notify()
        return _Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    async def _get_webhook_info(self, call: _Call) -> Any:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        hook = self._webhook
        if hook is not None:
            info.update(url=hook.url, max_connections=hook.max_connections, ip_address="127.0.0.1")
            if self._allowed_updates:
                info["allowed_updates"] = list(self._allowed_updates)
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        return info

    async def _send_message(self, call: _Call) -> Any:
        params = call.params
        user = self._target_chat(params)
        raw_text = params.text("text") or ""
        parse_mode = params.text("parse_mode")
        plain, entities = parse_entities(raw_text, parse_mode, params.json("entities"))
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        reply_to = self._reply_to(params, user.id)
        self._consume_rate(user.id)
        date = int(self.clock())
        message_id = self._alloc_message_id(user.id)
        raw = self._base_message(call.token, user, message_id, date)
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        raw["text"] = plain
        if entities:
            raw["entities"] = entities
        if markup and markup.get("inline_keyboard"):
            raw["reply_markup"] = markup
        message = SentMessage(
            chat_id=user.id,
            message_id=message_id,
            date=date,
            text=plain,
            html=raw_text,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            raw=raw,
        )
        self._store(message)
        return raw

    async def _send_media(self, call: _Call, kind: str) -> Any:
        params = call.params
        user = self._target_chat(params)
        source = params.file(kind)
        if source is None:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        existing: StoredFile | None = None
        image: tuple[str, int, int] | None = None
        if isinstance(source, str):
            existing = self._file_reference(source, kind)
        elif not source.data:
            raise ApiError(400, "Bad Request: file must be non-empty")
        elif kind == "photo":
            if len(source.data) > MAX_PHOTO_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            image = _image_info(source.data)
            if image is None or not image[1] or not image[2]:
                raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
            if image[1] + image[2] > 10_000 or max(image[1], image[2]) > 20 * min(image[1], image[2]):
                raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        elif len(source.data) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        caption, caption_raw, caption_entities = self._caption(params)
        markup = self._markup(params)
        reply_to = self._reply_to(params, user.id)
        self._consume_rate(user.id)

        date = int(self.clock())
        message_id = self._alloc_message_id(user.id)
        raw = self._base_message(call.token, user, message_id, date)
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        message = SentMessage(chat_id=user.id, message_id=message_id, date=date, reply_markup=markup, raw=raw)
        if kind == "photo":
            if existing is not None:
                sizes = self._photo_groups.get(existing.group or "", [existing])
            else:
                assert image is not None and not isinstance(source, str)
                sizes = self._new_photo(source.data, image[1], image[2], by_bot=True)
            raw["photo"] = [s.as_photo_size() for s in sizes]
            message.photo = sizes[-1]
        else:
            if existing is None:
                assert not isinstance(source, str)
                mime = mimetypes.guess_type(source.filename)[0]
                if mime is None and source.content_type not in ("", "application/octet-stream"):
                    mime = source.content_type
                existing = self._new_file(
                    "document",
                    source.data,
                    file_name=source.filename,
                    mime_type=mime or "application/octet-stream",
                    by_bot=True,
                )
            raw["document"] = existing.as_document()
            message.document = existing
        if caption is not None:
            raw["caption"] = caption
            if caption_entities:
                raw["caption_entities"] = caption_entities
        message.caption, message.caption_html = caption, caption_raw
        message.parse_mode = params.text("parse_mode")
        message.entities = caption_entities
        if markup and markup.get("inline_keyboard"):
            raw["reply_markup"] = markup
        self._store(message)
        return raw

    async def _send_document(self, call: _Call) -> Any:
        return await self._send_media(call, "document")

    async def _send_photo(self, call: _Call) -> Any:
        return await self._send_media(call, "photo")

    async def _edit_message_text(self, call: _Call) -> Any:
        params = call.params
        _, message = self._editable(params)
        if message.document is not None or message.photo is not None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        raw_text = params.text("text") or ""
        parse_mode = params.text("parse_mode")
        plain, entities = parse_entities(raw_text, parse_mode, params.json("entities"))
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._edit_markup(params)
        unchanged = (
            plain == message.text
            and entities == message.entities
            and _normal_markup(markup) == _normal_markup(_inline_only(message.reply_markup))
        )
        if unchanged:
            raise ApiError(400, _NOT_MODIFIED)
        self._consume_rate(message.chat_id)
        message.history.append(message.text)
        message.text, message.html, message.parse_mode, message.entities = (
            plain,
            raw_text,
            parse_mode,
            entities,
        )
        message.raw["text"] = plain
        if entities:
            message.raw["entities"] = entities
        else:
            message.raw.pop("entities", None)
        self._apply_edit(message, markup)
        return message.raw

    async def _edit_message_caption(self, call: _Call) -> Any:
        params = call.params
        _, message = self._editable(params)
        if message.document is None and message.photo is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, caption_raw, entities = self._caption(params)
        markup = self._edit_markup(params)
        unchanged = (
            caption == message.caption
            and entities == message.entities
            and _normal_markup(markup) == _normal_markup(_inline_only(message.reply_markup))
        )
        if unchanged:
            raise ApiError(400, _NOT_MODIFIED)
        self._consume_rate(message.chat_id)
        message.history.append(message.caption or "")
        message.caption, message.caption_html, message.entities = caption, caption_raw, entities
        message.parse_mode = params.text("parse_mode")
        for key, value in (("caption", caption), ("caption_entities", entities)):
            if value:
                message.raw[key] = value
            else:
                message.raw.pop(key, None)
        self._apply_edit(message, markup)
        return message.raw

    async def _edit_message_reply_markup(self, call: _Call) -> Any:
        params = call.params
        _, message = self._editable(params)
        markup = self._edit_markup(params)
        if _normal_markup(markup) == _normal_markup(_inline_only(message.reply_markup)):
            raise ApiError(400, _NOT_MODIFIED)
        self._consume_rate(message.chat_id)
        self._apply_edit(message, markup)
        return message.raw

    def _delete_one(self, chat_id: int, message_id: int) -> bool:
        message = self._chats.get(chat_id, {}).get(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            return True
        key = (chat_id, message_id)
        if key in self._user_messages and key not in self._deleted_user_messages:
            self._deleted_user_messages.add(key)
            return True
        return False

    async def _delete_message(self, call: _Call) -> Any:
        user = self._target_chat(call.params, for_send=False)
        message_id = call.params.integer("message_id")
        if message_id is None or not self._delete_one(user.id, message_id):
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _delete_messages(self, call: _Call) -> Any:
        user = self._target_chat(call.params, for_send=False)
        ids = call.params.json("message_ids")
        if not isinstance(ids, list) or not ids:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        for message_id in ids:
            if isinstance(message_id, int):
                self._delete_one(user.id, message_id)
        return True

    async def _answer_callback_query(self, call: _Call) -> Any:
        params = call.params
        record = self.callback_queries.get(params.text("callback_query_id") or "")
        if record is None or record.answered:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        text = params.text("text")
        if text and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        record.answered = True
        record.text = text or None
        record.show_alert = params.flag("show_alert")
        record.url = params.text("url")
        return True

    async def _send_chat_action(self, call: _Call) -> Any:
        user = self._target_chat(call.params)
        action = call.params.text("action") or ""
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.chat_actions.append((user.id, action))
        return True

    async def _get_file(self, call: _Call) -> Any:
        stored = self._files.get(call.params.text("file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.size > MAX_DOWNLOAD_BYTES:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    def _scope_key(self, scope: Any, *, strict: bool = True) -> str:
        if scope is None or scope == "":
            return "default"
        if isinstance(scope, str):
            if ":" in scope or not strict:
                return scope
            scope = {"type": scope}
        if not isinstance(scope, dict):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return str(kind)
        if kind in ("chat", "chat_administrators", "chat_member"):
            try:
                chat_id = int(scope.get("chat_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ApiError(400, "Bad Request: chat not found") from None
            if strict and chat_id not in self._known_chats:
                raise ApiError(400, "Bad Request: chat not found")
            if kind == "chat_member":
                return f"chat_member:{chat_id}:{scope.get('user_id')}"
            return f"{kind}:{chat_id}"
        raise ApiError(400, "Bad Request: wrong BotCommandScope type specified")

    def _command_slot(self, params: _Params) -> tuple[str, str]:
        language = params.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return self._scope_key(params.json("scope", "BotCommandScope")), language

    async def _set_my_commands(self, call: _Call) -> Any:
        commands = call.params.json("commands", "commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        checked: list[dict[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": command, "description": description})
        slot = self._command_slot(call.params)
        if checked:
            self._commands[slot] = checked
        else:
            self._commands.pop(slot, None)
        return True

    async def _get_my_commands(self, call: _Call) -> Any:
        return list(self._commands.get(self._command_slot(call.params), []))

    async def _delete_my_commands(self, call: _Call) -> Any:
        self._commands.pop(self._command_slot(call.params), None)
        return True
