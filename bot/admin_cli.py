"""The administration subcommands of `python -m bot`: registry import, admins, backup, migration."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import URL, make_url

from bot.clock import Clock
from bot.config import DatabaseSettings, LocaleSettings, Settings
from bot.db import create_engine, create_session_factory
from bot.errors import InvalidInput, UserFacingError
from bot.i18n import _, error_text, use_locale
from bot.migrate import upgrade, upgrade_async
from bot.presentation.registry import describe_changes, describe_problem
from bot.services import consultations, users
from bot.services.registry import MAX_FILE_BYTES, RegistryFileError, import_registry, parse_registry_file
from models import User


def migrate(database: DatabaseSettings) -> None:
    upgrade(database.database_url)


async def import_registry_file(database: DatabaseSettings, path: str, *, dry_run: bool, locale: str) -> int:
    """Import, or with dry_run only print what would change; exit code 1 on a bad file."""
    with use_locale(locale):
        try:
            if await asyncio.to_thread(os.path.getsize, path) > MAX_FILE_BYTES:  # as /import in the bot
                print(path + ": " + _("The file is too large: at most 20 MB."), file=sys.stderr)
                return 1
            content = await asyncio.to_thread(Path(path).read_bytes)
            rows = parse_registry_file(content, Path(path).name)
        except OSError as error:
            print(f"{path}: {error.strerror}", file=sys.stderr)
            return 1
        except RegistryFileError as error:
            for problem in error.problems:
                print(describe_problem(problem), file=sys.stderr)
            return 1
        await upgrade_async(database.database_url)
        engine = create_engine(database.database_url)
        try:
            async with create_session_factory(engine)() as session:
                changes = await import_registry(
                    session, rows, dry_run=dry_run, now=Clock().now(), actor_id=None, source=Path(path).name
                )
        finally:
            await engine.dispose()
        print(describe_changes(changes))
    return 0


async def add_admin(database: DatabaseSettings, telegram_id: int) -> int:
    await upgrade_async(database.database_url)
    engine = create_engine(database.database_url)
    now = Clock().now()
    try:
        async with create_session_factory(engine)() as session:
            await users.grant_admin(session, telegram_id, now)
    finally:
        await engine.dispose()
    print(f"{telegram_id} is an administrator.")
    return 0


async def revoke(
    database: DatabaseSettings, telegram_id: int, settings: Settings | None, *, locale: str
) -> int:
    """Take back the account's role at once; with the bot's settings the person is also told."""
    from bot.factory import create_bot
    from handlers.staff import tell_revoked

    await upgrade_async(database.database_url)
    engine = create_engine(database.database_url)
    try:
        async with create_session_factory(engine)() as session:
            user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
            if user is None:
                print(f"{telegram_id} has never used the bot.", file=sys.stderr)
                return 1
            with use_locale(locale):
                try:
                    user = await users.revoke(session, None, user.id, now=Clock().now())
                except UserFacingError as error:
                    print(f"{telegram_id}: {error_text(error)}", file=sys.stderr)
                    return 1
    finally:
        await engine.dispose()
    print(f"{telegram_id} ({user.role.value}): rights revoked; the buttons stopped working.")
    if settings is None:
        print("BOT_TOKEN is not set: the person was not told and keeps the old command menu until /start.")
        return 0
    bot = create_bot(settings)
    try:
        if not await tell_revoked(bot, user):
            print("The person could not be reached in Telegram.", file=sys.stderr)
    finally:
        await bot.session.close()
    return 0


# The tables whose row counts a backup reports (all tables are compared between source and copy).
BACKUP_REPORTED_TABLES = ("municipality", "app_user", "consultation", "answer", "delivery")


def backup(database: DatabaseSettings, target: str | None) -> int:
    """A consistent copy while the bot runs: SQLite's online backup, or pg_dump for PostgreSQL.

    The copy is checked before it is called a backup; a failed one is removed and the exit code is 1."""
    url = make_url(database.database_url)
    stamp = Clock().now().strftime("%Y%m%d-%H%M%S")
    sqlite = url.get_backend_name() == "sqlite"
    destination = Path(target or f"backups/pikir-{stamp}.{'db' if sqlite else 'sql'}")
    try:
        if sqlite:
            summary = _backup_sqlite(url.database or "", destination)
        else:
            summary = _backup_postgres(url, destination)
    except BackupError as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 1
    size = destination.stat().st_size
    print(f"Backed up to {destination} ({size:,} bytes)")
    for line in summary:
        print(f"  {line}")
    return 0


class BackupError(Exception):
    """The backup could not be made or did not check out; the message says why."""


def _create_private(destination: Path) -> int:
    """A new, empty file only its owner can read (the database holds people's names and positions)."""
    if destination.exists():
        raise BackupError(f"{destination} already exists; give another file name")
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        return os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise BackupError(f"cannot create {destination}: {error.strerror}") from None


def _table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def _backup_sqlite(database: str, destination: Path) -> list[str]:
    source_path = Path(database)
    if not database or database == ":memory:" or not source_path.is_file():
        raise BackupError(f"there is no database file at {source_path.resolve()}; check DATABASE_URL")
    os.close(_create_private(destination))
    try:
        # Read-only: a wrong path must fail, not create an empty database that gets "backed up".
        source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            # One read transaction: the copy and the counts below see the same moment of the database.
            source.execute("BEGIN")
            expected = _table_counts(source)
            if not expected:
                raise BackupError(f"{source_path} has no tables; is DATABASE_URL the bot's database?")
            with contextlib.closing(sqlite3.connect(destination, isolation_level=None)) as copy:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
                integrity = [row[0] for row in copy.execute("PRAGMA integrity_check")]
                copied = _table_counts(copy)
            source.execute("COMMIT")
        finally:
            source.close()
        if integrity != ["ok"]:
            raise BackupError(f"the copy failed its integrity check: {'; '.join(integrity[:5])}")
        if copied != expected:
            differing = ", ".join(sorted(t for t in expected if expected[t] != copied.get(t)))
            raise BackupError(f"row counts differ between the database and the copy in {differing}")
    except sqlite3.Error as error:
        destination.unlink(missing_ok=True)
        raise BackupError(f"{source_path}: {error}") from None
    except BackupError:
        destination.unlink(missing_ok=True)
        raise
    counts = ", ".join(f"{table} {copied[table]}" for table in BACKUP_REPORTED_TABLES if table in copied)
    return ["integrity check: ok", f"rows: {counts} ({sum(copied.values())} in {len(copied)} tables)"]


def pg_dump_command(url: URL) -> tuple[list[str], dict[str, str]]:
    """pg_dump's arguments and environment: the password only in the environment of the child process,
    since the command line of every process can be read by any user of the machine."""
    arguments = ["pg_dump", "--no-owner"]
    for option, value in (("--host", url.host), ("--port", url.port), ("--username", url.username)):
        if value is not None:
            arguments += [option, str(value)]
    arguments += ["--dbname", url.database or ""]
    environment = dict(os.environ)  # a PGPASSWORD or PGPASSFILE of the operator's still works
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    ssl = url.query.get("ssl") or url.query.get("sslmode")  # asyncpg spells it ssl=require
    if isinstance(ssl, str):
        environment["PGSSLMODE"] = ssl
    return arguments, environment


def _backup_postgres(url: URL, destination: Path) -> list[str]:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed; install the PostgreSQL client tools")
    arguments, environment = pg_dump_command(url)
    descriptor = _create_private(destination)
    try:
        with os.fdopen(descriptor, "wb") as output:
            result = subprocess.run(
                arguments, stdout=output, stderr=subprocess.PIPE, env=environment, check=False, text=True
            )
        if result.returncode != 0:
            reason = result.stderr.strip().splitlines()
            raise BackupError(f"pg_dump exited with {result.returncode}: {reason[-1] if reason else ''}")
        with destination.open("rb") as dump:
            tables = sum(line.startswith(b"CREATE TABLE ") for line in dump)
        if tables == 0:
            database = url.database
            raise BackupError(f"the dump of {database} has no tables; is DATABASE_URL the bot's database?")
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return [f"pg_dump of {url.database} on {url.host or 'localhost'}: ok, {tables} tables"]


async def create_consultation(database: DatabaseSettings, locale: LocaleSettings, path: str) -> int:
    """A draft from a YAML or JSON file; coordinators review and publish it in the bot (/drafts)."""
    import yaml

    with use_locale(locale.default_locale):
        try:
            text = await asyncio.to_thread(Path(path).read_text, "utf-8")
            description = yaml.safe_load(text)  # JSON is valid YAML
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 1
        await upgrade_async(database.database_url)
        engine = create_engine(database.database_url)
        try:
            async with create_session_factory(engine)() as session:
                consultation = await consultations.create_from_description(
                    session, description, Clock().now(), locale.zone
                )
        except InvalidInput as error:
            print(f"{path}:\n{error_text(error)}", file=sys.stderr)
            return 1
        finally:
            await engine.dispose()
    print(f"Draft #{consultation.id} created; a coordinator publishes it from /drafts in the bot.")
    return 0
