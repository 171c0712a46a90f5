"""Committee sittings without Telegram: the refusals, and the briefing time the day before."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.errors import InvalidInput, NotAllowed, StaleAction
from bot.services.procedures import sittings
from models import Role
from models.procedures import MinutesEntry, Reading
from tests.factories import SmallRegistry, add_user
from tests.test_approval_service import fresh, staff, today
from tests.test_positions import publish_as

ZONE = ZoneInfo("Asia/Bishkek")


async def test_refusals_and_the_briefing_time(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    actor = await staff(session)
    consultation = await publish_as(session, actor, registry, clock)
    speaker = await add_user(session, 950, role=Role.HEAD, municipality=registry.tokmok)
    values = {
        "committee": "Комитет по бюджету",
        "place": "Жогорку Кенеш",
        "reading": Reading.SECOND,
        "now": clock.now(),
    }
    with pytest.raises(InvalidInput, match="past"):
        await sittings.schedule(
            session,
            actor,
            consultation.id,
            starts_at=clock.now(),
            speakers=[speaker],
            **values,  # type: ignore[arg-type]
        )
    with pytest.raises(InvalidInput, match="speaker"):
        await sittings.schedule(
            session,
            actor,
            consultation.id,
            starts_at=clock.now() + timedelta(days=3),
            speakers=[],
            **values,  # type: ignore[arg-type]
        )
    with pytest.raises(InvalidInput, match="Unknown speaker"):
        await sittings.find_speakers(session, ["123456789"])
    with pytest.raises(NotAllowed):
        await sittings.schedule(
            session,
            speaker,
            consultation.id,
            starts_at=clock.now() + timedelta(days=3),
            speakers=[speaker],
            **values,  # type: ignore[arg-type]
        )
    await fresh(session, actor, speaker, consultation)
    assert [p.id for p in await sittings.find_speakers(session, [str(speaker.telegram_id)])] == [speaker.id]
    starts = datetime.combine(today(clock) + timedelta(days=3), time(15, 0), ZONE)
    sitting = await sittings.schedule(
        session,
        actor,
        consultation.id,
        starts_at=starts,
        speakers=[speaker],
        **values,  # type: ignore[arg-type]
    )
    assert sittings.briefing_due_at(starts, ZONE) == datetime.combine(
        today(clock) + timedelta(days=2), time(9, 0), ZONE
    )
    minutes = {
        "attended": True,
        "opinion": None,
        "minutes": MinutesEntry.PARTLY,
        "minutes_number": "7",
        "decision": None,
    }
    with pytest.raises(InvalidInput, match="not taken place"):
        await sittings.record_minutes(session, actor, sitting.id, now=clock.now(), **minutes)  # type: ignore[arg-type]
    # The day before, 08:59: not yet; 09:00: the briefing; then never again.
    due = sittings.briefing_due_at(starts, ZONE)
    assert await sittings.send_due_briefings(session_factory, due - timedelta(minutes=1), ZONE) == []
    assert await sittings.send_due_briefings(session_factory, due, ZONE) == [sitting.id]
    assert await sittings.send_due_briefings(session_factory, due + timedelta(hours=1), ZONE) == []
    after = starts + timedelta(hours=3)
    assert await sittings.record_minutes(session, actor, sitting.id, now=after, **minutes) == 0  # type: ignore[arg-type]
    await fresh(session, actor, sitting)
    with pytest.raises(StaleAction):
        await sittings.record_minutes(session, actor, sitting.id, now=after, **minutes)  # type: ignore[arg-type]
