"""HTML parse mode, the way Telegram parses it."""

from __future__ import annotations

import re
from typing import Any, Final

from devtools.emulator.text_builder import EntityParseError, _TextBuilder

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
