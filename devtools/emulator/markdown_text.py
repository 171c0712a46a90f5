"""MarkdownV2 and legacy Markdown parse modes, the way Telegram parses them."""

from __future__ import annotations

import re
from typing import Any, Final

from devtools.emulator.text_builder import EntityParseError, _Open, _TextBuilder

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
