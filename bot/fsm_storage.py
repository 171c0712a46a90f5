"""FSM storage in the application database, so half-finished dialogues survive a restart."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from models import FsmRecord

CACHE_SIZE = 10_000


class DatabaseStorage(BaseStorage):
    """One row per conversation in ``fsm_state``: its state name and its data as JSON.

    Reads are served from a write-through cache: this storage is for one bot process (several
    processes share state through Redis), so the process's own writes are the only ones.
    """

    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessions = session_factory
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._cache: OrderedDict[str, tuple[str | None, dict[str, Any]]] = OrderedDict()

    def _remember(self, key: str, state: str | None, data: dict[str, Any]) -> None:
        self._cache[key] = (state, data)
        self._cache.move_to_end(key)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    async def _load(self, key: StorageKey) -> tuple[str | None, dict[str, Any]]:
        name = self._keys.build(key)
        if name not in self._cache:
            async with self._sessions() as session:
                record = await session.get(FsmRecord, name)
            self._remember(name, record.state if record else None, dict(record.data or {}) if record else {})
        return self._cache[name]

    async def _upsert(self, key: StorageKey, values: dict[str, Any]) -> None:
        state, data = await self._load(key)
        async with self._sessions() as session:
            insert = postgresql.insert if session.bind.dialect.name == "postgresql" else sqlite.insert
            row = {"key": self._keys.build(key), "state": state, "data": data} | values
            statement = insert(FsmRecord).values(**row)
            statement = statement.on_conflict_do_update(index_elements=[FsmRecord.key], set_=values)
            await session.execute(statement)
            await session.commit()
        self._remember(row["key"], row["state"], dict(row["data"]))

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        name = state.state if isinstance(state, State) else state
        if (await self._load(key))[0] != name:
            await self._upsert(key, {"state": name})

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._load(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if (await self._load(key))[1] != dict(data):
            await self._upsert(key, {"data": dict(data)})

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._load(key))[1])

    async def close(self) -> None:
        """The session factory belongs to the application, which disposes of the engine."""
