"""A Telegram Bot API emulator and a scenario client for end-to-end tests of the bot.

Usage::

    async with BotApiEmulator() as emulator:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.url)))
        polling = asyncio.create_task(
            dp.start_polling(bot, handle_as_tasks=False, handle_signals=False, close_bot_session=False)
        )
        user = TelegramUser(emulator, 1001)
        [reply] = await user.send("/start")
        await user.click("Русский")

What a bot author must know:

* Poll with ``handle_as_tasks=False``: an update counts as processed when the next getUpdates
  confirms it, which aiogram only sends after the handler returned. With tasks, waiting falls back
  to the ``quiet_period`` heuristic and can return before a slow handler has answered.
* ``TelegramUser.press_many(text, n)`` sends n presses of a button in one getUpdates batch and waits
  until the bot has answered each of them: exact with ``handle_as_tasks=True`` too (run the bot so to
  have them handled concurrently), except for messages a handler sends after answering the press.
* In webhook mode use ``SimpleRequestHandler(..., handle_in_background=False)`` for the same reason.
* Work that a handler leaves running in the background is captured only if its Bot API calls start
  within ``quiet_period`` (30 ms by default) of the previous call.
* ``bot.delete_webhook(drop_pending_updates=True)`` at startup drops updates fed before it, exactly
  as Telegram would; feed updates after the bot has started, or do not drop them.
* Plain ``http://`` webhook URLs are accepted (Telegram requires HTTPS); URLs as file sources are not
  fetched; text and caption limits are counted in UTF-16 code units.
"""

from devtools.emulator.client import TelegramUser
from devtools.emulator.server import (
    BotApiEmulator,
    CallbackQueryRecord,
    EmulatedUser,
    RequestRecord,
    SentMessage,
    StoredFile,
    parse_entities,
    utf16_len,
)

__all__ = [
    "BotApiEmulator",
    "CallbackQueryRecord",
    "EmulatedUser",
    "RequestRecord",
    "SentMessage",
    "StoredFile",
    "TelegramUser",
    "parse_entities",
    "utf16_len",
]
