"""Benchmark: the annual report over a busy year.

100 consultations on bills, each put before 480 municipalities that all answer (48,000 current
answers, some with an earlier version, about half with a cost, a third with amendments, the groups
decided), plus 5 impact follow-ups and a local kenesh survey answered by every municipality. Times
computing the indicators (``bot.services.indicators.compute``), building the DOCX and the XLSX
(``bot.documents.annual_report``), each the median of 3 runs after a warm-up, and reports the peak
memory: the process's peak RSS, and the peak of Python allocations while building (tracemalloc, a
separate run so that it does not slow the timed ones). The bar: indicators under 2 s, the whole
report under 10 s. A CPU reference (a fixed pure-Python loop) is timed in the same run, since the
machine may be shared.

    .venv/bin/python bench/report.py [--consultations 100] [--municipalities 480] [--database-url URL]

Without ``--database-url`` an SQLite file in a temporary folder. A PostgreSQL database is migrated
and EMPTIED first: give it a database of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import create_engine, create_session_factory
from bot.documents.annual_report import build_report, build_workbook
from bot.migrate import upgrade_async
from bot.presentation.surveys import survey_content
from bot.services.indicators import compute, year_period
from bot.services.surveys import IMPACT, KENESH
from devtools.report_year import AnswerSpec, ConsultationSpec, insert_consultation
from models import Base, District, Municipality, MunicipalityKind, Oblast, ProposalDecision, Stance
from models.consultations import Consultation, ConsultationKind, ConsultationStatus
from models.registry import search_key

YEAR = 2026
ZONE = ZoneInfo("Asia/Bishkek")
LOCALE = "ru"
RUNS = 3
OBLASTS = 9
PER_DISTRICT = 12
TOPICS = ("local_budget", "land", "water", "education", "health", "inter_budget", "social", "other")
INITIATORS = ("Кабинет Министров", "Депутаты Жогорку Кенеша", "Министерство финансов", None)
STANCES = (Stance.SUPPORT, Stance.SUPPORT_WITH_AMENDMENTS, Stance.OPPOSE, Stance.NO_OPINION)
ARTICLES = [f"ст. {n}" for n in range(1, 13)]
DECISIONS = (ProposalDecision.ACCEPTED, ProposalDecision.PARTLY_ACCEPTED, ProposalDecision.REJECTED, None)


async def seed_registry(session: AsyncSession, size: int, rng: random.Random) -> list[int]:
    await session.execute(
        insert(Oblast),
        [
            {"soate": f"417{o:02d}000000000", "name_ru": f"Область {o}", "name_ky": f"{o}-облус"}
            for o in range(OBLASTS)
        ],
    )
    oblasts = list(await session.scalars(select(Oblast.id).order_by(Oblast.id)))
    count = max(1, size // PER_DISTRICT)
    await session.execute(
        insert(District),
        [
            {
                "soate": f"418{d:06d}00000",
                "name_ru": f"Район {d}",
                "name_ky": f"{d}-район",
                "oblast_id": oblasts[d % OBLASTS],
            }
            for d in range(count)
        ],
    )
    districts = list(await session.scalars(select(District.id).order_by(District.id)))
    rows = []
    for i in range(size):
        kind = rng.choices(list(MunicipalityKind), weights=(88, 6, 6))[0]
        d = i % count
        rows.append(
            {
                "soate": f"419{i:011d}",
                "name_ru": f"Аймак {i}",
                "name_ky": f"{i}-айыл аймагы",
                "kind": kind,
                "oblast_id": oblasts[d % OBLASTS],
                "district_id": None if kind is MunicipalityKind.CITY else districts[d],
                "population": rng.randint(1_500, 40_000),
                "search_name": search_key(f"Аймак {i}", f"{i}-айыл аймагы"),
            }
        )
    await session.execute(insert(Municipality), rows)
    await session.commit()
    return list(await session.scalars(select(Municipality.id).order_by(Municipality.id)))


def bill(index: int, count: int, municipalities: list[int], rng: random.Random) -> ConsultationSpec:
    published = datetime(YEAR, 1, 5, 6, tzinfo=UTC) + timedelta(days=index * 350 // max(count, 1))
    answers = []
    used: set[str] = set()
    for mid in municipalities:
        articles = tuple(rng.sample(ARTICLES, rng.randint(1, 3))) if rng.random() < 0.33 else ()
        used.update(articles)
        answers.append(
            AnswerSpec(
                mid,
                rng.choice(STANCES),
                cost=rng.randint(10_000, 5_000_000) if rng.random() < 0.5 else None,
                unfunded=rng.random() < 0.2,
                articles=articles,
                earlier_versions=1 if rng.random() < 0.1 else 0,
            )
        )
    decisions = {a: d for a in sorted(used) if (d := rng.choice(DECISIONS)) is not None}
    return ConsultationSpec(
        published_at=published,
        title=f"Законопроект № {index + 1}",
        targets=municipalities,
        answers=answers,
        topics=rng.sample(TOPICS, rng.randint(1, 2)),
        initiator=rng.choice(INITIATORS),
        status=ConsultationStatus.OUTCOME_RECORDED,
        adopted_after=timedelta(days=rng.randint(10, 40)),
        decisions=decisions,
    )


async def seed(url: str, consultations: int, size: int) -> tuple[float, int]:
    """The year: bills, five impact follow-ups and a kenesh survey; seconds taken and answers made."""
    started = time.perf_counter()
    rng = random.Random(14)
    await upgrade_async(url)
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    answers = 0
    async with create_session_factory(engine)() as session:
        municipalities = await seed_registry(session, size, rng)
        bills = []
        for index in range(consultations):
            spec = bill(index, consultations, municipalities, rng)
            bills.append(await insert_consultation(session, spec))
            answers += len(spec.answers)
        for n, act_id in enumerate(bills[:5]):
            act = await session.get(Consultation, act_id)
            assert act is not None
            extra = lambda: {  # noqa: E731
                "1": rng.randint(-2_000_000, 500_000),
                "2": rng.randint(1, 5),
                "3": rng.random() < 0.4,
                "4": rng.sample(["pensioners", "farmers", "families", "youth"], 2),
                "5": "Комментарий",
            }
            spec = ConsultationSpec(
                published_at=datetime(YEAR, 7 + n, 1, 6, tzinfo=UTC),
                targets=municipalities,
                answers=[AnswerSpec(m, Stance.NO_OPINION, extra=extra()) for m in municipalities],
                kind=ConsultationKind.SURVEY,
                template=IMPACT,
                follows_id=act_id,
                follow_up_months=6,
                extra_questions=survey_content(IMPACT, act, 6).questions,
            )
            await insert_consultation(session, spec)
            answers += len(spec.answers)
        kenesh = ConsultationSpec(
            published_at=datetime(YEAR, 12, 1, 6, tzinfo=UTC),
            targets=municipalities,
            answers=[
                AnswerSpec(m, Stance.NO_OPINION, extra={str(q): rng.randint(0, 30) for q in range(1, 7)})
                for m in municipalities
            ],
            kind=ConsultationKind.SURVEY,
            template=KENESH,
            extra_questions=survey_content(KENESH, None, None).questions,
        )
        await insert_consultation(session, kenesh)
        answers += len(kenesh.answers)
    await engine.dispose()
    return time.perf_counter() - started, answers


def cpu_reference() -> float:
    started = time.perf_counter()
    sum(i * i for i in range(3_000_000))
    return time.perf_counter() - started


async def main(consultations: int, size: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{folder}/report.db"
        seeded, answers = await seed(url, consultations, size)
        print(
            f"{consultations} consultations x {size} municipalities on "
            f"{'PostgreSQL' if database_url else 'SQLite'}: {answers:,} current answers in all "
            f"(seeded in {seeded:.1f} s)"
        )
        engine = create_engine(url)
        period = year_period(YEAR, ZONE)
        now = datetime(YEAR + 1, 1, 10, 6, tzinfo=UTC)
        times: dict[str, list[float]] = {"indicators": [], "docx": [], "xlsx": []}
        reference = []
        async with create_session_factory(engine)() as session:
            for run in range(RUNS + 1):  # the first run warms up (imports, matplotlib's font cache)
                reference.append(cpu_reference())
                started = time.perf_counter()
                indicators = await compute(session, period, LOCALE)
                computed = time.perf_counter()
                docx = build_report(indicators, LOCALE, generated_at=now, zone=ZONE)
                written = time.perf_counter()
                xlsx = build_workbook(indicators, LOCALE)
                done = time.perf_counter()
                if run:
                    times["indicators"].append(computed - started)
                    times["docx"].append(written - computed)
                    times["xlsx"].append(done - written)
            tracemalloc.start()
            indicators = await compute(session, period, LOCALE)
            _, compute_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            build_report(indicators, LOCALE, generated_at=now, zone=ZONE)
            build_workbook(indicators, LOCALE)
            _, build_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        await engine.dispose()
    medians = {name: statistics.median(values) for name, values in times.items()}
    total = sum(medians.values())
    print(f"  CPU reference loop       {1000 * statistics.median(reference):8.0f} ms (machine load gauge)")
    print(f"  indicators               {1000 * medians['indicators']:8.0f} ms  (bar: 2000 ms)")
    print(f"  DOCX ({len(docx) / 1024:.0f} KiB)           {1000 * medians['docx']:8.0f} ms")
    print(f"  XLSX ({len(xlsx) / 1024:.0f} KiB)            {1000 * medians['xlsx']:8.0f} ms")
    print(f"  whole report             {1000 * total:8.0f} ms  (bar: 10000 ms)")
    print(f"  participation rows {len(indicators.participation)}, overall rate {indicators.overall.rate:.3f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  peak memory: process RSS {rss:.0f} MiB; Python allocations {compute_peak / 2**20:.1f} MiB "
        f"computing, {build_peak / 2**20:.1f} MiB building the documents"
    )
    verdict = medians["indicators"] < 2 and total < 10
    print(f"  bar {'met' if verdict else 'NOT MET'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--consultations", type=int, default=100)
    parser.add_argument("--municipalities", type=int, default=480)
    parser.add_argument("--database-url", help="PostgreSQL, e.g. postgresql+asyncpg://user@host/bench")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.consultations, arguments.municipalities, arguments.database_url))
