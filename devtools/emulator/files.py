"""Documents, photos and getFile: stored files, image headers and the photo sizes."""

from __future__ import annotations

import mimetypes
import secrets
import struct
from typing import Any

from devtools.emulator.entities import parse_entities
from devtools.emulator.errors import ApiError
from devtools.emulator.protocol import _Call, _Params
from devtools.emulator.records import (
    _FILE_FOLDER,
    _FILE_ID_PREFIX,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_PHOTO_BYTES,
    MAX_UPLOAD_BYTES,
    SentMessage,
    StoredFile,
)
from devtools.emulator.text_builder import utf16_len


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


class _FilesMixin:
    """Files the bot sends or downloads: sendDocument, sendPhoto, getFile."""

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
