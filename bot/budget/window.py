"""The sliding window of one bot's Bot API calls, kept in this process's memory.

A call holds a place in the window from the moment it is started until ``hold`` seconds after its
answer came back (``Budget`` works ``hold`` out from the round trip). ``capacity`` places in all; a
chat has one place of its own for deliveries (Telegram: one message a second per chat).
"""

from __future__ import annotations

import heapq
import itertools
import time
from dataclasses import dataclass

from bot.budget.priority import Priority

# Forget chats whose place has long been free once this many are remembered (a bounded cache).
CHATS_REMEMBERED = 10_000


@dataclass(frozen=True)
class Grant:
    """A place in the window, to be given back with ``give_back`` once the call is answered."""

    ticket: str
    chat: int | None


@dataclass(frozen=True)
class Wait:
    """No place now: try again in ``seconds``; ``chat`` when it is the chat's own place that is taken."""

    seconds: float
    chat: bool = False


class MemoryWindow:
    """One process's window: the places taken, the chats' places, a pause after a 429."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._expiries: list[float] = []  # a heap: when each answered call leaves the window
        self._in_flight: dict[str, int | None] = {}
        self._chat_free_at: dict[int, float] = {}
        self._chat_in_flight: dict[int, int] = {}
        self._paused_until = 0.0
        self._tickets = itertools.count()

    async def take(self, priority: Priority, chat: int | None) -> Grant | Wait:
        now = time.monotonic()
        if self._paused_until > now:
            return Wait(self._paused_until - now)
        if priority is Priority.DELIVERY and chat is not None:
            free_at = self._chat_free_at.get(chat, 0.0)
            if self._chat_in_flight.get(chat):
                return Wait(0.05, chat=True)  # its answer is not back yet: then the place is known
            if free_at > now:
                return Wait(free_at - now, chat=True)
        expiries = self._expiries
        while expiries and expiries[0] <= now:
            heapq.heappop(expiries)
        if len(expiries) + len(self._in_flight) >= self.capacity:
            # Every place is taken: the first to come free is the oldest answered call (or, if all are
            # still in flight, one whose answer is due; give_back wakes the waiters then anyway).
            return Wait(expiries[0] - now if expiries else 0.05)
        ticket = str(next(self._tickets))
        self._in_flight[ticket] = chat
        if chat is not None:
            self._chat_in_flight[chat] = self._chat_in_flight.get(chat, 0) + 1
        return Grant(ticket, chat)

    async def give_back(self, grant: Grant, hold: float) -> None:
        now = time.monotonic()
        self._in_flight.pop(grant.ticket, None)
        heapq.heappush(self._expiries, now + hold)
        chat = grant.chat
        if chat is not None:
            left = self._chat_in_flight.get(chat, 1) - 1
            if left:
                self._chat_in_flight[chat] = left
            else:
                self._chat_in_flight.pop(chat, None)
            self._chat_free_at[chat] = max(self._chat_free_at.get(chat, 0.0), now + hold)
            if len(self._chat_free_at) > CHATS_REMEMBERED:
                self._chat_free_at = {c: t for c, t in self._chat_free_at.items() if t > now}

    async def pause(self, seconds: float, chat: int | None = None) -> None:
        until = time.monotonic() + seconds
        if chat is None:
            self._paused_until = max(self._paused_until, until)
        else:
            self._chat_free_at[chat] = max(self._chat_free_at.get(chat, 0.0), until)

    async def close(self) -> None:
        """Nothing to close; the Redis window has a connection."""
