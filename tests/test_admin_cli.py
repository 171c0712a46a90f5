"""`python -m bot backup` and `import-registry` as the operator runs them (the same `main`, in this process:
importing aiogram in a fresh process takes seconds)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.__main__ import main
from bot.db import create_engine, create_session_factory
from bot.migrate import upgrade, upgrade_async
from bot.services.registry import MAX_FILE_BYTES
from models import Role
from tests.conftest import POSTGRES_URL
from tests.factories import add_user, seed_registry
from tests.texts import tr


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Outcome]:
    def run(*arguments: str, cwd: Path, **environment: str) -> Outcome:
        monkeypatch.chdir(cwd)
        for name in ("DATABASE_URL", "BOT_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        capsys.readouterr()
        code = main(list(arguments))
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return run


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_backup_of_a_missing_sqlite_database_is_refused_and_creates_nothing(
    run_cli: Callable[..., Outcome], tmp_path: Path
) -> None:
    missing = tmp_path / "wrong" / "pikir.db"
    target = tmp_path / "backups" / "copy.db"
    result = run_cli("backup", str(target), cwd=tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{missing}")
    assert result.returncode == 1
    assert f"there is no database file at {missing}" in result.stderr and "DATABASE_URL" in result.stderr
    assert "Backed up" not in result.stdout
    assert not missing.exists() and not missing.parent.exists()
    assert not target.exists()


async def test_backup_of_a_sqlite_database_is_checked_and_private(
    run_cli: Callable[..., Outcome], tmp_path: Path
) -> None:
    database = tmp_path / "data" / "pikir.db"
    url = f"sqlite+aiosqlite:///{database}"
    await upgrade_async(url)
    engine = create_engine(url)
    async with create_session_factory(engine)() as session:
        registry = await seed_registry(session)
        await add_user(session, 7, role=Role.HEAD, municipality=registry.tokmok)
    await engine.dispose()
    # Files the bot creates are its owner's only, the -wal and -shm beside the database too.
    assert {mode(path) for path in database.parent.iterdir()} == {0o600}

    target = tmp_path / "backups" / "copy.db"
    result = run_cli("backup", str(target), cwd=tmp_path, DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    assert f"Backed up to {target} ({target.stat().st_size:,} bytes)" in result.stdout
    assert "integrity check: ok" in result.stdout
    with sqlite3.connect(database) as source:
        municipalities = source.execute("SELECT count(*) FROM municipality").fetchone()[0]
    assert municipalities > 0
    assert re.search(rf"rows: municipality {municipalities}, app_user 1, consultation 0\b", result.stdout)
    assert mode(target) == 0o600
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM municipality").fetchone()[0] == municipalities
    assert sorted(p.name for p in target.parent.iterdir()) == ["copy.db"]  # one file, no -wal beside it

    # A second backup to the same name does not overwrite the first.
    again = run_cli("backup", str(target), cwd=tmp_path, DATABASE_URL=url)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_backup_of_a_file_that_is_not_a_database_leaves_no_copy(
    run_cli: Callable[..., Outcome], tmp_path: Path
) -> None:
    impostor = tmp_path / "notes.db"
    impostor.write_text("not a database at all, just some notes" * 100)
    target = tmp_path / "copy.db"
    result = run_cli("backup", str(target), cwd=tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{impostor}")
    assert result.returncode == 1
    assert "Backup failed" in result.stderr and "not a database" in result.stderr
    assert not target.exists()


@pytest.mark.skipif(not POSTGRES_URL, reason="PIKIR_TEST_DATABASE_URL is not set")
def test_postgres_backup_keeps_the_password_off_the_command_line(
    run_cli: Callable[..., Outcome], database_url: str, tmp_path: Path
) -> None:
    # A wrapper in front of the real pg_dump records what any user of the machine could read with ps.
    real = shutil.which("pg_dump")
    if real is None:
        pytest.skip("pg_dump is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "pg_dump"
    wrapper.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$0" "$@" > "{tmp_path}/argv"\n'
        f'printf "%s" "$PGPASSWORD" > "{tmp_path}/password"\nexec {real} "$@"\n'
    )
    wrapper.chmod(0o700)
    password = "Secret-Word-42"
    url = make_url(database_url).set(password=password).render_as_string(hide_password=False)
    target = tmp_path / "pikir.sql"

    result = run_cli(
        "backup",
        str(target),
        cwd=tmp_path,
        DATABASE_URL=url,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    )
    assert result.returncode == 0, result.stderr
    argv = (tmp_path / "argv").read_text()
    assert "--dbname" in argv and make_url(database_url).database in argv
    assert password not in argv
    assert (tmp_path / "password").read_text() == password  # given to pg_dump through its environment
    assert f"Backed up to {target}" in result.stdout and password not in result.stdout
    assert re.search(r"pg_dump of \w+ on 127.0.0.1: ok, (\d+) tables", result.stdout)
    assert mode(target) == 0o600
    dump = target.read_text()
    assert "CREATE TABLE public.municipality" in dump and "CREATE TABLE public.answer" in dump


@pytest.mark.skipif(not POSTGRES_URL, reason="PIKIR_TEST_DATABASE_URL is not set")
def test_postgres_backup_that_fails_says_why_and_leaves_no_file(
    run_cli: Callable[..., Outcome], database_url: str, tmp_path: Path
) -> None:
    url = make_url(database_url).set(database="no_such_database_here").render_as_string(hide_password=False)
    target = tmp_path / "pikir.sql"
    result = run_cli("backup", str(target), cwd=tmp_path, DATABASE_URL=url)
    assert result.returncode == 1
    assert "pg_dump exited with 1" in result.stderr and "no_such_database_here" in result.stderr
    assert not target.exists()


def test_command_line_import_has_the_bots_size_limit(run_cli: Callable[..., Outcome], tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pikir.db'}"
    upgrade(url)
    big = tmp_path / "registry.csv"
    with big.open("wb") as file:
        file.write(b"soate_code,name_ru,kind\n")
        file.truncate(MAX_FILE_BYTES + 1)
    result = run_cli("import-registry", str(big), cwd=tmp_path, DATABASE_URL=url, DEFAULT_LOCALE="ru")
    assert result.returncode == 1
    assert result.stderr.strip() == f"{big}: " + tr("The file is too large: at most 20 MB.", "ru")


def test_the_registry_template_in_docs_imports(run_cli: Callable[..., Outcome], tmp_path: Path) -> None:
    """docs/registry-template.csv, which README offers to newcomers, is a file the importer accepts as it is,
    with every column README describes."""
    template = Path(__file__).resolve().parent.parent / "docs" / "registry-template.csv"
    header = template.read_text(encoding="utf-8").splitlines()[0].split(",")
    readme = (template.parent.parent / "README.md").read_text(encoding="utf-8")
    for column in header:
        assert f"`{column}`" in readme, column
    url = f"sqlite+aiosqlite:///{tmp_path / 'pikir.db'}"
    upgrade(url)
    first = run_cli("import-registry", str(template), cwd=tmp_path, DATABASE_URL=url, DEFAULT_LOCALE="ru")
    assert first.returncode == 0, first.stderr
    assert "2" in first.stdout
    again = run_cli("import-registry", str(template), cwd=tmp_path, DATABASE_URL=url, DEFAULT_LOCALE="ru")
    assert again.returncode == 0
    assert tr("Nothing to change: the registry already matches the file.", "ru") in again.stdout
