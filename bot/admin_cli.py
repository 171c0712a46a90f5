"""The administration subcommands of `python -m bot`: registry import, admins, backup, migration."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.clock import Clock
from bot.config import DatabaseSettings, LocaleSettings
from bot.db import create_engine, create_session_factory
from bot.errors import InvalidInput
from bot.i18n import use_locale
from bot.migrate import upgrade, upgrade_async
from bot.services import audit, consultations
from bot.services.registry import (
    RegistryFileError,
    describe_changes,
    describe_problem,
    import_registry,
    parse_registry_file,
)
from bot.services.users import get_or_create_user


def migrate(database: DatabaseSettings) -> None:
    upgrade(database.database_url)


async def import_registry_file(database: DatabaseSettings, path: str, *, dry_run: bool, locale: str) -> int:
    """Import, or with dry_run only print what would change; exit code 1 on a bad file."""
    with use_locale(locale):
        try:
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
            user = await get_or_create_user(
                session,
                telegram_id,
                telegram_name=None,
                telegram_username=None,
                admin_ids=[telegram_id],
                now=now,
            )
            audit.record(
                session,
                "user.admin_from_command_line",
                actor_id=None,
                now=now,
                object_type="user",
                object_id=user.id,
            )
            await session.commit()
    finally:
        await engine.dispose()
    print(f"{telegram_id} is an administrator.")
    return 0


def backup(database: DatabaseSettings, target: str | None) -> int:
    """A consistent copy while the bot runs: SQLite's online backup, or pg_dump for PostgreSQL."""
    url = make_url(database.database_url)
    stamp = Clock().now().strftime("%Y%m%d-%H%M%S")
    if url.get_backend_name() == "sqlite":
        destination = Path(target or f"backups/pikir-{stamp}.db")
        destination.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(url.database or "") as source, sqlite3.connect(destination) as copy:
            source.backup(copy)
        print(f"Backed up to {destination}")
        return 0
    if shutil.which("pg_dump") is None:
        print("pg_dump is not installed; install the PostgreSQL client tools.", file=sys.stderr)
        return 1
    destination = Path(target or f"backups/pikir-{stamp}.sql")
    destination.parent.mkdir(parents=True, exist_ok=True)
    plain_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
    result = subprocess.run(["pg_dump", "--no-owner", "-f", str(destination), plain_url], check=False)
    if result.returncode == 0:
        print(f"Backed up to {destination}")
    return result.returncode


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
            print(f"{path}:\n{error}", file=sys.stderr)
            return 1
        finally:
            await engine.dispose()
    print(f"Draft #{consultation.id} created; a coordinator publishes it from /drafts in the bot.")
    return 0
