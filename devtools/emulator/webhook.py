"""Webhook delivery: setWebhook, deleteWebhook, getWebhookInfo and the sender loop."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import aiohttp

from devtools.emulator.errors import ApiError
from devtools.emulator.protocol import _Call, _Described, _Params, _Upload, _Webhook


class _WebhookMixin:
    """Posting updates to the bot's webhook, one at a time, with retries."""

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
            await self._execute_answer(hook.token, answer)
        return None

    async def execute_webhook_answer(self, resp: aiohttp.ClientResponse) -> None:
        """For a driver that posts updates to the bot's webhook itself (bench/load.py): execute the
        method the bot returned in its response, as Telegram does."""
        answer = await self._read_webhook_answer(resp)
        if answer is not None and self._webhook is not None:
            await self._execute_answer(self._webhook.token, answer)

    async def _execute_answer(self, token: str, answer: tuple[str, _Params]) -> None:
        # Telegram executes a method returned in the webhook response (errors are not reported).
        self._begin()
        try:
            await self._execute(token, answer[0], answer[1])
        finally:
            self._end()

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
