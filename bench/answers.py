"""Benchmark: every head of the country answers a consultation at the same time, through the emulator.

480 heads (one per municipality of ../shared/data/kg_lsg_units_soate.csv, or a generated registry of
the same size when it is absent) each give a full answer: position, budget impact, cost, mandate,
services, comment, one amendment, review, submit. The bot handles updates concurrently, as in
production. Prints answers per second, the p50 and p99 time to handle one update, and how many
answers were lost (must be 0).

    .venv/bin/python bench/answers.py [--heads 480] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from sqlalchemy import func, select

from bot.clock import Clock
from bot.db import create_engine, create_session_factory
from bot.emulator import BotApiEmulator, SentMessage
from bot.migrate import upgrade_async
from bot.services import consultations
from bot.services.registry import import_registry, parse_registry_file
from bot.testing import RunningBot, settings_for
from models import Answer, Municipality, Role, User, UserStatus

REGISTRY = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "kg_lsg_units_soate.csv"
FIRST_HEAD = 200_000
COORDINATOR = 1


def generated_registry(count: int) -> bytes:
    lines = ["soate_code,name_ru,kind,oblast_ru,oblast_soate"]
    lines += [f"4179{i:010d},Аймак {i},ayil_aimak,Тестовая область,41799000000000" for i in range(count)]
    return "\n".join(lines).encode()


async def seed(session_factory: Any, heads: int) -> list[int]:
    content = REGISTRY.read_bytes() if REGISTRY.exists() else generated_registry(heads)
    now = Clock().now()  # the bot under benchmark runs on the real clock too
    async with session_factory() as session:
        await import_registry(session, parse_registry_file(content, "registry.csv"), dry_run=False, now=now)
        municipality_ids = list(
            await session.scalars(select(Municipality.id).order_by(Municipality.id).limit(heads))
        )
        session.add(
            User(
                telegram_id=COORDINATOR,
                role=Role.COORDINATOR,
                status=UserStatus.ACTIVE,
                language="ru",
                created_at=now,
            )
        )
        session.add_all(
            User(
                telegram_id=FIRST_HEAD + i,
                role=Role.HEAD,
                status=UserStatus.ACTIVE,
                municipality_id=mid,
                language="ky" if i % 2 else "ru",
                full_name=f"Башчы {i}",
                created_at=now,
            )
            for i, mid in enumerate(municipality_ids)
        )
        await session.commit()
    return municipality_ids


class Head:
    """One head pressing buttons as fast as the bot answers, waiting for each reply in their own chat."""

    def __init__(self, emulator: BotApiEmulator, user_id: int, latencies: list[float]) -> None:
        self.emulator, self.user_id, self.latencies = emulator, user_id, latencies

    def latest(self) -> SentMessage:
        return self.emulator.messages(self.user_id)[-1]

    async def _act(self, update: dict[str, Any], *, new_message: bool = True) -> None:
        """Send an update and wait for the bot's reply: a new message, or an edit for a toggle."""
        cursor = self.emulator.chat_cursor(self.user_id)
        count = len(self.emulator.messages(self.user_id))
        started = time.perf_counter()
        self.emulator.push_update(update)
        for _ in range(3000):
            changed = self.emulator.changes_since(self.user_id, cursor)
            if changed and (not new_message or len(self.emulator.messages(self.user_id)) > count):
                self.latencies.append(time.perf_counter() - started)
                return
            await asyncio.sleep(0.02)
        raise TimeoutError(f"head {self.user_id}: no reply")

    async def press(self, data: str, *, new_message: bool = True) -> None:
        update = self.emulator.build_callback_update(self.user_id, self.latest(), data)
        await self._act(update, new_message=new_message)

    async def send(self, text: str) -> None:
        await self._act(self.emulator.build_text_update(self.user_id, text))

    async def answer(self, cid: int) -> None:
        await self.press(f"cons:answer:{cid}")
        for data in (f"ans:{cid}:stance:pick:amend", f"ans:{cid}:impact:pick:costs"):
            await self.press(data)
        await self.send("1,5 млн")
        await self.press(f"ans:{cid}:mandate:pick:1")
        await self.press(f"ans:{cid}:services:toggle:water", new_message=False)
        await self.press(f"ans:{cid}:services:next:")
        await self.send("Жайыттар боюнча пикирибиз: мөөнөтүн узартуу керек. Мнение по срокам.")
        await self.press(f"ans:{cid}:amendments:add:")
        await self.send("5-берене, 2-бөлүк")
        await self.send("Айыл өкмөтү менен макулдашуу менен.")
        await self.send("Жергиликтүү жамааттын укугу.")
        await self.press(f"ans:{cid}:amendments:next:")
        await self.press(f"ans:{cid}:attachments:next:")
        await self.press(f"ans:{cid}:review:submit:")


def timing_middleware(durations: list[float]) -> Callable[..., Awaitable[Any]]:
    async def measure(
        handler: Callable[..., Awaitable[Any]], event: TelegramObject, data: dict[str, Any]
    ) -> Any:
        started = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            durations.append(time.perf_counter() - started)

    return measure


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main(heads: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        await upgrade_async(url)
        engine = create_engine(url)
        session_factory = create_session_factory(engine)
        municipality_ids = await seed(session_factory, heads)
        heads = len(municipality_ids)
        async with BotApiEmulator(quiet_period=0.005) as emulator:
            running = RunningBot(
                settings_for(emulator.url, url, broadcast_rate=1000), session_factory, handle_as_tasks=True
            )
            durations: list[float] = []
            await running.start()
            running.pikir.dispatcher.update.outer_middleware(timing_middleware(durations))  # type: ignore[union-attr]
            people = [Head(emulator, FIRST_HEAD + i, []) for i in range(heads)]
            for person in people:
                emulator.open_chat(person.user_id)
            async with session_factory() as session:
                coordinator = await session.scalar(select(User).where(User.telegram_id == COORDINATOR))
                draft = await consultations.create_draft(session, coordinator, running.clock.now())  # type: ignore[arg-type]
                await consultations.save_fields(
                    session,
                    draft,
                    title_ru="Законопроект о пастбищах",
                    title_ky="Жайыттар жөнүндө долбоор",
                    deadline=running.clock.now() + consultations.MAX_LEAD / 12,
                )
                await consultations.publish(session, coordinator, draft.id, running.clock.now())  # type: ignore[arg-type]
            await running.pikir.sender.run_until_idle()  # type: ignore[union-attr]
            durations.clear()
            latencies: list[float] = []
            for person in people:
                person.latencies = latencies
            started = time.perf_counter()
            results = await asyncio.gather(
                *(person.answer(draft.id) for person in people), return_exceptions=True
            )
            elapsed = time.perf_counter() - started
            failures = [r for r in results if isinstance(r, BaseException)]
            await running.stop()
        async with session_factory() as session:
            stored = await session.scalar(
                select(func.count()).select_from(Answer).where(Answer.is_current.is_(True))
            )
        await engine.dispose()
    source = "real registry" if REGISTRY.exists() else "generated registry"
    print(f"heads answering at once:     {heads} ({source})")
    print(f"updates handled:             {len(durations)}")
    print(f"time for all answers:        {elapsed:.1f} s")
    print(f"answers per second:          {(stored or 0) / elapsed:.1f}")
    print(f"handling one update, p50:    {1000 * statistics.median(durations):.1f} ms")
    print(f"handling one update, p99:    {1000 * percentile(durations, 0.99):.1f} ms")
    print(
        f"head waits for a reply, p50: {1000 * statistics.median(latencies):.1f} ms, "
        f"p99: {1000 * percentile(latencies, 0.99):.1f} ms"
    )
    print(f"flows that failed:           {len(failures)}{f' (first: {failures[0]!r})' if failures else ''}")
    print(f"answers lost:                {heads - (stored or 0)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--heads", type=int, default=480)
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.heads, arguments.database_url))
