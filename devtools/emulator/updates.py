"""The update queue and getUpdates (long polling, confirmation by offset)."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import Any

from devtools.emulator.errors import ApiError
from devtools.emulator.protocol import _Call
from devtools.emulator.records import _NOT_DEFAULT_UPDATES


class _UpdatesMixin:
    """The update queue: pending, delivered, confirmed; getUpdates."""

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
