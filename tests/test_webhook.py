"""Webhook mode: `python -m bot` with WEBHOOK_URL serves updates over HTTP and checks WEBHOOK_SECRET."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import aiohttp

from bot.app import run
from bot.config import WebhookSettings
from bot.emulator import BotApiEmulator, TelegramUser
from bot.testing import settings_for
from tests.texts import tr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_mode_answers_and_refuses_requests_without_the_secret(
    emulator: BotApiEmulator, database_url: str, registry: object
) -> None:
    port = free_port()
    settings = settings_for(emulator.url, database_url)
    settings.webhook = WebhookSettings(
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
        WEBHOOK_SECRET="s3cret-Token_1",
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        _env_file=None,
    )
    task = asyncio.create_task(run(settings))
    try:
        for _ in range(200):  # wait for setWebhook
            if emulator.webhook_url:
                break
            await asyncio.sleep(0.05)
        assert emulator.webhook_url == f"http://127.0.0.1:{port}/telegram/hook"

        user = TelegramUser(emulator, 4242, language_code="ru")
        replies = await user.send("/start")
        assert replies[-1].text == "Тилди тандаңыз / Выберите язык:"
        replies = await user.click("Русский")
        assert tr("Choose your oblast, or type part of your municipality's name.", "ru") in replies[-1].text

        async with aiohttp.ClientSession() as http:
            forged = {
                "update_id": 999,
                "message": {
                    "message_id": 1,
                    "date": 0,
                    "chat": {"id": 1, "type": "private"},
                    "text": "/start",
                },
            }
            async with http.post(f"http://127.0.0.1:{port}/telegram/hook", json=forged) as response:
                assert response.status == 401
            headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            async with http.post(
                f"http://127.0.0.1:{port}/telegram/hook", json=forged, headers=headers
            ) as response:
                assert response.status == 401
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
