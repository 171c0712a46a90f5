"""Benchmark: every head of the country answers a consultation at the same time.

The bot runs as its own process (`python -m bot`, webhook mode) against the Bot API emulator; this
script plays Telegram: it posts each head's updates to the bot's webhook, at most ``--concurrency``
requests at once (Telegram's webhook ``max_connections``), and reads the bot's replies in the
emulator. 480 heads (one per municipality of ../shared/data/kg_lsg_units_soate.csv, or a generated
registry of the same size when it is absent) each give a full answer: position, budget impact, cost,
mandate, services, comment, one amendment, review, submit; each head waits for the bot's reply before
the next press, as a person does.

Prints answers per second, the p50 and p99 time for one update (the webhook request, waiting in the
bot included), the errors (a "Something went wrong" reply, a failed request, a missing reply) and the
answers lost (must be 0).

    .venv/bin/python bench/answers.py [--heads 480] [--concurrency 100]
        [--database-url postgresql+asyncpg://...] [--redis-url redis://...]

The database given is emptied first; so are the bot's keys (``pikir:*``) in the Redis database given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# devtools/ (the emulator) is not installed with the bot: import it from the repository.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from sqlalchemy import func, select, text

from bot.clock import Clock
from bot.db import create_engine, create_session_factory
from bot.i18n import _, use_locale
from bot.migrate import upgrade_async
from bot.services import consultations
from bot.services.registry import import_registry, parse_registry_file
from devtools.emulator import BotApiEmulator, SentMessage
from models import Answer, Base, Municipality, Role, User, UserStatus

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT.parent / "shared" / "data" / "kg_lsg_units_soate.csv"
FIRST_HEAD = 200_000
COORDINATOR = 1
TOKEN = "123456:PIKIR-BENCH-TOKEN"
SECRET = "bench-secret"
COMMENT = "Жайыттар боюнча пикирибиз: мөөнөтүн узартуу керек. Мнение по срокам."
REPLY_TIMEOUT = 120.0


def generated_registry(count: int) -> bytes:
    lines = ["soate_code,name_ru,kind,oblast_ru,oblast_soate"]
    lines += [f"4179{i:010d},Аймак {i},ayil_aimak,Тестовая область,41799000000000" for i in range(count)]
    return "\n".join(lines).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def empty(url: str, redis_url: str | None) -> None:
    """Bring the schema up to date, and start from empty tables (and no FSM state in Redis)."""
    await upgrade_async(url)
    engine = create_engine(url)
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()
    if redis_url:
        from redis.asyncio import Redis

        client = Redis.from_url(redis_url)
        keys = [key async for key in client.scan_iter("pikir:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def seed(url: str, heads: int) -> tuple[list[int], int]:
    """The registry, a coordinator, one head per municipality, and a published consultation."""
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
    content = REGISTRY.read_bytes() if REGISTRY.exists() else generated_registry(heads)
    now = Clock().now()  # the bot under benchmark runs on the real clock too
    async with session_factory() as session:
        await import_registry(session, parse_registry_file(content, "registry.csv"), dry_run=False, now=now)
        municipality_ids = list(
            await session.scalars(select(Municipality.id).order_by(Municipality.id).limit(heads))
        )
        coordinator = User(
            telegram_id=COORDINATOR,
            role=Role.COORDINATOR,
            status=UserStatus.ACTIVE,
            language="ru",
            created_at=now,
        )
        session.add(coordinator)
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
        now = Clock().now()
        draft = await consultations.create_draft(session, coordinator, now)
        await consultations.save_fields(
            session,
            draft,
            title_ru="Законопроект о пастбищах",
            title_ky="Жайыттар жөнүндө долбоор",
            deadline=now + consultations.MAX_LEAD / 12,
        )
        await consultations.publish(session, coordinator, draft.id, now)
    await engine.dispose()
    return municipality_ids, draft.id


class Telegram:
    """Posts updates to the bot's webhook, at most ``concurrency`` at once, and keeps the figures."""

    def __init__(self, emulator: BotApiEmulator, hook: str, concurrency: int) -> None:
        self.emulator, self.hook = emulator, hook
        self.connections = asyncio.Semaphore(concurrency)
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
        self.update_ids = itertools.count(1)
        self.durations: list[float] = []
        self.failed_requests: list[str] = []

    async def post(self, update: dict[str, Any]) -> None:
        body = {**update, "update_id": next(self.update_ids)}
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with self.connections:
            started = time.perf_counter()
            async with self.http.post(self.hook, json=body, headers=headers) as response:
                await response.read()
                self.durations.append(time.perf_counter() - started)
                if response.status != 200:
                    self.failed_requests.append(f"HTTP {response.status}")


class Head:
    """One head pressing buttons, each after the bot's reply to the previous one."""

    def __init__(self, telegram: Telegram, user_id: int) -> None:
        self.telegram, self.emulator, self.user_id = telegram, telegram.emulator, user_id

    def latest(self) -> SentMessage:
        return self.emulator.messages(self.user_id)[-1]

    async def _act(self, update: dict[str, Any], *, new_message: bool = True) -> None:
        """The bot answers the webhook once the update is handled, so its reply is there by then."""
        count = len(self.emulator.messages(self.user_id))
        cursor = self.emulator.chat_cursor(self.user_id)
        await self.telegram.post(update)
        changed = self.emulator.changes_since(self.user_id, cursor)
        if not changed or (new_message and len(self.emulator.messages(self.user_id)) <= count):
            raise AssertionError(f"head {self.user_id}: no reply")

    async def press(self, data: str, *, new_message: bool = True) -> None:
        update = self.emulator.build_callback_update(self.user_id, self.latest(), data)
        await self._act(update, new_message=new_message)

    async def send(self, text: str) -> None:
        await self._act(self.emulator.build_text_update(self.user_id, text))

    async def tap(self, prefix: str, value: str = "") -> None:
        """Press the latest message's button of this kind (its data carries the draft's version)."""
        message = self.latest()
        for row in message.inline_keyboard:
            for button in row:
                data = button.get("callback_data") or ""
                if data.startswith(prefix + ":") and data.endswith(value):
                    # A press in the flow edits the same message in place.
                    await self.press(data, new_message=False)
                    return
        raise AssertionError(f"head {self.user_id}: no {prefix} button")

    async def answer(self, cid: int) -> None:
        await self.press(f"cons:answer:{cid}")
        await self.tap("astance", ":amend")
        await self.tap("aimpact", ":costs")
        await self.send("1,5 млн")
        await self.tap("amandate", ":1")
        await self.tap("aservice", ":0")  # water
        await self.tap("anext")
        await self.send(COMMENT)
        await self.tap("aamend")
        await self.send("5-берене, 2-бөлүк")
        await self.send("Айыл өкмөтү менен макулдашуу менен.")
        await self.send("Жергиликтүү жамааттын укугу.")
        await self.tap("anext")
        await self.tap("anext")  # no attachments
        await self.tap("asubmit")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def wait_for(condition: Any, what: str, bot: asyncio.subprocess.Process, timeout: float = 120) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while not condition():
        if bot.returncode is not None:
            raise RuntimeError(f"the bot stopped (exit code {bot.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout:.0f} s")
        await asyncio.sleep(0.1)


async def main(heads: int, concurrency: int, database_url: str | None, redis_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        await empty(url, redis_url)
        municipality_ids, cid = await seed(url, heads)
        heads = len(municipality_ids)
        port = free_port()
        hook = f"http://127.0.0.1:{port}/telegram"
        log_path = Path(folder) / "bot.log"
        async with BotApiEmulator() as emulator:
            for user_id in (COORDINATOR, *(FIRST_HEAD + i for i in range(heads))):
                emulator.open_chat(user_id)
            environment = {
                **os.environ,
                "BOT_TOKEN": TOKEN,
                "TELEGRAM_API_URL": emulator.url,
                "DATABASE_URL": url,
                "REDIS_URL": redis_url or "",
                "WEBHOOK_URL": hook,
                "WEBHOOK_SECRET": SECRET,
                "WEB_HOST": "127.0.0.1",
                "WEB_PORT": str(port),
                "BROADCAST_RATE": "1000",
                "ADMIN_IDS": "",
            }
            with log_path.open("w") as log:
                bot = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", env=environment, cwd=ROOT, stdout=log, stderr=log
                )
            try:
                await wait_for(lambda: emulator.webhook_url == hook, "webhook", bot)
                people = [FIRST_HEAD + i for i in range(heads)]
                await wait_for(
                    lambda: all(emulator.messages(p) for p in people), "consultation card for every head", bot
                )
                telegram = Telegram(emulator, hook, concurrency)
                started = time.perf_counter()
                results = await asyncio.gather(
                    *(Head(telegram, person).answer(cid) for person in people), return_exceptions=True
                )
                elapsed = time.perf_counter() - started
                await telegram.http.close()
            finally:
                if bot.returncode is None:
                    bot.send_signal(signal.SIGINT)
                    try:
                        await asyncio.wait_for(bot.wait(), 30)
                    except TimeoutError:
                        bot.kill()
                        await bot.wait()
            crash = set()
            for locale in ("ky", "ru"):
                with use_locale(locale):
                    crash.add(_("Something went wrong on our side. Please try again in a minute."))
            crash_replies = sum(m.text in crash for p in people for m in emulator.messages(p))
            crash_replies += sum(q.text in crash for q in emulator.callback_queries.values())
        failures = [r for r in results if isinstance(r, BaseException)]
        engine = create_engine(url)
        async with engine.connect() as connection:
            stored = await connection.scalar(
                select(func.count()).select_from(Answer).where(Answer.is_current.is_(True))
            )
            intact = await connection.scalar(
                select(func.count()).select_from(Answer).where(Answer.comment == COMMENT)
            )
        await engine.dispose()
        bot_errors = log_path.read_text().count(" ERROR ")
    errors = crash_replies + len(telegram.failed_requests) + len(failures)
    source = "real registry" if REGISTRY.exists() else "generated registry"
    backend = url.split(":", 1)[0] + (" + Redis" if redis_url else "")
    durations = telegram.durations
    print(f"bot:                          its own process, webhook mode, {backend}")
    print(f"heads answering at once:      {heads} ({source})")
    print(f"updates at once (webhook):    at most {concurrency}")
    print(f"updates handled:              {len(durations)}")
    print(f"time for all answers:         {elapsed:.1f} s")
    print(f"answers per second:           {(stored or 0) / elapsed:.1f}")
    print(f"updates per second:           {len(durations) / elapsed:.1f}")
    print(f"one update, p50:              {1000 * statistics.median(durations):.0f} ms")
    print(f"one update, p99:              {1000 * percentile(durations, 0.99):.0f} ms")
    print(f"errors:                       {errors}")
    print(f"  'Something went wrong':     {crash_replies}")
    print(f"  failed webhook requests:    {len(telegram.failed_requests)}")
    print(f"  flows stopped (no reply):   {len(failures)}{f' (first: {failures[0]!r})' if failures else ''}")
    print(f"  errors in the bot's log:    {bot_errors}")
    print(f"answers lost:                 {heads - (stored or 0)}")
    print(f"answers with the comment cut: {(stored or 0) - (intact or 0)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--heads", type=int, default=480)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    arguments = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(arguments.heads, arguments.concurrency, arguments.database_url, arguments.redis_url))
