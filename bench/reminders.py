"""Benchmark: a round of reminders and one weekly digest, computed and then sent through the outbox.

For 1,000 people in 480 municipalities (about today's Kyrgyzstan) and for 20,000 people in 9,600, each
in a database of its own: three open consultations put before every municipality with the last reminder
due (about 40% have answered), two consultations closed this week with adopted positions, coordinators
and pending applications. Times computing and writing what is due (``send_due_reminders``, then
``send_digest``), and how that time grows with the size (it must grow no faster than linearly). Then,
for the first size only, sends every reminder, escalation and digest through the real outbox against
the Bot API emulator (30 messages a second overall, one a second per chat) and prints the rate reached.

    .venv/bin/python bench/reminders.py [--people 1000] [--large 20000] [--rate 25] [--no-send]
                                        [--database-url URL]

Without ``--database-url`` each size gets an SQLite file in a temporary folder. With a PostgreSQL URL
the database is migrated and EMPTIED before each size: give it a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# devtools/ (the emulator) is not installed with the bot: import it from the repository.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import assemble
from bot.clock import ManualClock
from bot.db import create_engine, create_session_factory
from bot.migrate import upgrade_async
from bot.services import digest, reminders
from bot.timing import WeeklyMoment, parse_offsets
from devtools.emulator import BotApiEmulator
from devtools.testing import settings_for
from models import (
    Answer,
    Base,
    Consultation,
    ConsultationStatus,
    ConsultationTarget,
    Delivery,
    District,
    Municipality,
    MunicipalityKind,
    Oblast,
    Position,
    Role,
    Stance,
    User,
    UserStatus,
)

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # a Monday, 09:00 in Bishkek
ZONE = ZoneInfo("Asia/Bishkek")
OFFSETS = parse_offsets("72h,24h,3h")
CHUNK = 1_000
PEOPLE_PER_MUNICIPALITY = 1_000 / 480
COORDINATORS = 5


async def bulk(session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
    for start in range(0, len(rows), CHUNK):
        ids += list(await session.scalars(statement, rows[start : start + CHUNK]))
    return ids


async def seed(session_factory: async_sessionmaker[AsyncSession], people: int, rng: random.Random) -> None:
    size = max(1, round(people / PEOPLE_PER_MUNICIPALITY))
    async with session_factory() as session:
        oblasts = await bulk(
            session, Oblast, [{"soate": f"417{o:02d}000000000", "name_ru": f"Область {o}"} for o in range(9)]
        )
        districts = await bulk(
            session,
            District,
            [
                {"soate": f"418{d:06d}00000", "name_ru": f"Район {d}", "oblast_id": oblasts[d % 9]}
                for d in range(max(1, size // 12))
            ],
        )
        municipalities = await bulk(
            session,
            Municipality,
            [
                {
                    "soate": f"419{i:011d}",
                    "name_ru": f"Аймак {i}",
                    "name_ky": f"{i}-айыл аймагы",
                    "kind": MunicipalityKind.AYIL_AIMAK,
                    "oblast_id": oblasts[(i % len(districts)) % 9],
                    "district_id": districts[i % len(districts)],
                    "search_name": f"аймак {i}",
                }
                for i in range(size)
            ],
        )
        users = [
            {
                "telegram_id": 1 + c,
                "role": Role.COORDINATOR,
                "status": UserStatus.ACTIVE,
                "language": "ru",
                "full_name": f"Координатор {c}",
                "created_at": NOW,
            }
            for c in range(COORDINATORS)
        ]
        for p in range(people - COORDINATORS):
            municipality = municipalities[p % size]
            users.append(
                {
                    "telegram_id": 100_000 + p,
                    "role": Role.HEAD if p < size else Role.DEPUTY,
                    "status": UserStatus.PENDING if p % 97 == 0 else UserStatus.ACTIVE,
                    "municipality_id": municipality,
                    "language": "ky" if p % 2 else "ru",
                    "full_name": f"Башчы {p}",
                    "created_at": NOW,
                }
            )
        user_ids = await bulk(session, User, users)
        consultations = []
        for n in range(5):
            is_open = n < 3
            consultations.append(
                {
                    "status": ConsultationStatus.OPEN if is_open else ConsultationStatus.CLOSED,
                    "title_ru": f"Законопроект {n}",
                    "title_ky": f"{n}-мыйзам долбоору",
                    "audience": {"kind": "all"},
                    "topics": [],
                    "extra_questions": [],
                    "created_by_id": user_ids[n % COORDINATORS],
                    "created_at": NOW - timedelta(days=6),
                    "published_at": NOW - timedelta(days=5),
                    # the open ones: the last reminder (3 h) is due now
                    "deadline": NOW + timedelta(hours=2, minutes=59) if is_open else NOW - timedelta(days=2),
                    "closed_at": None if is_open else NOW - timedelta(days=2),
                }
            )
        consultation_ids = await bulk(session, Consultation, consultations)
        targets = [
            {"consultation_id": c, "municipality_id": m} for c in consultation_ids for m in municipalities
        ]
        await bulk(session, ConsultationTarget, targets)
        answers = [
            {
                "consultation_id": c,
                "municipality_id": m,
                "version": 1,
                "is_current": True,
                "submitted_at": NOW - timedelta(days=rng.randint(1, 4)),
                "stance": Stance.SUPPORT,
                "services": [],
                "attachments": [],
                "extra_answers": {},
            }
            for c in consultation_ids
            for m in municipalities
            if rng.random() < 0.4
        ]
        await bulk(session, Answer, answers)
        await bulk(
            session,
            Position,
            [
                {
                    "consultation_id": c,
                    "text_ky": "Колдойт.",
                    "text_ru": "Поддерживает.",
                    "drafted_at": NOW,
                    "adopted_at": NOW - timedelta(days=1),
                }
                for c in consultation_ids[3:]
            ],
        )
        await session.commit()


async def empty(session_factory: async_sessionmaker[AsyncSession]) -> None:
    async with session_factory() as session:
        if session.bind.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            await session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            await session.commit()


async def measure(people: int, url: str, rng: random.Random) -> tuple[float, float, float, int, int, float]:
    """(seconds for the reminder round, for gathering the digest's content, for the whole digest run,
    reminder deliveries, digest deliveries, CPU seconds of the whole digest run)."""
    await upgrade_async(url)
    engine = create_engine(url)
    factory = create_session_factory(engine)
    await empty(factory)
    await seed(factory, people, rng)
    # What seeding left behind is not the bot's: keep the garbage collector from walking it on every
    # collection, which would charge the larger size for the benchmark's own objects.
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    rounds = await reminders.send_due_reminders(factory, NOW, OFFSETS, None, ZONE)
    reminder_time = time.perf_counter() - started
    # What the digest says, gathered for everyone: the median of three runs (the machine may be shared).
    timings = []
    for _ in range(3):
        async with factory() as session:
            started = time.perf_counter()
            await digest.head_contents(session, NOW - digest.WEEK, NOW)
            await digest.coordinator_contents(session, NOW - digest.WEEK, NOW)
            timings.append(time.perf_counter() - started)
    gather_time = statistics.median(timings)
    local = NOW.astimezone(ZONE)
    started, cpu_started = time.perf_counter(), time.process_time()
    run = await digest.send_digest(factory, NOW, WeeklyMoment(local.weekday(), local.time()), ZONE, None)
    digest_time = time.perf_counter() - started
    # The process's own CPU time (SQLite's thread included): a reference that other helpers' load on
    # the shared machine disturbs far less than the wall-clock time.
    digest_cpu = time.process_time() - cpu_started
    await engine.dispose()
    digested = run.people if run else 0
    return reminder_time, gather_time, digest_time, sum(r.people for r in rounds), digested, digest_cpu


async def send_all(url: str, rate: float) -> None:
    """Send what the round and the digest wrote, through the outbox against the emulator."""
    engine = create_engine(url)
    factory = create_session_factory(engine)
    async with factory() as session:
        chats = set(await session.scalars(select(Delivery.chat_id)))
        total = await session.scalar(select(func.count()).select_from(Delivery)) or 0
    async with BotApiEmulator(global_rate=30, per_chat_rate=1) as emulator:
        for chat in chats:
            emulator.open_chat(chat)
        clock = ManualClock(NOW)
        pikir = assemble(settings_for(emulator.url, url, broadcast_rate=rate), factory, clock=clock)
        started = time.perf_counter()
        await pikir.sender.run_until_idle(timeout=1_800)
        elapsed = time.perf_counter() - started
        await pikir.bot.session.close()
        async with factory() as session:
            statuses = dict(
                (await session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))).all()
            )
        sent = emulator.total_sends
        count_429 = emulator.count_429
    await engine.dispose()
    print(f"deliveries written:     {total} (reminders, escalations, digests)")
    print(f"statuses after sending: { {str(k): v for k, v in statuses.items()} }")
    print(f"messages sent:          {sent} in {elapsed:.1f} s")
    print(
        f"rate reached:           {sent / elapsed:.2f} messages/s (configured {rate:.0f}/s; "
        f"emulator limit 30/s overall, 1/s per chat); 429 answers: {count_429}"
    )


async def main(people: int, large: int, rate: float, send: bool, database_url: str | None) -> None:
    rng = random.Random(12)
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for size in (people, large):
            url = database_url or f"sqlite+aiosqlite:///{folder}/bench-{size}.db"
            results[size] = await measure(size, url, rng)
            reminder_time, gather_time, digest_time, reminded, digested, digest_cpu = results[size]
            print(
                f"{size:>6} people: reminder round {reminder_time * 1000:8.1f} ms ({reminded} reminders); "
                f"digest content {gather_time * 1000:8.1f} ms (median of 3), whole digest run "
                f"{digest_time * 1000:8.1f} ms ({digested} digests; CPU {digest_cpu * 1000:.1f} ms)"
            )
            if size == people and send:
                await send_all(url, rate)
    growth = large / people
    for name, index in (
        ("reminder round", 0),
        ("digest content", 1),
        ("whole digest run", 2),
        ("whole digest run, CPU time", 5),
    ):
        ratio = results[large][index] / results[people][index]
        verdict = "linear or better" if ratio <= growth * 1.25 else "FASTER THAN LINEAR"
        print(f"{name}: x{ratio:.1f} the time for x{growth:.0f} the people: {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--no-send", action="store_true", help="only compute what is due")
    parser.add_argument("--database-url", default=None)
    arguments = parser.parse_args()
    asyncio.run(
        main(arguments.people, arguments.large, arguments.rate, not arguments.no_send, arguments.database_url)
    )
