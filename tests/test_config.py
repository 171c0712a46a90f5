"""Configuration: the names of DESIGN.md section 7, and a clear message when one is wrong or missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigurationError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_reads_the_documented_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env
    for name, value in {
        "BOT_TOKEN": "42:abc",
        "ADMIN_IDS": "1, 2,3",
        "DATABASE_URL": "postgresql+asyncpg://u@h/db",
        "TELEGRAM_API_URL": "http://127.0.0.1:9/",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "WEBHOOK_URL": "https://example.kg/hook",
        "WEBHOOK_SECRET": "s3cr-et_",
        "WEB_HOST": "127.0.0.1",
        "WEB_PORT": "8443",
        "TIMEZONE": "Asia/Bishkek",
        "DEFAULT_LOCALE": "ru",
        "BROADCAST_RATE": "20",
        "DELIVERY_LEASE_SECONDS": "30",
    }.items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    assert isinstance(settings, Settings)
    assert settings.telegram.admin_ids == [1, 2, 3]
    assert settings.telegram.telegram_api_url == "http://127.0.0.1:9"
    assert settings.telegram.bot_token.get_secret_value() == "42:abc"
    assert settings.database.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.webhook.web_port == 8443 and settings.locale.default_locale == "ru"
    assert settings.telegram.broadcast_rate == 20
    assert settings.telegram.delivery_lease_seconds == 30
    assert "abc" not in repr(settings)  # the token is a secret


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("DEFAULT_LOCALE", "en", "DEFAULT_LOCALE"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS"),
    ],
)
def test_bad_values_are_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", "42:abc")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=expected):
        from bot.config import DatabaseSettings, LocaleSettings, TelegramSettings

        for section in (TelegramSettings, DatabaseSettings, LocaleSettings):
            load_settings(section)


def test_running_without_a_token_says_what_is_missing(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in ("BOT_TOKEN",)}
    environment["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "BOT_TOKEN is not set" in result.stderr


@pytest.mark.parametrize("secret", [None, ""])
def test_webhook_mode_needs_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, secret: str | None
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BOT_TOKEN", "42:abc")
    monkeypatch.setenv("WEBHOOK_URL", "https://example.kg/hook")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    if secret is not None:
        monkeypatch.setenv("WEBHOOK_SECRET", secret)
    with pytest.raises(ConfigurationError, match="WEBHOOK_SECRET is not set"):
        load_settings()
    monkeypatch.delenv("WEBHOOK_URL")
    assert load_settings().webhook.webhook_url is None  # long polling needs no secret


def test_running_in_webhook_mode_without_a_secret_is_refused(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("WEBHOOK_")}
    environment.update(PYTHONPATH=str(ROOT), BOT_TOKEN="42:abc", WEBHOOK_URL="https://example.kg/hook")
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    problems = [line.strip() for line in result.stderr.splitlines()[1:]]
    assert len(problems) == 1 and problems[0].startswith("WEBHOOK_SECRET is not set: webhook mode")
    assert "Traceback" not in result.stderr


def test_schedule_settings_are_read_and_parsed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from datetime import time, timedelta

    from bot.config import ScheduleSettings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REMINDER_OFFSETS", "24h, 10m,2d")
    monkeypatch.setenv("DIGEST_AT", "fri 17:30")
    monkeypatch.setenv("QUIET_HOURS", "")
    schedule = load_settings(ScheduleSettings)
    assert schedule.offsets == (timedelta(days=2), timedelta(hours=24), timedelta(minutes=10))
    assert (schedule.digest.weekday, schedule.digest.at) == (4, time(17, 30))
    assert schedule.quiet is None
    monkeypatch.delenv("REMINDER_OFFSETS")
    monkeypatch.delenv("DIGEST_AT")
    monkeypatch.delenv("QUIET_HOURS")
    defaults = load_settings(ScheduleSettings)
    assert defaults.offsets == (timedelta(hours=72), timedelta(hours=24), timedelta(hours=3))
    assert defaults.quiet is not None and (defaults.quiet.start, defaults.quiet.end) == (time(21), time(8))


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("REMINDER_OFFSETS", "abc", r"REMINDER_OFFSETS: 'abc' is not an offset: .* e\.g\. 72h,24h,3h"),
        ("REMINDER_OFFSETS", "72h,0m", "REMINDER_OFFSETS: '0m' is not an offset"),
        ("DIGEST_AT", "moon 25:00", r"DIGEST_AT: 'moon 25:00' is not a weekly moment: .* e\.g\. mon 09:00"),
        ("DIGEST_AT", "mon 25:00", "DIGEST_AT: '25:00' is not a time of day"),
        ("QUIET_HOURS", "9-8", "QUIET_HOURS: '9' is not a time of day for QUIET_HOURS: write HH:MM"),
        ("QUIET_HOURS", "21:00", r"QUIET_HOURS: '21:00' is not a span: write HH:MM-HH:MM"),
        ("QUIET_HOURS", "08:00-08:00", "QUIET_HOURS starts and ends at the same time"),
    ],
)
def test_bad_schedule_values_say_what_to_write(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, expected: str
) -> None:
    from bot.config import ScheduleSettings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=expected):
        load_settings(ScheduleSettings)
