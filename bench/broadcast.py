"""Benchmark: a coordinator publishes to every head, measured from outside, Telegram's limits enforced.

The bot runs as its own process (``python -m bot``, webhook mode); this script plays Telegram and the
people. The Bot API emulator behaves like Telegram: at most 30 messages (sends and edits) in any one
second, one a second per chat, 429 with ``retry_after`` above that, and a round trip of
``--round-trip`` seconds (half before Telegram counts a call, half before the bot has the answer).

A coordinator opens the draft from /drafts and presses «📤 Publish»; the clock runs from that press
until the last head has the card. With ``--pressing 0.1`` a tenth of the heads press «✍ Answer»
2-6 seconds after their card arrives (and go on for ``--steps`` steps of the answer, 1-3 s apart), as
people do while the broadcast is still going: every one of their steps must be answered.

Printed: the time, the share of the 30/s floor (recipients / 30 seconds), the 429s, the longest
event-loop stall inside the bot (PIKIR_LOOP_STATS) and its longest garbage collection, duplicates,
losses, the replies that failed, and the share of Telegram's budget used (all messages Telegram
accepted during the broadcast, replies included, against 30 a second).

    .venv/bin/python bench/broadcast.py [--recipients 484] [--round-trip 0.1] [--pressing 0.1]
        [--steps 1] [--rate N (BROADCAST_RATE; the bot's default if not given)]
        [--database-url postgresql+asyncpg://...] [--redis-url redis://...]

The database given is emptied first; so are the bot's keys (``pikir:*``) in the Redis database given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answers import SECRET, TOKEN, empty, free_port
from bench.load import STEPS, cpu_seconds, read, stop, translated, wait_for
from bot.clock import Clock
from bot.db import create_engine, create_session_factory
from bot.services import consultations
from devtools.emulator import BotApiEmulator, SentMessage
from models import District, Municipality, MunicipalityKind, Oblast, Role, User, UserStatus
from models.deliveries import Delivery, DeliveryStatus
from models.registry import search_key

FIRST_HEAD = 100_000
COORDINATOR = 1
TELEGRAM_LIMIT = 30  # messages a second: the floor is recipients / 30 seconds
TITLE_RU = "Тестовый законопроект"
CRASH = "Something went wrong on our side. Please try again in a minute."


async def seed(url: str, recipients: int, file_id: str) -> None:
    """One oblast of ``recipients`` municipalities, a head in each, a coordinator, a complete draft."""
    engine = create_engine(url)
    session_factory = create_session_factory(engine)
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
                municipality_id=m.id,
                language="ky" if i % 2 else "ru",
                full_name=f"Башчы {i}",
                created_at=now,
            )
            for i, m in enumerate(municipalities)
        )
        await session.commit()
        draft = await consultations.create_draft(session, coordinator, now)
        await consultations.save_fields(
            session,
            draft,
            title_ky="Сыноо мыйзам долбоору",
            title_ru=TITLE_RU,
            summary_ru="Краткое описание " * 20,
            summary_ky="Кыскача баяндама " * 20,
            document_file_id=file_id,
            document_name="draft.pdf",
            deadline=now + consultations.MAX_LEAD / 12,
        )
    await engine.dispose()


@dataclass
class Run:
    """What one broadcast did, seen from Telegram's side."""

    started: float = 0.0
    card_at: dict[int, float] = field(default_factory=dict)
    cards: dict[int, int] = field(default_factory=dict)
    failed_replies: list[str] = field(default_factory=list)
    steps_answered: int = 0
    webhook_errors: int = 0
    _arrivals: dict[int, asyncio.Event] = field(default_factory=dict)

    def arrived(self, user_id: int) -> asyncio.Event:
        return self._arrivals.setdefault(user_id, asyncio.Event())


class Telegram:
    """Posts updates to the bot's webhook and checks that each got a reply."""

    def __init__(self, hook: str, emulator: BotApiEmulator, run: Run) -> None:
        self.hook, self.emulator, self.run = hook, emulator, run
        self.http = aiohttp.ClientSession()
        self.update_id = 0

    async def post(self, update: dict[str, Any]) -> None:
        self.update_id += 1
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with self.http.post(
            self.hook, json={**update, "update_id": self.update_id}, headers=headers
        ) as r:
            await r.read()
        if r.status != 200:
            self.run.webhook_errors += 1

    def find(self, user_id: int, label: str) -> tuple[SentMessage, str]:
        for message in reversed(self.emulator.messages(user_id)):
            button = None if message.deleted else message.button(label)
            if button is not None:
                return message, button["callback_data"]
        raise AssertionError(f"{user_id}: no button {label!r}")

    async def step(self, user_id: int, kind: str, text: str, locale: str) -> list[SentMessage]:
        """One press or text; the bot answers the webhook once it has handled it (and replied)."""
        if kind == "send":
            update = self.emulator.build_text_update(user_id, text)
        else:
            update = self.emulator.build_callback_update(
                user_id, *self.find(user_id, translated(text, locale))
            )
        cursor = self.emulator.chat_cursor(user_id)
        await self.post(update)
        return self.emulator.changes_since(user_id, cursor)


async def press_after_card(telegram: Telegram, run: Run, user_id: int, locale: str, steps: int) -> None:
    """A head who reads the card for 2-6 s, presses «✍ Answer», and goes on like a person."""
    await run.arrived(user_id).wait()
    await asyncio.sleep(random.uniform(2, 6))
    crash = translated(CRASH, locale)
    for number, (kind, text) in enumerate(STEPS[:steps]):
        if number:
            await asyncio.sleep(random.uniform(1, 3))
        try:
            replies = await telegram.step(user_id, kind, text, locale)
        except AssertionError as error:
            run.failed_replies.append(str(error))
            return
        if not replies or any(crash in (m.text or "") for m in replies):
            run.failed_replies.append(f"{user_id}: {text!r} answered with {[m.text[:60] for m in replies]}")
            return
        run.steps_answered += 1


async def watch_cards(emulator: BotApiEmulator, run: Run, heads: set[int], label: set[str]) -> None:
    """Note when each head's card arrives (polled every few ms) and how many each got."""
    seen = 0
    while True:
        messages = emulator.all_messages()
        now = time.perf_counter()
        for message in messages[seen:]:
            if message.chat_id in heads and label & set(message.buttons):
                run.cards[message.chat_id] = run.cards.get(message.chat_id, 0) + 1
                run.card_at.setdefault(message.chat_id, now)
                run.arrived(message.chat_id).set()
        seen = len(messages)
        await asyncio.sleep(0.005)


async def loop_figures(process: asyncio.subprocess.Process, log_path: Path) -> dict[str, float]:
    """Ask the bot for its loop figures since the last ask (SIGUSR2) and read them from its log."""
    before = read(log_path).count("PIKIR_LOOP ")
    process.send_signal(signal.SIGUSR2)
    for _attempt in range(200):
        found = re.findall(r"PIKIR_LOOP (.*)", read(log_path))
        if len(found) > before:
            return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", found[-1])}
        await asyncio.sleep(0.05)
    return {}


async def main(arguments: argparse.Namespace) -> None:
    from sqlalchemy import func, select

    recipients, random_seed = arguments.recipients, 15
    random.seed(random_seed)
    heads = [FIRST_HEAD + i for i in range(recipients)]
    locale_of = {h: "ky" if i % 2 else "ru" for i, h in enumerate(heads)}
    pressing = heads[:: round(1 / arguments.pressing)] if arguments.pressing else []
    with tempfile.TemporaryDirectory() as folder:
        url = arguments.database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        await empty(url, arguments.redis_url)
        port = free_port()
        hook = f"http://127.0.0.1:{port}/telegram"
        log_path = Path(folder) / "bot.log"
        async with BotApiEmulator(global_rate=TELEGRAM_LIMIT, round_trip=arguments.round_trip) as emulator:
            document = emulator.upload_user_file(b"%PDF-1.4 draft" * 500, file_name="draft.pdf")
            await seed(url, recipients, document.file_id)
            emulator.open_chat(COORDINATOR, language_code="ru")
            for head in heads:
                emulator.open_chat(head, language_code=locale_of[head])
            environment = {
                **os.environ,
                "BOT_TOKEN": TOKEN,
                "DATABASE_URL": url,
                "REDIS_URL": arguments.redis_url or "",
                "TELEGRAM_API_URL": emulator.url,
                "WEBHOOK_URL": hook,
                "WEBHOOK_SECRET": SECRET,
                "WEB_HOST": "127.0.0.1",
                "WEB_PORT": str(port),
                "ADMIN_IDS": "",
                "PIKIR_LOOP_STATS": "1",
            }
            if arguments.rate:
                environment["BROADCAST_RATE"] = str(arguments.rate)
            with log_path.open("w") as log:
                process = await asyncio.create_subprocess_exec(
                    sys.executable,
                    *(["-m", "cProfile", "-o", arguments.profile] if arguments.profile else []),
                    "-m",
                    "bot",
                    env=environment,
                    cwd=ROOT,
                    stdout=log,
                    stderr=log,
                )
            run = Run()
            telegram = Telegram(hook, emulator, run)
            try:
                try:
                    await wait_for(lambda: emulator.webhook_url == hook, "webhook", process)
                except RuntimeError as error:
                    raise RuntimeError(f"{error}; its log ends:\n{read(log_path)[-3000:]}") from None
                await telegram.step(COORDINATOR, "send", "/drafts", "ru")
                await telegram.post(
                    emulator.build_callback_update(COORDINATOR, *telegram.find(COORDINATOR, f"✏ {TITLE_RU}"))
                )
                publish = telegram.find(COORDINATOR, translated("📤 Publish", "ru"))
                await asyncio.sleep(1)  # Telegram's window forgets the coordinator's messages
                # From the press on, one message a second per chat (the preview above is a burst of five
                # messages in one private chat, which Telegram allows).
                emulator.per_chat_rate = 1
                await loop_figures(process, log_path)  # from here on
                label = {translated("✍ Answer", locale) for locale in ("ky", "ru")}
                watcher = asyncio.create_task(watch_cards(emulator, run, set(heads), label))
                sends_before, limited_before = emulator.total_sends, emulator.count_429
                presses = [
                    asyncio.create_task(press_after_card(telegram, run, h, locale_of[h], arguments.steps))
                    for h in pressing
                ]
                cpu_before = cpu_seconds(process.pid)
                run.started = time.perf_counter()
                await telegram.post(emulator.build_callback_update(COORDINATOR, *publish))
                await wait_for(lambda: len(run.card_at) == recipients, "card for every head", process, 600)
                finished = max(run.card_at.values())
                cpu = cpu_seconds(process.pid) - cpu_before
                sends_during = emulator.total_sends - sends_before
                await asyncio.gather(*presses)
                done = translated("Sending finished.", "ru")
                with contextlib.suppress(TimeoutError):
                    await wait_for(
                        lambda: any(done in (m.text or "") for m in emulator.messages(COORDINATOR)),
                        "the final progress message",
                        process,
                        30,
                    )
                progress_done = any(done in (m.text or "") for m in emulator.messages(COORDINATOR))
                await asyncio.sleep(1)  # a late duplicate would show up here
                watcher.cancel()
                figures = await loop_figures(process, log_path)
                limited = emulator.count_429 - limited_before
            finally:
                await telegram.http.close()
                await stop(process)
        engine = create_engine(url)
        async with engine.connect() as connection:
            unsent = await connection.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status != DeliveryStatus.SENT)
            )
        await engine.dispose()
        errors = read(log_path).count(" ERROR ")
        kept = read(log_path)
    if arguments.keep_log:
        with open(arguments.keep_log, "w") as copy:  # noqa: ASYNC230 - after the run, nothing waits
            copy.write(kept)
    elapsed = finished - run.started
    floor = recipients / TELEGRAM_LIMIT
    backend = url.split(":", 1)[0] + (" + Redis" if arguments.redis_url else "")
    print(
        f"{recipients} heads, {backend}, round trip {1000 * arguments.round_trip:.0f} ms, BROADCAST_RATE "
        f"{arguments.rate or 'default'}, {len(pressing)} heads pressing ({arguments.steps} step(s) each)"
    )
    first = min(run.card_at.values()) - run.started
    print(f"time to the last card:   {elapsed:.2f} s (the first after {first:.2f} s)")
    print(f"share of the 30/s floor: {100 * floor / elapsed:.1f}% (floor {floor:.1f} s)")
    # The replies to the heads pressing are messages within the same 30 a second, sent first: the floor
    # of the whole is every message Telegram accepted during the broadcast over 30 a second.
    used = sends_during / (TELEGRAM_LIMIT * elapsed)
    print(f"Telegram budget used:    {100 * used:.1f}% ({sends_during} messages, replies included)")
    print(f"429 answers:             {limited}")
    print(f"bot's CPU time:          {cpu:.1f} s ({1000 * cpu / recipients:.1f} ms a card, replies included)")
    print(f"longest loop stall:      {figures.get('longest_stall_ms', float('nan')):.0f} ms")
    print(
        f"longest GC pause:        {figures.get('gc_longest_ms', float('nan')):.0f} ms "
        f"(full collections {figures.get('gc_full', float('nan')):.0f}, "
        f"longest {figures.get('gc_full_longest_ms', float('nan')):.0f} ms)"
    )
    print(f"duplicates:              {sum(n - 1 for n in run.cards.values())}")
    print(f"lost:                    {recipients - len(run.cards)} (deliveries not marked sent: {unsent})")
    print(f"replies failed:          {len(run.failed_replies)} of {len(pressing) * arguments.steps} steps")
    print(f"errors in the bot's log: {errors}; failed webhook requests: {run.webhook_errors}")
    print(f"coordinator's progress message says finished: {'yes' if progress_done else 'NO'}")
    per_second = Counter(int(at - run.started) for at in run.card_at.values())
    print("cards a second:         ", " ".join(str(per_second[i]) for i in range(int(elapsed) + 1)))
    for failure in run.failed_replies[:5]:
        print("  ", failure)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipients", type=int, default=484)
    parser.add_argument("--round-trip", type=float, default=0.1, help="seconds (default 0.1)")
    parser.add_argument("--pressing", type=float, default=0.0, help="share of heads pressing (e.g. 0.1)")
    parser.add_argument(
        "--steps", type=int, default=1, help=f"steps each pressing head takes (1-{len(STEPS)})"
    )
    parser.add_argument("--rate", type=float, help="BROADCAST_RATE for the bot (its default if not given)")
    parser.add_argument("--profile", metavar="FILE", help="run the bot under cProfile, its figures into FILE")
    parser.add_argument("--keep-log", metavar="FILE", help="copy the bot's log there")
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parser.parse_args()))
