"""Committee sittings without Telegram: the refusals, and the briefing time the day before."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.errors import InvalidInput, NotAllowed, StaleAction
from bot.services.procedures import sittings
from bot.timing import QuietHours
from models import Role
from models.deliveries import Delivery
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


async def test_a_briefing_due_in_the_quiet_hours_waits_for_the_morning(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    actor = await staff(session)
    consultation = await publish_as(session, actor, registry, clock)
    speaker = await add_user(session, 951, role=Role.HEAD, municipality=registry.tokmok)
    quiet = QuietHours.parse("21:00-08:00")
    evening = datetime.combine(today(clock) + timedelta(days=1), time(22, 0), ZONE)
    tomorrow = evening.date() + timedelta(days=1)

    async def sitting_at(starts: datetime) -> int:
        sitting = await sittings.schedule(
            session,
            actor,
            consultation.id,
            committee="Комитет по бюджету",
            place="Жогорку Кенеш",
            reading=Reading.FIRST,
            starts_at=starts,
            speakers=[speaker],
            now=evening,
        )
        return sitting.id

    # Scheduled at 22:00 for tomorrow 14:00: the 09:00 briefing time has passed, but it is night.
    afternoon = await sitting_at(datetime.combine(tomorrow, time(14, 0), ZONE))
    # A sitting at 07:30 starts before the quiet hours end: its briefing cannot wait for the morning.
    early = await sitting_at(datetime.combine(tomorrow, time(7, 30), ZONE))
    assert await sittings.send_due_briefings(session_factory, evening, ZONE, quiet) == [early]
    night = datetime.combine(tomorrow, time(7, 59), ZONE)
    assert await sittings.send_due_briefings(session_factory, night, ZONE, quiet) == []
    morning = datetime.combine(tomorrow, time(8, 0), ZONE)
    assert await sittings.send_due_briefings(session_factory, morning, ZONE, quiet) == [afternoon]
    later = morning + timedelta(minutes=5)
    assert await sittings.send_due_briefings(session_factory, later, ZONE, quiet) == []
    async with session_factory() as fresh_session:
        deliveries = list(
            await fresh_session.scalars(
                select(Delivery).where(
                    Delivery.kind == sittings.BRIEFING_KIND, Delivery.user_id == speaker.id
                )
            )
        )
    assert len(deliveries) == 2  # one briefing per sitting, each once
    assert {d.not_before for d in deliveries} == {evening, morning}


async def test_the_agenda_only_before_the_briefing_and_only_by_staff(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    actor = await staff(session)
    own = await publish_as(session, actor, registry, clock)
    further = [await publish_as(session, actor, registry, clock) for _ in range(sittings.MAX_AGENDA + 1)]
    speaker = await add_user(session, 952, role=Role.HEAD, municipality=registry.tokmok)
    starts = datetime.combine(today(clock) + timedelta(days=3), time(15, 0), ZONE)
    sitting = await sittings.schedule(
        session,
        actor,
        own.id,
        committee="Комитет по бюджету",
        place="Жогорку Кенеш",
        reading=Reading.FIRST,
        starts_at=starts,
        speakers=[speaker],
        now=clock.now(),
    )
    sid, own_id, ids = sitting.id, own.id, [c.id for c in further]  # the rows expire on each refusal
    with pytest.raises(NotAllowed):
        await sittings.set_on_agenda(session, speaker, sid, ids[0], on=True)
    await fresh(session, actor, speaker)
    with pytest.raises(StaleAction):  # its own consultation is not a «further» one
        await sittings.set_on_agenda(session, actor, sid, own_id, on=True)
    await fresh(session, actor)
    for cid in ids[:-1]:
        await sittings.set_on_agenda(session, actor, sid, cid, on=True)
    with pytest.raises(InvalidInput, match="At most"):
        await sittings.set_on_agenda(session, actor, sid, ids[-1], on=True)
    await fresh(session, actor)
    assert await sittings.set_on_agenda(session, actor, sid, ids[0], on=False) == ids[1:-1]
    assert await sittings.send_due_briefings(session_factory, sittings.briefing_due_at(starts, ZONE), ZONE)
    with pytest.raises(StaleAction, match="no longer be changed"):
        await sittings.set_on_agenda(session, actor, sid, ids[0], on=True)
