"""The database FSM storage: what one process writes, a restarted one reads back."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.fsm_storage import DatabaseStorage
from models import FsmRecord

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)


async def test_state_and_data_survive_a_new_storage(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    first = DatabaseStorage(session_factory)
    await first.set_state(KEY, "SignUp:position")
    await first.update_data(KEY, {"full_name": "Асанов Бакыт 👍", "municipality_id": 7})
    assert await first.get_state(KEY) == "SignUp:position"

    restarted = DatabaseStorage(session_factory)
    assert await restarted.get_state(KEY) == "SignUp:position"
    assert await restarted.get_data(KEY) == {"full_name": "Асанов Бакыт 👍", "municipality_id": 7}

    await restarted.set_state(KEY, None)
    await restarted.set_data(KEY, {})
    record = await session.scalar(select(FsmRecord))
    assert record is not None and record.state is None and record.data == {}
    other = StorageKey(bot_id=1, chat_id=43, user_id=43)
    assert await restarted.get_state(other) is None and await restarted.get_data(other) == {}
