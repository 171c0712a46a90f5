"""The two things the bot needs before it serves anyone, each failing with one line saying what to fix.

These lines are for the operator at the console (English, no gettext), not for the bot's users.
"""

from __future__ import annotations

from pathlib import Path

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from alembic.util.exc import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.config import ConfigurationError, Settings
from bot.migrate import upgrade_async

TELEGRAM_API_URL = "https://api.telegram.org"


class StartupError(ConfigurationError):
    """The settings look right but do not work; `python -m bot` prints the line and exits with 2."""


async def prepare_database(database_url: str) -> None:
    """Open (or create) the database and migrate it."""
    url = make_url(database_url)
    shown = url.render_as_string(hide_password=True)
    sqlite = url.get_backend_name() == "sqlite"
    check = (
        "check DATABASE_URL and that its folder can be written"
        if sqlite
        else "check DATABASE_URL and that the PostgreSQL server is running"
    )
    try:
        await upgrade_async(database_url)
        return
    except (FileExistsError, NotADirectoryError):  # a file stands where the folder should be
        reason = f"{Path(url.database or '').parent} is not a folder"
    except OSError as error:  # the file cannot be created, or the server is unreachable
        reason = str(error.strerror or error) + (f" ({error.filename})" if error.filename else "")
    except DBAPIError as error:  # e.g. «file is not a database», «attempt to write a readonly database»
        reason = _first_line(error.orig)
    except (SQLAlchemyError, CommandError) as error:
        raise StartupError(f"Cannot bring the database {shown} up to date: {_first_line(error)}") from None
    raise StartupError(f"Cannot open the database {shown}: {reason}; {check}")


async def identify(bot: Bot, settings: Settings) -> User:
    """The bot's own account: the first call to the Bot API, which proves the token and the network."""
    url = settings.telegram.telegram_api_url or TELEGRAM_API_URL
    try:
        return await bot.me()
    except TelegramUnauthorizedError:
        raise StartupError("The Bot API refused the token (401 Unauthorized): check BOT_TOKEN") from None
    except TelegramNotFound:
        raise StartupError(
            f"The Bot API at {url} does not know this token (404 Not Found): "
            "check BOT_TOKEN and TELEGRAM_API_URL"
        ) from None
    except TelegramNetworkError as error:
        raise StartupError(
            f"Cannot reach the Bot API at {url} ({error.message}): check TELEGRAM_API_URL and the network"
        ) from None
    except TelegramAPIError as error:
        raise StartupError(f"The Bot API at {url} answered: {error.message}; try again later") from None


def _first_line(error: object) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
