"""Configuration from the environment (and `.env`), in sections, validated at start.

The variable names are the public contract of DESIGN.md section 7, so every section reads flat names
such as ``BOT_TOKEN`` rather than nested ``TELEGRAM__TOKEN``.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.timing import QuietHours, WeeklyMoment, parse_offsets


class Language(StrEnum):
    """The languages Pikir speaks (gettext locale codes)."""

    KY = "ky"
    RU = "ru"


SUPPORTED_LOCALES = tuple(language.value for language in Language)
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/pikir.db"


class _Section(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")


class TelegramSettings(_Section):
    """How the bot reaches Telegram and who its first admins are."""

    bot_token: SecretStr = Field(validation_alias="BOT_TOKEN")
    telegram_api_url: str | None = Field(default=None, validation_alias="TELEGRAM_API_URL")
    admin_ids: Annotated[list[int], NoDecode] = Field(default_factory=list, validation_alias="ADMIN_IDS")
    broadcast_rate: float = Field(default=30.0, gt=0, le=1000, validation_alias="BROADCAST_RATE")
    # An operations knob: how long a delivery claimed by a sender that died (kill -9, power loss) stays
    # reserved before a live sender takes it over. Another process's claims may wait this long in a 429
    # pause, so keep it above the longest pause when several processes send.
    delivery_lease_seconds: float = Field(
        default=90.0, gt=0, le=3600, validation_alias="DELIVERY_LEASE_SECONDS"
    )

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        left, sep, right = token.partition(":")
        if not (sep and left.isdigit() and right):
            raise ValueError("BOT_TOKEN must look like 123456:ABC-DEF... (the token @BotFather gave you)")
        return SecretStr(token)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"ADMIN_IDS must be comma-separated numeric Telegram ids, got {part!r}")
            return [int(part) for part in parts]
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url_shape(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("TELEGRAM_API_URL must start with http:// or https://")
        return value.rstrip("/")


class DatabaseSettings(_Section):
    """Where state lives: the database, and optionally Redis for FSM state."""

    database_url: str = Field(default=DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "DATABASE_URL must start with sqlite+aiosqlite:// or postgresql+asyncpg:// (async drivers)"
            )
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_shape(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
        return value


class WebhookSettings(_Section):
    """Webhook mode, used when WEBHOOK_URL is set; long polling otherwise."""

    webhook_url: str | None = Field(default=None, validation_alias="WEBHOOK_URL")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="WEBHOOK_SECRET")
    web_host: str = Field(default="0.0.0.0", validation_alias="WEB_HOST")
    web_port: int = Field(default=8080, ge=1, le=65535, validation_alias="WEB_PORT")

    @field_validator("webhook_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("WEBHOOK_URL must be a full URL, e.g. https://pikir.example.kg/webhook")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_charset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        secret = value.get_secret_value()
        if len(secret) > 256 or not all(ch.isalnum() or ch in "_-" for ch in secret):
            raise ValueError(
                "WEBHOOK_SECRET may hold 1-256 characters A-Z, a-z, 0-9, _ and - (Telegram's rule)"
            )
        return value

    @model_validator(mode="after")
    def _secret_required(self) -> WebhookSettings:
        # Without it anyone who can reach WEB_PORT could post updates in the name of any user.
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET is not set: webhook mode (WEBHOOK_URL) will not start without it, since "
                "anyone who can reach WEB_PORT could post forged updates (see .env.example)"
            )
        return self


class LocaleSettings(_Section):
    """Time zone and the language used before a user has chosen one."""

    timezone: str = Field(default="Asia/Bishkek", validation_alias="TIMEZONE")
    default_locale: str = Field(default="ky", validation_alias="DEFAULT_LOCALE")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"TIMEZONE {value!r} is not a known time zone (e.g. Asia/Bishkek)") from error
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"DEFAULT_LOCALE must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class PositionSettings(_Section):
    """How the association's position is judged."""

    # The share of the targeted municipalities that must answer for the position to stand on its own.
    quorum_percent: int = Field(default=50, ge=1, le=100, validation_alias="QUORUM_PERCENT")

    @property
    def quorum(self) -> float:
        return self.quorum_percent / 100


class ProcedureSettings(_Section):
    """Formal procedures with state bodies: the association's letterhead and the heads' margin."""

    # The letterhead of the answer letters, in each language (the letter is in the state body's).
    letterhead_name_ky: str = Field(
        default="Кыргыз Республикасынын жергиликтүү өз алдынча башкаруу органдарынын союзу",
        max_length=300,
        validation_alias="LETTERHEAD_NAME_KY",
    )
    letterhead_name_ru: str = Field(
        default="Союз органов местного самоуправления Кыргызской Республики",
        max_length=300,
        validation_alias="LETTERHEAD_NAME_RU",
    )
    letterhead_address_ky: str = Field(default="", max_length=300, validation_alias="LETTERHEAD_ADDRESS_KY")
    letterhead_address_ru: str = Field(default="", max_length=300, validation_alias="LETTERHEAD_ADDRESS_RU")
    letterhead_contacts: str = Field(default="", max_length=300, validation_alias="LETTERHEAD_CONTACTS")
    signatory_name: str = Field(default="", max_length=200, validation_alias="SIGNATORY_NAME")
    signatory_title_ky: str = Field(default="Төрага", max_length=200, validation_alias="SIGNATORY_TITLE_KY")
    signatory_title_ru: str = Field(
        default="Председатель", max_length=200, validation_alias="SIGNATORY_TITLE_RU"
    )
    # Working days between the heads' deadline and the association's own term for the answer.
    approval_margin_days: int = Field(default=3, ge=0, le=30, validation_alias="APPROVAL_MARGIN_DAYS")

    def letterhead(self, locale: str) -> tuple[str, str, str]:
        """The association's name, address and contacts in ``locale``."""
        if locale == "ky":
            return self.letterhead_name_ky, self.letterhead_address_ky, self.letterhead_contacts
        return self.letterhead_name_ru, self.letterhead_address_ru, self.letterhead_contacts

    def signatory_title(self, locale: str) -> str:
        return self.signatory_title_ky if locale == "ky" else self.signatory_title_ru


class ScheduleSettings(_Section):
    """Reminders to the silent, the weekly digest and the quiet hours (README, «Reminders and digests»)."""

    reminder_offsets: str = Field(default="72h,24h,3h", validation_alias="REMINDER_OFFSETS")
    digest_at: str = Field(default="mon 09:00", validation_alias="DIGEST_AT")
    quiet_hours: str = Field(default="21:00-08:00", validation_alias="QUIET_HOURS")

    @field_validator("reminder_offsets")
    @classmethod
    def _offsets(cls, value: str) -> str:
        parse_offsets(value)  # raises with the offending part named
        return value

    @field_validator("digest_at")
    @classmethod
    def _digest_at(cls, value: str) -> str:
        WeeklyMoment.parse(value)
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, value: str) -> str:
        QuietHours.parse(value)
        return value

    @property
    def offsets(self) -> tuple[timedelta, ...]:
        """Largest first; empty means no automatic reminders."""
        return parse_offsets(self.reminder_offsets)

    @property
    def digest(self) -> WeeklyMoment:
        return WeeklyMoment.parse(self.digest_at)

    @property
    def quiet(self) -> QuietHours | None:
        return QuietHours.parse(self.quiet_hours)


class Settings(BaseSettings):
    """All of Pikir's configuration."""

    model_config = SettingsConfigDict(extra="ignore")

    telegram: TelegramSettings = Field(default_factory=TelegramSettings)  # type: ignore[arg-type]
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    webhook: WebhookSettings = Field(default_factory=WebhookSettings)
    locale: LocaleSettings = Field(default_factory=LocaleSettings)
    position: PositionSettings = Field(default_factory=PositionSettings)
    procedures: ProcedureSettings = Field(default_factory=ProcedureSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)


class ConfigurationError(Exception):
    """The environment does not describe a usable configuration; the message says what to fix."""


S = TypeVar("S", bound=BaseSettings)


def load_settings(section: type[S] = Settings) -> S:  # type: ignore[assignment]
    """Read the environment (all of it, or one section), turning pydantic's report into one message."""
    try:
        return section()
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            message = problem["msg"].removeprefix("Value error, ")
            if not problem["loc"]:  # a check across fields names its variables itself
                lines.append(message)
            elif problem["type"] == "missing":
                lines.append(f"{problem['loc'][-1]} is not set (see .env.example)")
            else:
                lines.append(f"{problem['loc'][-1]}: {message}")
        raise ConfigurationError("Configuration error:\n  " + "\n  ".join(lines)) from None
