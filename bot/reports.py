"""The annual report built end to end: indicators computed, then the DOCX and the XLSX; shared by the
command line (``python -m bot report``), the bot's /report and bench/report.py."""

from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import DatabaseSettings, LocaleSettings
from bot.db import create_engine, create_session_factory
from bot.documents.annual_report import build_report, build_workbook
from bot.migrate import upgrade_async
from bot.services.indicators import Indicators, Period, compute, year_period


@dataclass(frozen=True)
class BuiltReport:
    indicators: Indicators
    docx: bytes
    xlsx: bytes
    # Wall-clock seconds each part took (for the progress message and bench/report.py).
    seconds: dict[str, float]


async def build(
    session: AsyncSession, period: Period, locale: str, now: datetime, association: str | None = None
) -> BuiltReport:
    """Indicators in the database, then the documents in a worker thread (matplotlib and python-docx
    are CPU-bound: the bot's event loop keeps answering meanwhile)."""
    started = time.perf_counter()
    indicators = await compute(session, period, locale)
    computed = time.perf_counter()
    docx = await asyncio.to_thread(
        build_report, indicators, locale, generated_at=now, zone=period.zone, association=association
    )
    written = time.perf_counter()
    xlsx = await asyncio.to_thread(build_workbook, indicators, locale)
    done = time.perf_counter()
    return BuiltReport(
        indicators,
        docx,
        xlsx,
        {"indicators": computed - started, "docx": written - computed, "xlsx": done - written},
    )


def file_names(year: int | None, locale: str) -> tuple[str, str]:
    stem = f"pikir-report-{year or 'period'}-{locale}"
    return f"{stem}.docx", f"{stem}.xlsx"


async def report_command(
    database: DatabaseSettings, settings: LocaleSettings, year: int | None, locale: str, path: str
) -> int:
    """``python -m bot report --year 2026 --lang ky FILE``: the DOCX at FILE, the XLSX beside it."""
    zone = ZoneInfo(settings.timezone)
    now = Clock().now()
    period = year_period(year or now.astimezone(zone).year, zone)
    await upgrade_async(database.database_url)
    engine = create_engine(database.database_url)
    try:
        async with create_session_factory(engine)() as session:
            built = await build(session, period, locale, now)
    finally:
        await engine.dispose()
    target = Path(path)
    try:
        await asyncio.to_thread(target.write_bytes, built.docx)
        await asyncio.to_thread(target.with_suffix(".xlsx").write_bytes, built.xlsx)
    except OSError as error:
        print(f"{path}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"{target} {target.with_suffix('.xlsx')}")
    return 0
