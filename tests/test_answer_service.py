"""The answer service without Telegram: amounts, who may answer, and simultaneous submissions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import InvalidInput, NotAllowed, StaleAction
from bot.services import answers as service
from models import Answer, Role, User, UserStatus
from tests.factories import SmallRegistry, add_user, open_consultation

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "som"),
    [
        ("1 500 000", 1_500_000),
        ("1500000", 1_500_000),
        ("1,5 млн", 1_500_000),
        ("1.5 млн", 1_500_000),
        ("300 миң", 300_000),
        ("2 млрд сом", 2_000_000_000),
        ("0", 0),
        ("12 345 678 сом", 12_345_678),
    ],
)
def test_amounts_in_som(text: str, som: int) -> None:
    assert service.parse_som(text) == som


@pytest.mark.parametrize("text", ["", "abc", "-5", "1,5 лимон", "1e9", "99999999999999999"])
def test_nonsense_amounts_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        service.parse_som(text)


async def test_who_may_answer(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation = await open_consultation(session, registry, NOW + timedelta(days=5))
    head = await add_user(session, 11, role=Role.HEAD, municipality=registry.tokmok, now=NOW)
    pending = await add_user(
        session, 12, role=Role.HEAD, municipality=registry.tokmok, status=UserStatus.PENDING, now=NOW
    )
    outsider = await add_user(session, 13, role=Role.HEAD, municipality=registry.talas_aimaks[0], now=NOW)
    assert (await service.answerable(session, head, consultation.id, NOW)).id == consultation.id
    for user in (pending, outsider):
        with pytest.raises(NotAllowed):
            await service.answerable(session, user, consultation.id, NOW)
    with pytest.raises(StaleAction):
        await service.answerable(session, head, consultation.id, NOW + timedelta(days=6))


async def test_simultaneous_submissions_leave_one_current_answer(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], registry: SmallRegistry
) -> None:
    consultation = await open_consultation(session, registry, NOW + timedelta(days=5))
    head = await add_user(session, 21, role=Role.HEAD, municipality=registry.tokmok, now=NOW)
    deputy = await add_user(session, 22, role=Role.DEPUTY, municipality=registry.tokmok, now=NOW)
    cid, head_id, deputy_id = consultation.id, head.id, deputy.id

    async def submit(user_id: int, stance: str) -> Answer:
        async with session_factory() as own:  # each person on their own connection, as in the bot
            user = await own.get(User, user_id)
            draft = await service.start_draft(own, user, cid, NOW)  # type: ignore[arg-type]
            await service.save_draft(own, draft, "review", {"stance": stance}, NOW)
            return await service.submit(own, user, draft, NOW)  # type: ignore[arg-type]

    for _ in range(3):
        await asyncio.gather(submit(head_id, "support"), submit(deputy_id, "oppose"))
    rows = list(await session.scalars(select(Answer).order_by(Answer.version)))
    assert [a.version for a in rows] == [1, 2, 3, 4, 5, 6]
    assert sum(a.is_current for a in rows) == 1 and rows[-1].is_current
    assert {a.by_deputy for a in rows} == {True, False}
