"""An in-process emulator of the Telegram Bot API for end-to-end tests.

The real aiogram ``Bot`` with the real ``AiohttpSession`` talks HTTP to it
(``TelegramAPIServer.from_base(emulator.url)``); tests feed updates the way Telegram does and read
back what the bot sent. Error answers copy Telegram's status codes and descriptions so that the
bot's error handling is exercised exactly as in production.
"""

from __future__ import annotations

import asyncio
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

from devtools.emulator.chats import _ChatsMixin
from devtools.emulator.entities import parse_entities
from devtools.emulator.errors import ApiError
from devtools.emulator.faults import _FaultsMixin, _Injection, _SlidingWindow
from devtools.emulator.files import _FilesMixin
from devtools.emulator.markup import _MarkupMixin
from devtools.emulator.methods_messages import _MessagesMixin
from devtools.emulator.methods_other import _OtherMethodsMixin
from devtools.emulator.protocol import _Call, _Described, _Handler, _Notifier, _Params, _read_params, _Webhook
from devtools.emulator.records import (
    MAX_UPLOAD_BYTES,
    CallbackQueryRecord,
    EmulatedUser,
    RequestRecord,
    SentMessage,
    StoredFile,
)
from devtools.emulator.scenario import _ScenarioMixin
from devtools.emulator.text_builder import utf16_len
from devtools.emulator.updates import _UpdatesMixin
from devtools.emulator.webhook import _WebhookMixin

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


class BotApiEmulator(
    _ScenarioMixin,
    _FaultsMixin,
    _UpdatesMixin,
    _WebhookMixin,
    _ChatsMixin,
    _MarkupMixin,
    _FilesMixin,
    _MessagesMixin,
    _OtherMethodsMixin,
):
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
        round_trip: float = 0.0,
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
        # The network between the bot and Telegram: half of it before a call is handled (that is when
        # the rate limits count it), half before the answer reaches the bot. Settable at any time.
        self.round_trip = round_trip

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
            delay = self.round_trip / 2 if tracked else 0.0
            if delay:
                await asyncio.sleep(delay)
            status, body = await self._execute(token, method, params)
            if delay:
                await asyncio.sleep(delay)
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
