"""Webhook mode: `python -m bot` with WEBHOOK_URL serves updates over HTTP and checks WEBHOOK_SECRET."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import aiohttp

from bot.app import run
from bot.config import WebhookSettings
from devtools.emulator import BotApiEmulator, TelegramUser
from devtools.testing import settings_for
from tests.texts import tr


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SECRET = "s3cret-Token_1"


@contextlib.asynccontextmanager
async def serving_webhook(emulator: BotApiEmulator, database_url: str) -> AsyncIterator[str]:
    """The bot in webhook mode, in this process; yields the webhook's URL once Telegram knows it."""
    port = free_port()
    settings = settings_for(emulator.url, database_url)
    settings.webhook = WebhookSettings(
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/hook",
        WEBHOOK_SECRET=SECRET,
        WEB_HOST="127.0.0.1",
        WEB_PORT=port,
        _env_file=None,
    )
    task = asyncio.create_task(run(settings))
    try:
        for _ in range(200):  # wait for setWebhook
            if emulator.webhook_url or task.done():
                break
            await asyncio.sleep(0.05)
        assert emulator.webhook_url == f"http://127.0.0.1:{port}/telegram/hook"
        yield emulator.webhook_url
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_webhook_mode_answers_and_refuses_requests_without_the_secret(
    emulator: BotApiEmulator, database_url: str, registry: object
) -> None:
    async with serving_webhook(emulator, database_url) as hook:
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
            async with http.post(hook, json=forged) as response:
                assert response.status == 401
            headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong"}
            async with http.post(hook, json=forged, headers=headers) as response:
                assert response.status == 401


async def test_a_body_that_is_not_an_update_gets_400_and_the_bot_goes_on(
    emulator: BotApiEmulator, database_url: str, registry: object
) -> None:
    async with serving_webhook(emulator, database_url) as hook, aiohttp.ClientSession() as http:
        user = TelegramUser(emulator, 4242, language_code="ru")
        replies = await user.send("/start")
        assert replies[-1].text == "Тилди тандаңыз / Выберите язык:"
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
        for body in (b'{"update_id": 5, "message": {', b"\xff\xfe", b"[]", b'{"update_id": "five"}'):
            async with http.post(hook, data=body, headers=headers) as response:
                assert response.status == 400, body
                assert "Traceback" not in await response.text()
        # Without the secret the body is not even looked at.
        async with http.post(hook, data=b"{", headers={"Content-Type": "application/json"}) as response:
            assert response.status == 401

        replies = await user.click("Русский")
        assert tr("Choose your oblast, or type part of your municipality's name.", "ru") in replies[-1].text
