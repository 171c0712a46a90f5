"""`python -m bot` that cannot start says in one line what to fix, without a traceback (a real process)."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from devtools.emulator import BotApiEmulator

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:wrong-token"


async def run_bot(cwd: Path, api_url: str, database_url: str) -> tuple[int, str]:
    """Run the bot until it exits; its exit code and stderr (the emulator keeps serving meanwhile)."""
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "WEBHOOK_URL", "ADMIN_IDS") and not k.startswith("PIKIR_")
    }
    environment.update(
        PYTHONPATH=str(ROOT), BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api_url, DATABASE_URL=database_url
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode or 0, stderr.decode()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def assert_one_clear_line(stderr: str, *hints: str) -> None:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if all(hint in line for hint in hints)]
    assert len(lines) == 1, stderr


async def test_refused_token(emulator: BotApiEmulator, tmp_path: Path) -> None:
    emulator.refuse_token(TOKEN)
    code, stderr = await run_bot(tmp_path, emulator.url, sqlite_url(tmp_path / "pikir.db"))
    assert code == 2
    assert_one_clear_line(stderr, "The Bot API refused the token (401 Unauthorized): check BOT_TOKEN")
    assert [r.method for r in emulator.requests] == ["getMe"]  # it stopped at the first call


async def test_unreachable_bot_api(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    code, stderr = await run_bot(tmp_path, url, sqlite_url(tmp_path / "pikir.db"))
    assert code == 2
    assert_one_clear_line(stderr, f"Cannot reach the Bot API at {url}", "check TELEGRAM_API_URL")


@pytest.mark.parametrize("problem", ["folder is a file", "not a database"])
async def test_database_that_cannot_be_opened(emulator: BotApiEmulator, tmp_path: Path, problem: str) -> None:
    # Tests run as root, for whom permission bits stop nothing: these fail for everybody.
    if problem == "folder is a file":
        (tmp_path / "data").write_text("a file where the database's folder should be")
        database = tmp_path / "data" / "pikir.db"
    else:
        database = tmp_path / "pikir.db"
        database.write_text("some notes, not a database" * 200)
    code, stderr = await run_bot(tmp_path, emulator.url, sqlite_url(database))
    assert code == 2
    assert_one_clear_line(stderr, f"Cannot open the database {sqlite_url(database)}", "check DATABASE_URL")
    assert not emulator.requests  # the database comes first
