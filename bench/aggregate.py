"""Benchmark: the association's position over a whole country, and the documents exported from it.

For 480 municipalities (about today's Kyrgyzstan) and for 20,000 (a country forty times larger), each
in a database of its own: a generated registry (oblasts, districts, municipalities with populations,
some unknown), a consultation published to all of them, and one current answer per municipality with
a realistic mix of stances, costs (about half report one), unfunded mandates and 0-3 amendments over
about 40 spellings of a dozen articles. Times ``positions.summarise`` and ``drafting.draft_text``
(the median of 3 runs after a warm-up) and compares how the time grows with how the size grows: it
must grow no faster than linearly. Then, for 480 answers, times reading the data
(``bot/services/export_data.py``) and each document of ``bot/documents/`` and prints the size of its file.

    .venv/bin/python bench/aggregate.py [--small 480] [--large 20000] [--database-url URL]

Without ``--database-url`` each size gets an SQLite file in a temporary folder. With a PostgreSQL URL
the database is migrated and EMPTIED before each size: give it a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.db import create_engine, create_session_factory
from bot.migrate import upgrade_async
from bot.presentation.drafting import draft_text
from bot.services import consultations, positions
from models import (
    Amendment,
    Answer,
    Base,
    BudgetImpact,
    Consultation,
    District,
    Municipality,
    MunicipalityKind,
    Oblast,
    Role,
    Stance,
    User,
    UserStatus,
)
from models.answers import LOCAL_SERVICES, article_key
from models.registry import search_key

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Bishkek")
LOCALE = "ru"
QUORUM = 0.5
CHUNK = 1_000  # rows per INSERT statement
RUNS = 3
OBLASTS = 9  # seven oblasts and the two cities of republican rank
MUNICIPALITIES_PER_DISTRICT = 12  # 40 districts for 480 municipalities, as in Kyrgyzstan

STANCES = (Stance.SUPPORT, Stance.SUPPORT_WITH_AMENDMENTS, Stance.OPPOSE, Stance.NO_OPINION)
STANCE_WEIGHTS = (35, 35, 18, 12)
# A dozen articles, each written three ways, plus the preamble: about 40 spellings; the first
# articles draw most proposals, as they do in real drafts.
ARTICLES = [[f"ст. {n}", f"Статья {n}", f"{n}-берене"] for n in range(1, 13)]
ARTICLES += [[f"ст. {n} ч. 2", f"{n}-берененин 2-бөлүгү"] for n in (4, 8)] + [["преамбула", "Преамбула"]]
ARTICLE_WEIGHTS = [1 / rank for rank in range(1, len(ARTICLES) + 1)]

T = TypeVar("T")


def chunks(rows: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def insert_returning_ids(
    session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]
) -> list[int]:
    """Bulk INSERT in chunks; the new ids in the order of ``rows``."""
    ids: list[int] = []
    statement = insert(model).returning(model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
    for chunk in chunks(rows):
        ids += list(await session.scalars(statement, chunk))
    return ids


async def seed_registry(session: AsyncSession, size: int, rng: random.Random) -> None:
    """Oblasts, districts and ``size`` municipalities: mostly ayil aimaks, some cities and towns."""
    oblast_ids = await insert_returning_ids(
        session,
        Oblast,
        [
            {"soate": f"417{o:02d}000000000", "name_ru": f"Область {o}", "name_ky": f"{o}-облус"}
            for o in range(1, OBLASTS + 1)
        ],
    )
    district_count = max(1, size // MUNICIPALITIES_PER_DISTRICT)
    district_oblast = [oblast_ids[d % OBLASTS] for d in range(district_count)]
    district_ids = await insert_returning_ids(
        session,
        District,
        [
            {
                "soate": f"418{d:06d}00000",
                "name_ru": f"Район {d}",
                "name_ky": f"{d}-район",
                "oblast_id": oblast_id,
            }
            for d, oblast_id in enumerate(district_oblast)
        ],
    )
    rows = []
    for i in range(size):
        kind = rng.choices(list(MunicipalityKind), weights=(88, 6, 6))[0]
        district = i % district_count
        if kind is MunicipalityKind.CITY:
            population = rng.randint(20_000, 1_000_000)
        else:
            population = rng.randint(1_500, 40_000)
        name_ru = f"Аймак {i}" if kind is MunicipalityKind.AYIL_AIMAK else f"г. Город {i}"
        name_ky = f"{i}-айыл аймагы" if kind is MunicipalityKind.AYIL_AIMAK else f"{i}-шаар"
        rows.append(
            {
                "soate": f"419{i:011d}",
                "name_ru": name_ru,
                "name_ky": name_ky,
                "kind": kind,
                "oblast_id": district_oblast[district],
                "district_id": None if kind is MunicipalityKind.CITY else district_ids[district],
                "population": None if rng.random() < 0.1 else population,  # a tenth without figures
                "search_name": search_key(name_ru, name_ky),
            }
        )
    for chunk in chunks(rows):
        await session.execute(insert(Municipality), chunk)


async def publish(session: AsyncSession) -> Consultation:
    """A consultation put before every municipality: publishing inserts the targets in one statement."""
    coordinator = User(
        telegram_id=1, role=Role.COORDINATOR, status=UserStatus.ACTIVE, language="ru", created_at=NOW
    )
    session.add(coordinator)
    await session.commit()
    draft = await consultations.create_draft(session, coordinator, NOW - timedelta(days=10))
    await consultations.save_fields(
        session,
        draft,
        title_ru="Законопроект о межбюджетных трансфертах",
        title_ky="Бюджеттер аралык трансферттер жөнүндө мыйзам долбоору",
        inter_budget=True,
        committee="Комитет по бюджету и финансам",
        deadline=NOW - timedelta(hours=1),
        audience={"kind": "all"},
    )
    await consultations.publish(session, coordinator, draft.id, NOW - timedelta(days=10))
    return draft


def answer_row(consultation_id: int, municipality_id: int, rng: random.Random) -> dict[str, Any]:
    stance = rng.choices(STANCES, weights=STANCE_WEIGHTS)[0]
    cost = rng.choice([50_000, 120_000, 300_000, 750_000, 2_000_000]) * rng.randint(1, 9)
    reports_cost = rng.random() < 0.5
    return {
        "consultation_id": consultation_id,
        "municipality_id": municipality_id,
        "version": 1,
        "is_current": True,
        "by_deputy": rng.random() < 0.1,
        "submitted_at": NOW - timedelta(minutes=rng.randint(60, 14_400)),
        "stance": stance,
        "budget_impact": BudgetImpact.EXTRA_COSTS if reports_cost else BudgetImpact.NONE,
        "annual_cost": cost if reports_cost else None,
        "unfunded_mandate": rng.choices([True, False, None], weights=(30, 45, 25))[0],
        "services": rng.sample(LOCAL_SERVICES, rng.randint(0, 3)),
        "comment": "Мнение айыл окмоту: нужен переходный период." if rng.random() < 0.4 else None,
        "attachments": [],
        "extra_answers": {},
    }


async def seed_answers(session: AsyncSession, consultation_id: int, rng: random.Random) -> int:
    """One current answer per municipality, and its amendments; the number of amendments."""
    municipality_ids = list(await session.scalars(select(Municipality.id).order_by(Municipality.id)))
    answer_ids = await insert_returning_ids(
        session, Answer, [answer_row(consultation_id, mid, rng) for mid in municipality_ids]
    )
    amendments = []
    for answer_id in answer_ids:
        for position in range(rng.choice((0, 0, 1, 1, 2, 3))):
            article = rng.choice(rng.choices(ARTICLES, weights=ARTICLE_WEIGHTS)[0])
            amendments.append(
                {
                    "answer_id": answer_id,
                    "position": position,
                    "article": article,
                    "article_key": article_key(article),
                    "wording": f"Изложить {article} в новой редакции: срок {rng.randint(10, 90)} дней.",
                    "justification": "Местный бюджет не покрывает расходы." if rng.random() < 0.7 else None,
                }
            )
    for chunk in chunks(amendments):
        await session.execute(insert(Amendment), chunk)
    return len(amendments)


async def fresh_database(url: str) -> AsyncEngine:
    """A migrated database; on PostgreSQL every table is emptied first."""
    await upgrade_async(url)
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return engine


async def median_time(action: Callable[[], Awaitable[Any]]) -> float:
    """The median of RUNS timed runs, after one untimed warm-up."""
    await action()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        await action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@dataclass
class Measured:
    size: int
    amendments: int
    groups: int
    seed_seconds: float
    summarise_seconds: float
    draft_seconds: float


async def measure(url: str, size: int) -> tuple[Measured, async_sessionmaker[AsyncSession], AsyncEngine, int]:
    """Seed a country of ``size`` municipalities and time the position over it."""
    engine = await fresh_database(url)
    session_factory = create_session_factory(engine)
    rng = random.Random(size)
    started = time.perf_counter()
    async with session_factory() as session:
        await seed_registry(session, size, rng)
        await session.commit()
        consultation = await publish(session)
        amendments = await seed_answers(session, consultation.id, rng)
        await session.commit()
    seeded = time.perf_counter() - started

    async def summarise() -> positions.PositionSummary:
        async with session_factory() as session:
            return await positions.summarise(session, consultation.id, LOCALE, QUORUM)

    summary = await summarise()
    assert (summary.targeted, summary.answered) == (size, size), "every municipality answered"

    async def draft() -> str:
        return draft_text(summary, consultation, LOCALE)

    result = Measured(
        size=size,
        amendments=amendments,
        groups=len(summary.proposals),
        seed_seconds=seeded,
        summarise_seconds=await median_time(summarise),
        draft_seconds=await median_time(draft),
    )
    return result, session_factory, engine, consultation.id


async def time_exports(session_factory: async_sessionmaker[AsyncSession], consultation_id: int) -> None:
    """Close the consultation (drafting the position), then time reading the data and each document."""
    # Imported only when needed: the document libraries take a while to load.
    from bot import documents
    from bot.services.export_data import export_data

    async with session_factory() as session:
        await positions.close(session, consultation_id, NOW, QUORUM, drafter=draft_text)

    async def read() -> Any:
        async with session_factory() as session:
            return await export_data(session, consultation_id, LOCALE, QUORUM, ZONE, NOW)

    data = await read()
    print(f"  {'export_data (the database part)':34} {1000 * await median_time(read):9.1f} ms")
    renderers: list[tuple[str, Callable[[Any], bytes]]] = [
        ("position paper (DOCX)", documents.position_paper),
        ("disagreement protocol (DOCX)", documents.disagreement_protocol),
        ("answers and tallies (XLSX)", documents.answers_workbook),
        ("answers (CSV)", documents.answers_csv),
        ("stance chart (PNG)", documents.stance_chart),
    ]
    for name, render in renderers:
        output: list[bytes] = []

        async def build(render: Callable[[Any], bytes] = render, output: list[bytes] = output) -> None:
            output[:] = [render(data)]

        seconds = await median_time(build)
        print(f"  {name:34} {1000 * seconds:9.1f} ms {len(output[0]) / 1024:9.1f} KiB")


def growth_line(name: str, small: Measured, large: Measured, small_t: float, large_t: float) -> str:
    ratio = large_t / small_t
    size_ratio = large.size / small.size
    verdict = "holds" if ratio <= size_ratio else "DOES NOT HOLD"
    return (
        f"{name:12} t({large.size})/t({small.size}) = {ratio:6.1f} against the size ratio "
        f"{size_ratio:.1f}: no worse than linear {verdict}"
    )


async def main(small_size: int, large_size: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        results = []
        for size in (small_size, large_size):
            url = database_url or f"sqlite+aiosqlite:///{folder}/aggregate-{size}.db"
            measured, session_factory, engine, consultation_id = await measure(url, size)
            results.append(measured)
            print(
                f"{size} municipalities, {size} answers, {measured.amendments} amendments in "
                f"{measured.groups} article groups (seeded in {measured.seed_seconds:.1f} s)"
            )
            print(f"  {'summarise':34} {1000 * measured.summarise_seconds:9.1f} ms (median of {RUNS})")
            print(f"  {'draft_text':34} {1000 * measured.draft_seconds:9.2f} ms (median of {RUNS})")
            if size == small_size:
                print(f"  exports for {size} answers, in {LOCALE} (median of {RUNS}):")
                await time_exports(session_factory, consultation_id)
            await engine.dispose()
    small, large = results
    print(f"database: {'PostgreSQL' if database_url else 'SQLite'}")
    print(growth_line("summarise", small, large, small.summarise_seconds, large.summarise_seconds))
    print(growth_line("draft_text", small, large, small.draft_seconds, large.draft_seconds))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--small", type=int, default=480)
    parser.add_argument("--large", type=int, default=20_000)
    parser.add_argument("--database-url", help="PostgreSQL, e.g. postgresql+asyncpg://user@host/bench")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.small, arguments.large, arguments.database_url))
