"""The bare bot bench/load.py compares Pikir with: aiogram 3 in webhook mode, one reply per update.

Started by bench/load.py with TELEGRAM_API_URL, WEBHOOK_URL, WEBHOOK_SECRET and WEB_PORT set.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

TOKEN = "123456:PIKIR-BENCH-TOKEN"


async def serve_bare() -> None:
    """A bare aiogram 3 bot in webhook mode: one reply per update, nothing else."""
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"])))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def on_message(message: Message) -> None:
        await bot.send_message(message.chat.id, "ok")

    @dispatcher.callback_query()
    async def on_press(query: CallbackQuery) -> None:
        await bot.send_message(query.from_user.id, "ok")

    app = web.Application()
    secret = os.environ["WEBHOOK_SECRET"]
    handler = SimpleRequestHandler(dispatcher, bot, secret_token=secret, handle_in_background=False)
    app.router.add_route("POST", urlparse(os.environ["WEBHOOK_URL"]).path, handler.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(os.environ["WEB_PORT"])).start()
    await bot.set_webhook(os.environ["WEBHOOK_URL"], secret_token=secret)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    await stop.wait()
    await runner.cleanup()
    await bot.session.close()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_bare())
