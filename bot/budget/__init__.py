"""One outgoing budget per bot token: every Bot API call that Telegram counts waits for its turn here.

Telegram accepts about 30 messages a second from a bot (sends and edits alike) and one a second per
chat, and it counts a call when the call *arrives*, which the bot cannot see. What the bot sees is when
it started a call and when the answer came back; the arrival lies between. So a call holds a place in a
sliding window of ``capacity`` places from the moment it starts until ``hold`` after its answer:

    hold = 1 s + MARGIN - SYMMETRY * shortest round trip seen lately

If a call took its place after another had left the window, the later one arrived more than a second
after the earlier one (the network takes at least ``SYMMETRY / 2`` of the shortest round trip each way),
so no one-second window at Telegram's end ever holds more than ``capacity`` calls, however the network
and the event loop jitter: a slow answer simply holds its place longer. That is the headroom, by
construction; at a steady 100 ms round trip a call holds its place about 1.045 s, so a capacity of 30
delivers about 28.7 messages a second.

Two priorities (``bot.budget.priority``): replies to people take the first free place; deliveries
(the outbox, its progress messages) take what is left and also keep one message a second per chat.
With Redis the window is shared by every process of the bot, and deliveries leave one place free while
people are being answered anywhere.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import time
import weakref
from typing import Protocol

from bot.budget.priority import Priority
from bot.budget.window import Grant, MemoryWindow, Wait

MARGIN = 0.025  # seconds added to every place: clock granularity, scheduling after the answer came
SYMMETRY = 0.8  # of the shortest round trip, taken as spent on the way there and back (the rest: margin)
ROUND_TRIPS_KEPT = 200
POLL = 0.1  # longest sleep between two looks at the window (another process may free a place)


class Window(Protocol):
    capacity: int

    async def take(self, priority: Priority, chat: int | None) -> Grant | Wait: ...
    async def give_back(self, grant: Grant, hold: float) -> None: ...
    async def pause(self, seconds: float, chat: int | None = None) -> None: ...
    async def close(self) -> None: ...


class Budget:
    """Hands out places in the window: replies first, then deliveries, each in the order they asked."""

    def __init__(self, window: Window) -> None:
        self.window = window
        self.limited = 0  # 429 answers seen
        self._turns = {priority: asyncio.Lock() for priority in Priority}
        self._waiting = collections.Counter[Priority]()
        self._changed = asyncio.Event()
        self._round_trips: collections.deque[float] = collections.deque(maxlen=ROUND_TRIPS_KEPT)
        self._shortest = 0.0
        self.round_trip = 0.2  # a moving average, for the outbox to size its pipeline

    async def acquire(self, priority: Priority, chat: int | None) -> Grant:
        """Wait for a place (a delivery also for its chat's place) and take it."""
        self._waiting[priority] += 1
        try:
            while True:
                async with self._turns[priority]:
                    chat_wait = await self._first_in_line(priority, chat)
                    if isinstance(chat_wait, Grant):
                        return chat_wait
                # Only this chat is busy: wait outside the line, so that other chats' deliveries go on.
                await asyncio.sleep(chat_wait)
        finally:
            self._waiting[priority] -= 1
            self._notify()

    async def _first_in_line(self, priority: Priority, chat: int | None) -> Grant | float:
        while True:
            if priority is Priority.DELIVERY and self._waiting[Priority.INTERACTIVE]:
                await self._until_changed(POLL)  # a reply is waiting: it goes first
                continue
            answer = await self.window.take(priority, chat)
            if isinstance(answer, Grant):
                return answer
            if answer.chat:
                return answer.seconds
            await self._until_changed(min(answer.seconds, POLL))

    async def release(self, grant: Grant, started: float) -> None:
        """The call's answer is back (or it failed): its place frees ``hold`` seconds from now."""
        round_trip = time.monotonic() - started
        self._round_trips.append(round_trip)
        if len(self._round_trips) == 1 or round_trip < self._shortest:
            self._shortest = round_trip
        elif len(self._round_trips) == ROUND_TRIPS_KEPT and self._round_trips[0] == self._shortest:
            self._shortest = min(self._round_trips)  # the shortest one is about to be forgotten
        self.round_trip += (round_trip - self.round_trip) / 8
        hold = 1.0 + MARGIN - SYMMETRY * self._shortest
        try:
            await self.window.give_back(grant, max(hold, MARGIN))
        finally:
            self._notify()

    async def pause(self, seconds: float, chat: int | None = None) -> None:
        """Telegram said 429: nothing more (to this chat, or at all) for ``seconds``."""
        await self.window.pause(seconds, chat)

    async def close(self) -> None:
        await self.window.close()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _until_changed(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)


# One budget per bot token and event loop (asyncio's locks belong to one loop; tests run several).
_budgets: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Budget]] = (
    weakref.WeakKeyDictionary()
)


def budget_for(token: str, capacity: int, redis_url: str | None = None) -> Budget:
    """The budget of this bot token in the running event loop (in Redis when ``redis_url`` is given)."""
    per_loop = _budgets.setdefault(asyncio.get_running_loop(), {})
    budget = per_loop.get(token)
    if budget is None:
        bot_id = token.split(":", 1)[0]
        if redis_url:
            from bot.budget.redis_window import RedisWindow

            window: Window = RedisWindow(redis_url, bot_id, capacity)
        else:
            window = MemoryWindow(capacity)
        budget = per_loop[token] = Budget(window)
    return budget


async def close_budget(token: str) -> None:
    """Close the budget's connection (Redis) when the bot's session closes."""
    with contextlib.suppress(RuntimeError):
        budget = _budgets.get(asyncio.get_running_loop(), {}).pop(token, None)
        if budget is not None:
            await budget.close()
