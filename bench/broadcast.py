"""Benchmark: publish a consultation to N heads through the real outbox against the emulator.

The emulator enforces Telegram's limits (30 messages a second overall, one a second per chat) and
answers 429 above them. Prints the time taken, the achieved rate, the theoretical minimum at the
configured rate, the number of 429s, duplicates and losses.

    .venv/bin/python bench/broadcast.py [--recipients 500] [--rate 25] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# devtools/ (the emulator) is not installed with the bot: import it from the repository.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram.types import BufferedInputFile

from bot.app import assemble
from bot.clock import Clock
from bot.db import create_engine, create_session_factory
from bot.migrate import upgrade_async
from bot.services import consultations
from devtools.emulator import BotApiEmulator
from devtools.testing import settings_for
from models import District, Municipality, MunicipalityKind, Oblast, Role, User, UserStatus
from models.deliveries import Delivery, DeliveryStatus
from models.registry import search_key

FIRST_HEAD = 100_000
ADMIN = 1


async def seed(session_factory, recipients: int, emulator: BotApiEmulator) -> None:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        oblast = Oblast(soate="41799000000000", name_ru="Тестовая область", name_ky="Сыноо облусу")
        district = District(soate="41799200000000", name_ru="Тестовый район", oblast=oblast)
        session.add_all([oblast, district])
        municipalities = [
            Municipality(
                soate=f"4179920{i:07d}",
                name_ru=f"Аймак {i}",
                kind=MunicipalityKind.AYIL_AIMAK,
                oblast=oblast,
                district=district,
                search_name=search_key(f"Аймак {i}"),
            )
            for i in range(recipients)
        ]
        session.add_all(municipalities)
        await session.flush()
        now = Clock().now()  # the bot under benchmark runs on the real clock too
        session.add(
            User(telegram_id=ADMIN, role=Role.ADMIN, status=UserStatus.ACTIVE, language="ru", created_at=now)
        )
        session.add_all(
            User(
                telegram_id=FIRST_HEAD + i,
                role=Role.HEAD,
                status=UserStatus.ACTIVE,
                municipality_id=m.id,
                language="ky" if i % 2 else "ru",
                created_at=now,
            )
            for i, m in enumerate(municipalities)
        )
        await session.commit()
    emulator.open_chat(ADMIN)
    for i in range(recipients):
        emulator.open_chat(FIRST_HEAD + i)


async def main(recipients: int, rate: float, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        await upgrade_async(url)
        engine = create_engine(url)
        session_factory = create_session_factory(engine)
        async with BotApiEmulator(global_rate=30, per_chat_rate=1) as emulator:
            await seed(session_factory, recipients, emulator)
            pikir = assemble(settings_for(emulator.url, url, broadcast_rate=rate), session_factory)
            # The document is uploaded once, as a coordinator would; recipients get it by file_id.
            upload = await pikir.bot.send_document(
                ADMIN, BufferedInputFile(b"%PDF-1.4 draft" * 500, "draft.pdf")
            )
            emulator.count_429 = 0
            async with session_factory() as session:
                admin = await session.get(User, 1)
                draft = await consultations.create_draft(session, admin, pikir.sender.clock.now())  # type: ignore[arg-type]
                await consultations.save_fields(
                    session,
                    draft,
                    title_ky="Сыноо мыйзам долбоору",
                    title_ru="Тестовый законопроект",
                    summary_ru="Краткое описание " * 20,
                    document_file_id=upload.document.file_id,  # type: ignore[union-attr]
                    document_name="draft.pdf",
                    deadline=pikir.sender.clock.now() + consultations.MAX_LEAD / 12,
                )
                sends_before = emulator.total_sends
                started = time.perf_counter()
                await consultations.publish(session, admin, draft.id, pikir.sender.clock.now())  # type: ignore[arg-type]
            await pikir.sender.run_until_idle(timeout=600)
            elapsed = time.perf_counter() - started
            sent = emulator.total_sends - sends_before
            per_chat = Counter(m.chat_id for m in emulator.all_messages() if m.chat_id >= FIRST_HEAD)
            async with session_factory() as session:
                from sqlalchemy import func, select

                unsent = await session.scalar(
                    select(func.count()).select_from(Delivery).where(Delivery.status != DeliveryStatus.SENT)
                )
            await pikir.bot.session.close()
        await engine.dispose()
    duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
    lost = recipients - len(per_chat)
    minimum = recipients / rate
    print(f"recipients:             {recipients}")
    print(f"configured rate:        {rate:.1f} messages/s (emulator limit 30/s overall, 1/s per chat)")
    print(f"time taken:             {elapsed:.2f} s")
    print(f"theoretical minimum:    {minimum:.2f} s at the configured rate")
    achieved = sent / elapsed
    print(f"achieved rate:          {achieved:.2f} messages/s ({100 * achieved / rate:.1f}% of configured)")
    print(f"429 answers:            {emulator.count_429}")
    print(f"duplicates:             {duplicates}")
    print(f"lost:                   {lost} (deliveries not marked sent: {unsent})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.recipients, arguments.rate, arguments.database_url))
