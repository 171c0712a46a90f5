"""Command line: `python -m bot` runs the bot; subcommands administer it.

python -m bot                         run (migrates the database first)
python -m bot import-registry FILE    load the municipal registry from CSV or XLSX [--dry-run]
python -m bot add-admin TELEGRAM_ID   make an account an administrator
python -m bot revoke TELEGRAM_ID      take back an account's role (admin, coordinator, head, deputy)
python -m bot backup [FILE]           copy the database (SQLite) or dump it (PostgreSQL, needs pg_dump)
python -m bot migrate                 only bring the database schema up to date
python -m bot report --year 2026 --lang ky FILE   the annual report (DOCX at FILE, XLSX beside it)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from bot.config import ConfigurationError, DatabaseSettings, LocaleSettings, load_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Pikir: opinions of LSG bodies on draft laws"
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    registry = commands.add_parser("import-registry", help="load the municipal registry from CSV or XLSX")
    registry.add_argument("file")
    registry.add_argument("--dry-run", action="store_true", help="only print what would change")
    admin = commands.add_parser("add-admin", help="make a Telegram account an administrator")
    admin.add_argument("telegram_id", type=int)
    revoke = commands.add_parser("revoke", help="take back an account's role at once")
    revoke.add_argument("telegram_id", type=int)
    backup = commands.add_parser("backup", help="back up the database")
    backup.add_argument("file", nargs="?")
    consultation = commands.add_parser("consultation", help="consultations prepared in files")
    consultation.add_argument("action", choices=["create"])
    consultation.add_argument("file")
    commands.add_parser("migrate", help="bring the database schema up to date")
    report = commands.add_parser("report", help="the annual report to parliament: DOCX and XLSX")
    report.add_argument("--year", type=int, help="the calendar year (default: this year)")
    report.add_argument("--lang", choices=["ky", "ru"], default="ky")
    report.add_argument("file", help="where to write the DOCX; the XLSX goes beside it")
    return parser


class _AtDebug(logging.Filter):
    """Lowers a logger's INFO records to DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def configure_logging(level: str) -> None:
    """LOG_LEVEL (INFO by default) for the bot; one line per update at DEBUG only.

    aiogram logs every handled update at INFO and aiohttp every webhook request: two lines per update,
    a few per cent of the CPU under load and a log in which nothing else can be found.
    """
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # aiogram's line says the same
    updates = logging.getLogger("aiogram.event")  # "Update id=... is handled. Duration ... ms"
    updates.addFilter(_AtDebug())
    # Below DEBUG's level the line is not even made; its errors are logged as before.
    updates.setLevel(logging.DEBUG if logging.getLogger().isEnabledFor(logging.DEBUG) else logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    configure_logging(os.environ.get("LOG_LEVEL", "INFO"))
    try:
        if args.command in (None, "run"):
            settings = load_settings()  # before importing the bot (seconds), so a mistake is told at once
            from bot.app import run

            asyncio.run(run(settings))
            return 0
        # Administration needs only the database, not the bot token.
        from bot import admin_cli

        database = load_settings(DatabaseSettings)
        if args.command == "import-registry":
            locale = load_settings(LocaleSettings).default_locale
            return asyncio.run(
                admin_cli.import_registry_file(database, args.file, dry_run=args.dry_run, locale=locale)
            )
        if args.command == "add-admin":
            return asyncio.run(admin_cli.add_admin(database, args.telegram_id))
        if args.command == "revoke":
            try:
                full = load_settings()
            except ConfigurationError:  # without the bot token the revocation still works; nobody is told
                full = None
            locale = load_settings(LocaleSettings).default_locale
            return asyncio.run(admin_cli.revoke(database, args.telegram_id, full, locale=locale))
        if args.command == "backup":
            return admin_cli.backup(database, args.file)
        if args.command == "consultation":
            return asyncio.run(
                admin_cli.create_consultation(database, load_settings(LocaleSettings), args.file)
            )
        if args.command == "report":
            from bot.reports import report_command

            return asyncio.run(
                report_command(database, load_settings(LocaleSettings), args.year, args.lang, args.file)
            )
        if args.command == "migrate":
            admin_cli.migrate(database)
            return 0
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
