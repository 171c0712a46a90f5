"""`python -m devtools.emulator [--port 8081]`: a Bot API emulator to try the bot locally without Telegram.

It logs what the bot sends; a person can talk to the bot by typing lines here, as user 1000
(the id to put in ADMIN_IDS): plain text is sent as a message, and ``!N`` presses the N-th button
of the last message that has buttons.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from devtools.emulator.client import TelegramUser
from devtools.emulator.server import BotApiEmulator

LOCAL_USER = 1000


async def serve(port: int) -> int:
    async with BotApiEmulator(port=port) as emulator:
        user = TelegramUser(emulator, LOCAL_USER, first_name="Local", language_code="ru", timeout=60)
        print(f"Bot API emulator on {emulator.url} (set TELEGRAM_API_URL={emulator.url})", flush=True)
        print(f"You are user {LOCAL_USER}: type a message, or !N to press the N-th button.", flush=True)
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:  # no terminal (e.g. run in the background): just serve
                await asyncio.Event().wait()
            line = line.strip()
            if not line:
                continue
            with contextlib.suppress(AssertionError, TimeoutError):
                if line.startswith("!") and line[1:].isdigit():
                    buttons = user.buttons()
                    index = int(line[1:]) - 1
                    replies = await user.click(buttons[index]) if 0 <= index < len(buttons) else []
                else:
                    replies = await user.send(line)
                for message in replies:
                    print("bot:", message.text or message.caption or "(file)")
                    for number, label in enumerate(user.buttons(message), start=1):
                        print(f"  [{number}] {label}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(serve(args.port))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
