"""Reading Bot API requests (query, form, JSON, multipart) and the records of a call."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from devtools.emulator.errors import ApiError


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
