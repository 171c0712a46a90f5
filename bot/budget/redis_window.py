"""The same sliding window as ``MemoryWindow``, in Redis, shared by every process of one bot.

Keys (``pikir:budget:<bot id>:...``, times in Redis's own clock, so that processes agree):
- ``calls``: a sorted set, one member per call, scored with the moment it leaves the window (a call in
  flight is scored ``IN_FLIGHT_MS`` ahead, so a process that died mid-call frees its place in time);
- ``pause``: set for ``retry_after`` after a 429; nothing is sent while it lives;
- ``chat:<id>``: the chat's own place (deliveries only wait for it; replies take it too): ``flight``
  while a call to the chat is in flight (a delivery behind it looks again shortly, as it cannot know
  when the answer comes), then held for ``hold`` after the answer;
- ``people``: lives for a moment after each reply to a person; while it does, deliveries leave
  ``RESERVE`` places free, so that the replies of every process come first.
"""

from __future__ import annotations

import uuid
from typing import Any

from bot.budget.priority import Priority
from bot.budget.window import Grant, Wait

IN_FLIGHT_MS = 30_000
CHAT_IN_FLIGHT_POLL_MS = 50  # a delivery behind a call in flight to its chat looks again this soon
PEOPLE_MS = 2_000
RESERVE = 1

# KEYS: calls, pause, chat ('' for none), people. ARGV: capacity, priority, ticket, reserve.
# Returns 0 (taken), a positive wait (ms) for the window, or a negative one for the chat's place.
_TAKE = f"""
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 then return paused end
local delivery = ARGV[2] == '1'
if delivery and KEYS[3] ~= '' then
  local busy = redis.call('PTTL', KEYS[3])
  if busy > 0 then
    -- A call to the chat still in flight: its answer tells when the place frees; look again soon.
    if redis.call('GET', KEYS[3]) == 'flight' then return -{CHAT_IN_FLIGHT_POLL_MS} end
    return -busy
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local capacity = tonumber(ARGV[1])
if delivery and redis.call('EXISTS', KEYS[4]) == 1 then capacity = capacity - tonumber(ARGV[4]) end
if redis.call('ZCARD', KEYS[1]) < capacity then
  redis.call('ZADD', KEYS[1], now + {IN_FLIGHT_MS}, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], {IN_FLIGHT_MS * 2})
  if KEYS[3] ~= '' then redis.call('SET', KEYS[3], 'flight', 'PX', {IN_FLIGHT_MS}) end
  if not delivery then redis.call('SET', KEYS[4], '1', 'PX', {PEOPLE_MS}) end
  return 0
end
local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(first[2]) - now)
"""

# KEYS: calls, chat ('' for none). ARGV: ticket, hold (ms).
_GIVE_BACK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', now + hold, ARGV[1])
if KEYS[2] ~= '' then redis.call('SET', KEYS[2], '1', 'PX', hold) end
return 0
"""

# KEYS: the pause or chat key. ARGV: ms. Only ever lengthened.
_PAUSE = """
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 0
"""


class RedisWindow:
    """The window of one bot token, for all of its processes."""

    def __init__(self, redis_url: str, bot_id: str, capacity: int) -> None:
        from redis.asyncio import Redis

        self.capacity = capacity
        self._redis: Any = Redis.from_url(redis_url, max_connections=20)
        self._prefix = f"pikir:budget:{bot_id}"
        self._take = self._redis.register_script(_TAKE)
        self._give_back = self._redis.register_script(_GIVE_BACK)
        self._pause = self._redis.register_script(_PAUSE)
        self._process = uuid.uuid4().hex[:8]
        self._count = 0

    def _chat_key(self, chat: int | None) -> str:
        return "" if chat is None else f"{self._prefix}:chat:{chat}"

    async def take(self, priority: Priority, chat: int | None) -> Grant | Wait:
        self._count += 1
        ticket = f"{self._process}:{self._count}"
        prefix = self._prefix
        keys = [f"{prefix}:calls", f"{prefix}:pause", self._chat_key(chat), f"{prefix}:people"]
        answer = int(await self._take(keys=keys, args=[self.capacity, int(priority), ticket, RESERVE]))
        if answer == 0:
            return Grant(ticket, chat)
        return Wait(abs(answer) / 1000, chat=answer < 0)

    async def give_back(self, grant: Grant, hold: float) -> None:
        keys = [f"{self._prefix}:calls", self._chat_key(grant.chat)]
        await self._give_back(keys=keys, args=[grant.ticket, max(1, round(hold * 1000))])

    async def pause(self, seconds: float, chat: int | None = None) -> None:
        key = f"{self._prefix}:pause" if chat is None else self._chat_key(chat)
        await self._pause(keys=[key], args=[max(1, round(seconds * 1000))])

    async def close(self) -> None:
        await self._redis.aclose()
