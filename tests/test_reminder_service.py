"""Who is due a reminder, and when: the reminder service with the clock the tests control, no Telegram."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.db import create_engine, create_session_factory
from bot.errors import InvalidInput, NotAllowed, StaleAction
from bot.services import consultations, digest, reminders
from bot.timing import QuietHours, WeeklyMoment, parse_offsets
from models import Consultation, ReminderChoice, Role, User
from models.deliveries import Broadcast, Delivery
from tests.factories import SmallRegistry, add_user
from tests.test_positions import answer_as

ZONE = ZoneInfo("Asia/Bishkek")
OFFSETS = parse_offsets("72h,24h,3h")


async def publish(
    session: AsyncSession, registry: SmallRegistry, clock: ManualClock, deadline: datetime, oblasts: list[int]
) -> tuple[Consultation, User]:
    coordinator = await session.scalar(select(User).where(User.telegram_id == 900))
    if coordinator is None:
        coordinator = await add_user(session, 900, role=Role.COORDINATOR, language="ru", now=clock.now())
    draft = await consultations.create_draft(session, coordinator, clock.now())
    await consultations.save_fields(
        session,
        draft,
        title_ky="Суу жөнүндө",
        title_ru="О воде",
        deadline=deadline,
        audience={"kind": "oblasts", "ids": oblasts},
    )
    await consultations.publish(session, coordinator, draft.id, clock.now())
    return draft, coordinator


async def recipients(session: AsyncSession, round_: reminders.Round) -> set[int]:
    rows = await session.scalars(
        select(User.telegram_id)
        .join(Delivery, Delivery.user_id == User.id)
        .where(Delivery.broadcast_id == round_.broadcast_id)
    )
    return set(rows)


async def run(
    factory: async_sessionmaker[AsyncSession], clock: ManualClock, quiet: QuietHours | None = None
) -> list[reminders.Round]:
    return await reminders.send_due_reminders(factory, clock.now(), OFFSETS, quiet, ZONE)


async def test_each_offset_reaches_exactly_the_silent_and_the_last_escalates(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    aksai, ashar = registry.ysyk_ata_aimaks[:2]
    head_a = await add_user(session, 11, role=Role.HEAD, municipality=aksai)
    await add_user(session, 12, role=Role.DEPUTY, municipality=aksai)
    head_b = await add_user(session, 13, role=Role.HEAD, municipality=ashar)
    await add_user(session, 14, role=Role.HEAD, municipality=registry.talas_aimaks[0])  # not targeted
    consultation, _coordinator = await publish(
        session, registry, clock, clock.now() + timedelta(days=4), [registry.chui.id]
    )
    clock.advance(timedelta(hours=23, minutes=59))  # 72 h before the deadline is a minute away
    assert await run(session_factory, clock) == []
    clock.advance(timedelta(minutes=1))
    [first] = await run(session_factory, clock)
    assert (first.offset, first.last, first.escalated) == (timedelta(hours=72), False, False)
    assert await recipients(session, first) == {11, 12, 13}
    assert first.municipalities == 12  # every Chui municipality is silent, registered or not
    assert await run(session_factory, clock) == []  # once per offset
    # Ashar answers between two reminders: the next one leaves it out.
    clock.advance(timedelta(days=1))
    await answer_as(session, head_b, consultation, clock, stance="support")
    clock.advance(timedelta(days=1))
    [second] = await run(session_factory, clock)
    assert second.offset == timedelta(hours=24)
    assert await recipients(session, second) == {11, 12}
    clock.advance(timedelta(hours=21))
    [last] = await run(session_factory, clock)
    assert (last.offset, last.last, last.escalated) == (timedelta(hours=3), True, True)
    escalation = await session.scalar(select(Delivery).where(Delivery.kind == reminders.ESCALATION_KIND))
    assert escalation is not None and escalation.chat_id == 900
    assert aksai.id in escalation.payload["mids"] and ashar.id not in escalation.payload["mids"]
    places = await reminders.silent_places(session, consultation.id, escalation.payload["mids"])
    assert len(places) == 11 and places[0].municipality.id == registry.tokmok.id  # no district: first
    aksai_place = next(p for p in places if p.municipality.id == aksai.id)
    assert sorted(t for _n, t in aksai_place.heads) == [11, 12]
    # Past the deadline nothing more goes out.
    clock.advance(timedelta(hours=4))
    assert await run(session_factory, clock) == []
    assert head_a.id


async def test_a_short_deadline_only_gets_the_offsets_still_ahead(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    await add_user(session, 11, role=Role.HEAD, municipality=registry.tokmok)
    await publish(session, registry, clock, clock.now() + timedelta(hours=10), [registry.chui.id])
    assert await run(session_factory, clock) == []  # 72 h and 24 h were never ahead: not sent late
    clock.advance(timedelta(hours=7))
    [only] = await run(session_factory, clock)
    assert (only.offset, only.last) == (timedelta(hours=3), True)


async def test_after_downtime_the_missed_reminder_goes_once(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    await add_user(session, 11, role=Role.HEAD, municipality=registry.tokmok)
    await publish(session, registry, clock, clock.now() + timedelta(days=5), [registry.chui.id])
    clock.advance(timedelta(days=4, hours=1))  # stopped through the 72 h and the 24 h marks
    [missed] = await run(session_factory, clock)
    assert missed.offset == timedelta(hours=24)  # the latest one, not both at once
    assert await run(session_factory, clock) == []
    assert (
        await session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == "reminder"))
        == 1
    )


async def test_quiet_hours_hold_until_morning_unless_the_deadline_comes_first(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    quiet = QuietHours.parse("21:00-08:00")
    await add_user(session, 11, role=Role.HEAD, municipality=registry.tokmok)
    # Noon now; the deadline at 01:00 three nights on: the 24 h mark falls at 01:00, the 3 h mark at 22:00.
    await publish(session, registry, clock, clock.now() + timedelta(days=2, hours=13), [registry.chui.id])
    clock.advance(timedelta(days=1, hours=13))  # 01:00 Bishkek
    assert await run(session_factory, clock, quiet) == []  # due, but it is night
    clock.advance(timedelta(hours=6, minutes=59))
    assert await run(session_factory, clock, quiet) == []
    clock.advance(timedelta(minutes=1))  # 08:00
    [morning] = await run(session_factory, clock, quiet)
    assert morning.offset == timedelta(hours=24)
    # At 22:00 the night has begun, but the deadline (01:00) comes before the morning: at once.
    clock.advance(timedelta(hours=14))
    [late] = await run(session_factory, clock, quiet)
    assert (late.offset, late.last) == (timedelta(hours=3), True)


async def test_personal_choices(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    aksai, ashar = registry.ysyk_ata_aimaks[:2]
    off_head = await add_user(session, 11, role=Role.HEAD, municipality=aksai)
    last_deputy = await add_user(session, 12, role=Role.DEPUTY, municipality=aksai)
    off_deputy = await add_user(session, 13, role=Role.DEPUTY, municipality=ashar)
    await add_user(session, 14, role=Role.HEAD, municipality=ashar)
    for user, choice in (
        (off_head, ReminderChoice.OFF),
        (last_deputy, ReminderChoice.LAST),
        (off_deputy, "off"),
    ):
        user.reminders = ReminderChoice(choice)
    await session.commit()
    await publish(session, registry, clock, clock.now() + timedelta(days=4), [registry.chui.id])
    clock.advance(timedelta(days=1))
    [first] = await run(session_factory, clock)
    assert await recipients(session, first) == {14}
    clock.advance(timedelta(days=2, hours=21))
    [last] = await run(session_factory, clock)
    # The head who turned reminders off still gets the last one; the deputy who did does not.
    assert await recipients(session, last) == {11, 12, 14}


async def test_remind_now_by_oblast_and_once_an_hour(
    session: AsyncSession, registry: SmallRegistry, clock: ManualClock
) -> None:
    await add_user(session, 11, role=Role.HEAD, municipality=registry.tokmok)
    await add_user(session, 12, role=Role.HEAD, municipality=registry.talas_aimaks[0])
    await add_user(session, 13, role=Role.HEAD, municipality=registry.talas_aimaks[1])
    consultation, coordinator = await publish(
        session, registry, clock, clock.now() + timedelta(days=5), [registry.chui.id, registry.talas.id]
    )
    head = await session.scalar(select(User).where(User.telegram_id == 11))
    with pytest.raises(NotAllowed):
        await reminders.remind_reach(session, head, consultation.id, None, clock.now())  # type: ignore[arg-type]
    reach = await reminders.remind_reach(
        session, coordinator, consultation.id, registry.talas.id, clock.now()
    )
    assert (reach.municipalities, reach.people, reach.recently_reminded) == (3, 2, 0)
    with pytest.raises(InvalidInput):
        await reminders.remind_now(session, coordinator, consultation.id, None, "x" * 501, clock.now())
    sent = await reminders.remind_now(
        session, coordinator, consultation.id, registry.talas.id, " Позвоните ", clock.now()
    )
    assert (sent.municipalities, sent.people) == (3, 2)
    delivery = await session.scalar(
        select(Delivery).where(Delivery.chat_id == 12, Delivery.kind == "reminder")
    )
    assert delivery is not None and delivery.payload["note"] == "Позвоните"
    clock.advance(timedelta(minutes=59))
    again = await reminders.remind_reach(session, coordinator, consultation.id, None, clock.now())
    assert (again.municipalities, again.people, again.recently_reminded) == (12, 1, 3)  # Chui only
    clock.advance(timedelta(minutes=2))
    later = await reminders.remind_reach(session, coordinator, consultation.id, None, clock.now())
    assert (later.municipalities, later.people, later.recently_reminded) == (15, 3, 0)
    clock.advance(timedelta(days=6))
    with pytest.raises(StaleAction):
        await reminders.remind_now(session, coordinator, consultation.id, None, None, clock.now())


async def test_two_schedulers_on_one_database_write_each_round_once(
    session: AsyncSession,
    database_url: str,
    registry: SmallRegistry,
    clock: ManualClock,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    for i, municipality in enumerate(registry.ysyk_ata_aimaks):
        await add_user(session, 100 + i, role=Role.HEAD, municipality=municipality)
    await publish(session, registry, clock, clock.now() + timedelta(days=4), [registry.chui.id])
    clock.advance(timedelta(days=1))
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        factories = [create_session_factory(engine) for engine in engines]
        for _ in range(3):
            results = await asyncio.gather(*(run(factory, clock) for factory in factories))
            clock.advance(timedelta(days=1, hours=4))
            assert sum(len(r) for r in results) <= 1
        # The week's digest too: one of the two writes it.
        local = clock.now().astimezone(ZONE)
        moment = WeeklyMoment(local.weekday(), local.time())
        runs = await asyncio.gather(
            *(digest.send_digest(f, clock.now(), moment, ZONE, None) for f in factories)
        )
        assert sum(run is not None for run in runs) == 1
    finally:
        for engine in engines:
            await engine.dispose()
    assert (
        await session.scalar(select(func.count()).select_from(Broadcast).where(Broadcast.kind == "reminder"))
        == 2
    )
    per_head = await session.execute(
        select(Delivery.chat_id, func.count()).where(Delivery.kind == "reminder").group_by(Delivery.chat_id)
    )
    assert {count for _chat, count in per_head.all()} == {2}  # 72 h and 24 h, each once
