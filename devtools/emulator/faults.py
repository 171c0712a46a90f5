"""Faults on demand and Telegram's flood control (429 above the configured rates)."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

from devtools.emulator.errors import ApiError, _too_many_requests
from devtools.emulator.protocol import _Params


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


class _FaultsMixin:
    """fail_next / refuse_token, and the rate limits checked before a call."""

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
