"""Load benchmark from outside: Pikir against a bare aiogram bot, both as their own processes.

Every head of the country answers a published consultation at once. This script plays Telegram and
the heads: it runs the Bot API emulator (in this process), posts each head's updates to the bot's
webhook with at most ``--concurrency`` requests in flight (Telegram's ``max_connections``), and each
head waits for the bot's reply before its next step, as a person does. A step presses a button found
by its text in the bot's messages (its callback data is whatever the bot put there) or types a text.

In the same run, the same heads and steps go to a bare aiogram 3 bot (its own process, webhook mode,
one ``sendMessage`` per update): the ratio to it is the figure to compare between machines and runs.

Printed for each bot: updates per second, the CPU time of the bot's process per update (from
/proc/PID/stat), the wait of a head for one step (p50, p99), the Bot API calls per update (counted by
the emulator) and for Pikir the SQL statements and transactions per update (the bot counts them when
PIKIR_STATS is set), the errors ("Something went wrong", failed webhook requests, a reply or a button
missing) and the answers lost (must be 0).

    .venv/bin/python bench/load.py [--heads 480] [--concurrency 40]
        [--database-url postgresql+asyncpg://...] [--redis-url redis://...] [--profile FILE]

The database given is emptied first; so are the bot's keys (``pikir:*``) in the Redis database given.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answers import COMMENT, FIRST_HEAD, SECRET, TOKEN, empty, free_port, percentile, seed  # noqa: E402
from bot.i18n import _, use_locale  # noqa: E402
from devtools.emulator import BotApiEmulator, SentMessage  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REPLY_TIMEOUT = 120.0

# One head's answer: ("click", button text) or ("send", text); button texts are msgids, translated
# into the head's language. 15 updates, 11 of them presses.
STEPS: tuple[tuple[str, str], ...] = (
    ("click", "✍ Answer"),
    ("click", "✏ Support with amendments"),
    ("click", "Extra costs"),
    ("send", "1,5 млн"),
    ("click", "Yes"),
    ("click", "drinking water"),
    ("click", "Next »"),
    ("send", COMMENT),
    ("click", "➕ Add an amendment"),
    ("send", "5-берене, 2-бөлүк"),
    ("send", "Айыл өкмөтү менен макулдашуу менен."),
    ("send", "Жергиликтүү жамааттын укугу."),
    ("click", "No more amendments »"),
    ("click", "Done »"),
    ("click", "✅ Submit the answer"),
)


def translated(text: str, locale: str) -> str:
    with use_locale(locale):
        return _(text)


# ---- the driver -----------------------------------------------------------------------------------


def read(path: Path) -> str:
    """A small file (a log, /proc): read at once, no need for a thread."""
    with path.open() as file:
        return file.read()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = read(Path(f"/proc/{pid}/stat")).rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


@dataclass
class Figures:
    name: str
    updates: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0
    driver_cpu: float = 0.0
    waits: list[float] = field(default_factory=list)
    api_calls: int = 0
    statements: int | None = None
    transactions: int | None = None
    failed_requests: list[str] = field(default_factory=list)
    stopped: list[BaseException] = field(default_factory=list)
    crash_replies: int = 0
    log_errors: int = 0
    first_log_error: str = ""
    answers: int | None = None

    @property
    def errors(self) -> int:
        return len(self.failed_requests) + len(self.stopped) + self.crash_replies + self.log_errors


class Telegram:
    """Posts updates to a webhook, at most ``concurrency`` at once, and times each one."""

    def __init__(self, hook: str, concurrency: int, figures: Figures, emulator: BotApiEmulator) -> None:
        self.hook, self.figures, self.emulator = hook, figures, emulator
        self.connections = asyncio.Semaphore(concurrency)
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency))
        self.update_ids = itertools.count(1)

    async def post(self, update: dict[str, Any]) -> None:
        body = {**update, "update_id": next(self.update_ids)}
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with self.connections:
            started = time.perf_counter()
            async with self.http.post(self.hook, json=body, headers=headers) as response:
                # A method the bot returned in its response is executed, as Telegram does (and
                # counted as a Bot API call); the head sees its effect after the response.
                await self.emulator.execute_webhook_answer(response)
            self.figures.waits.append(time.perf_counter() - started)
            if response.status != 200:
                self.figures.failed_requests.append(f"HTTP {response.status}")


class Head:
    """One head taking the steps, each after the bot's reply to the previous one."""

    def __init__(self, telegram: Telegram, emulator: BotApiEmulator, user_id: int, locale: str) -> None:
        self.telegram, self.emulator, self.user_id, self.locale = telegram, emulator, user_id, locale

    def bare_message(self) -> SentMessage:
        chat = {"id": self.user_id, "type": "private", "first_name": "Test"}
        return SentMessage(self.user_id, 1, 0, text="ok", raw={"message_id": 1, "date": 0, "chat": chat})

    def find(self, text: str) -> tuple[SentMessage, str]:
        """The newest message with this button, and the button's callback data."""
        label = translated(text, self.locale)
        for message in reversed(self.emulator.messages(self.user_id)):
            button = None if message.deleted else message.button(label)
            if button is not None:
                return message, button["callback_data"]
        raise AssertionError(f"head {self.user_id}: no button {label!r}")

    async def step(self, kind: str, text: str, *, bare: bool) -> None:
        if kind == "send":
            update = self.emulator.build_text_update(self.user_id, text)
        elif bare:  # the bare bot sends no buttons: press "a button" under a message
            update = self.emulator.build_callback_update(self.user_id, self.bare_message(), "x")
        else:
            update = self.emulator.build_callback_update(self.user_id, *self.find(text))
        cursor = self.emulator.chat_cursor(self.user_id)
        # The bot answers the webhook once the update is handled, so its reply is there by then.
        await self.telegram.post(update)
        if not self.emulator.changes_since(self.user_id, cursor):
            raise AssertionError(f"head {self.user_id}: no reply to {text!r}")

    async def answer(self, *, bare: bool) -> None:
        for kind, text in STEPS:
            await self.step(kind, text, bare=bare)


def has_card(emulator: BotApiEmulator, user_id: int) -> bool:
    labels = {translated(STEPS[0][1], locale) for locale in ("ky", "ru")}
    return any(label in message.buttons for message in emulator.messages(user_id) for label in labels)


async def wait_for(
    condition: Any, what: str, process: asyncio.subprocess.Process, timeout: float = 180  # noqa: ASYNC109
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.returncode is not None:
            raise RuntimeError(f"the bot stopped (exit code {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {timeout:.0f} s")
        await asyncio.sleep(0.1)


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def statements_so_far(process: asyncio.subprocess.Process, log_path: Path) -> tuple[int, int]:
    """Ask the bot for its SQL counters (SIGUSR1) and read them from its log."""
    before = len(re.findall(r"PIKIR_STATS", read(log_path)))
    process.send_signal(signal.SIGUSR1)
    for _attempt in range(100):
        found = re.findall(r"PIKIR_STATS statements=(\d+) transactions=(\d+)", read(log_path))
        if len(found) > before:
            return int(found[-1][0]), int(found[-1][1])
        await asyncio.sleep(0.05)
    raise TimeoutError("the bot did not report its SQL counters")


async def drive(
    name: str,
    command: list[str],
    environment: dict[str, str],
    emulator: BotApiEmulator,
    hook: str,
    people: list[int],
    concurrency: int,
    log_path: Path,
    *,
    bare: bool,
) -> Figures:
    """Start a bot, wait until it is ready, let every head answer, stop the bot; the figures."""
    figures = Figures(name)
    environment = {**environment, "WEBHOOK_URL": hook}
    with log_path.open("w") as log:
        process = await asyncio.create_subprocess_exec(
            *command, env=environment, cwd=ROOT, stdout=log, stderr=log
        )
    try:
        try:
            await wait_for(lambda: emulator.webhook_url == hook, "webhook", process)
        except RuntimeError as error:
            raise RuntimeError(f"{error}; its log ends:\n{read(log_path)[-3000:]}") from None
        if not bare:
            cards = lambda: all(has_card(emulator, p) for p in people)  # noqa: E731
            await wait_for(cards, "card for every head", process)
            # The outbox may still be finishing its batch; let it settle so its work is not counted.
            await asyncio.sleep(2)
            statements, transactions = await statements_so_far(process, log_path)
        calls = len(emulator.requests)
        telegram = Telegram(hook, concurrency, figures, emulator)
        heads = [Head(telegram, emulator, p, "ky" if i % 2 else "ru") for i, p in enumerate(people)]
        cpu, driver_cpu, started = cpu_seconds(process.pid), time.process_time(), time.perf_counter()
        results = await asyncio.gather(*(head.answer(bare=bare) for head in heads), return_exceptions=True)
        figures.elapsed = time.perf_counter() - started
        figures.cpu = cpu_seconds(process.pid) - cpu
        figures.driver_cpu = time.process_time() - driver_cpu
        figures.api_calls = len(emulator.requests) - calls
        if not bare:
            after = await statements_so_far(process, log_path)
            figures.statements, figures.transactions = after[0] - statements, after[1] - transactions
        await telegram.http.close()
    finally:
        await stop(process)
    figures.updates = len(figures.waits)
    figures.stopped = [r for r in results if isinstance(r, BaseException)]
    error_lines = [line for line in read(log_path).splitlines() if " ERROR " in line]
    figures.log_errors = len(error_lines)
    figures.first_log_error = error_lines[0] if error_lines else ""
    return figures


def report(bare: Figures, pikir: Figures, heads: int, concurrency: int, backend: str) -> None:
    def row(label: str, value: Any, base: Any = None, ratio: str = "") -> None:
        print(f"{label:<34}{value!s:>12}{'' if base is None else f'{base!s:>12}'}{ratio:>10}")

    rate = {f.name: f.updates / f.elapsed for f in (bare, pikir)}
    cpu = {f.name: 1000 * f.cpu / max(1, f.updates) for f in (bare, pikir)}
    print(f"{heads} heads answering at once ({len(STEPS)} steps each), {concurrency} updates in flight")
    print(f"Pikir: python -m bot, webhook mode, {backend}; the bare bot: aiogram, one reply per update")
    row("", "Pikir", "bare bot", "ratio")
    row("updates handled", pikir.updates, bare.updates)
    pikir_rate, bare_rate = rate["pikir"], rate["bare"]
    row("updates per second", f"{pikir_rate:.1f}", f"{bare_rate:.1f}", f"{pikir_rate / bare_rate:.2f}")
    pikir_cpu, bare_cpu = cpu["pikir"], cpu["bare"]
    row("CPU per update, ms", f"{pikir_cpu:.2f}", f"{bare_cpu:.2f}", f"{bare_cpu / pikir_cpu:.2f}")
    for share in (0.5, 0.99):
        label = f"wait for one step, p{round(share * 100)}, ms"
        pikir_wait, bare_wait = percentile(pikir.waits, share), percentile(bare.waits, share)
        row(label, f"{1000 * pikir_wait:.0f}", f"{1000 * bare_wait:.0f}")
    per_update = {f.name: f.api_calls / max(1, f.updates) for f in (bare, pikir)}
    row("Bot API calls per update", f"{per_update['pikir']:.2f}", f"{per_update['bare']:.2f}")
    if pikir.statements is not None and pikir.transactions is not None:
        row("SQL statements per update", f"{pikir.statements / max(1, pikir.updates):.2f}")
        row("transactions per update", f"{pikir.transactions / max(1, pikir.updates):.2f}")
    driver = {f.name: f.driver_cpu / f.elapsed for f in (bare, pikir)}
    row("driver's CPU share (1.0 = busy)", f"{driver['pikir']:.2f}", f"{driver['bare']:.2f}")
    row("errors", pikir.errors, bare.errors)
    for figures in (pikir, bare):
        if figures.errors:
            first = figures.stopped[0] if figures.stopped else (figures.failed_requests or [""])[0]
            first = first or figures.first_log_error
            print(
                f"  {figures.name}: 'Something went wrong' {figures.crash_replies}, failed requests "
                f"{len(figures.failed_requests)}, flows stopped {len(figures.stopped)}, log errors "
                f"{figures.log_errors}; first: {first!r}"
            )
    print(f"answers lost: {heads - (pikir.answers or 0)}")


async def main(
    heads: int, concurrency: int, database_url: str | None, redis_url: str | None, profile: str | None
) -> None:
    from sqlalchemy import func, select

    from bot.db import create_engine
    from models import Answer

    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
        await empty(url, redis_url)
        municipality_ids, _cid = await seed(url, heads)
        heads = len(municipality_ids)
        people = [FIRST_HEAD + i for i in range(heads)]
        port = free_port()
        hook = f"http://127.0.0.1:{port}/telegram"
        base = {**os.environ, "WEBHOOK_SECRET": SECRET, "WEB_HOST": "127.0.0.1"}
        base["WEB_PORT"] = str(port)
        async with BotApiEmulator() as emulator:
            for user_id in people:
                emulator.open_chat(user_id)
            base["TELEGRAM_API_URL"] = emulator.url
            bare = await drive(
                "bare",
                [sys.executable, str(ROOT / "bench" / "bare_bot.py")],
                base,
                emulator,
                f"http://127.0.0.1:{port}/bare",
                people,
                concurrency,
                Path(folder) / "bare.log",
                bare=True,
            )
            environment = {
                **base,
                "BOT_TOKEN": TOKEN,
                "DATABASE_URL": url,
                "REDIS_URL": redis_url or "",
                "BROADCAST_RATE": "1000",
                "ADMIN_IDS": "",
                "PIKIR_STATS": "1",
            }
            pikir = await drive(
                "pikir",
                [sys.executable, *(["-m", "cProfile", "-o", profile] if profile else []), "-m", "bot"],
                environment,
                emulator,
                hook,
                people,
                concurrency,
                Path(folder) / "bot.log",
                bare=False,
            )
            crash = {
                translated("Something went wrong on our side. Please try again in a minute.", locale)
                for locale in ("ky", "ru")
            }
            pikir.crash_replies = sum(m.text in crash for p in people for m in emulator.messages(p))
            pikir.crash_replies += sum(q.text in crash for q in emulator.callback_queries.values())
        engine = create_engine(url)
        async with engine.connect() as connection:
            pikir.answers = await connection.scalar(
                select(func.count())
                .select_from(Answer)
                .where(Answer.is_current.is_(True), Answer.comment == COMMENT)
            )
        await engine.dispose()
    backend = url.split(":", 1)[0] + (" + Redis" if redis_url else "")
    report(bare, pikir, heads, concurrency, backend)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--heads", type=int, default=480)
    parser.add_argument("--concurrency", type=int, default=40)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url")
    parser.add_argument("--profile", metavar="FILE", help="run Pikir under cProfile, its figures into FILE")
    arguments = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        options = arguments.heads, arguments.concurrency, arguments.database_url, arguments.redis_url
        asyncio.run(main(*options, arguments.profile))
