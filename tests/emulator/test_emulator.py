"""The Bot API emulator, exercised by the real aiogram Bot and Dispatcher over HTTP (no mocks)."""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import struct
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from devtools.emulator import BotApiEmulator, SentMessage, TelegramUser

TOKEN = "123456:TEST-emulator-token"
REPORT = "id,name\n1,Айыл өкмөтү\n".encode() + b"\x00\xff binary tail"
USER_ID = 1001


def png(width: int, height: int) -> bytes:
    """A small valid PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def build_router() -> Router:
    """A tiny bot: echo, an inline button that edits its message, documents both ways."""
    router = Router()

    @router.message(CommandStart(deep_link=True))
    async def start_with_payload(message: Message, command: CommandObject) -> None:
        await message.answer(f"start with {html.escape(command.args or '')}")

    @router.message(Command("menu"))
    async def menu(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Press me", callback_data="press")]]
        )
        await message.answer("Choose:", reply_markup=keyboard)

    @router.message(Command("yesno"))
    async def yes_no(message: Message) -> None:
        keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Yes"), KeyboardButton(text="No")]])
        await message.answer("Agree?", reply_markup=keyboard)

    @router.message(Command("ping"))
    async def ping(message: Message) -> SendMessage:
        # Returned, not awaited: in webhook mode aiogram answers inside the webhook response.
        return message.answer("pong")

    background: set[asyncio.Task[Any]] = set()

    @router.message(Command("later"))
    async def later(message: Message) -> None:
        async def send() -> None:
            await message.answer("sent from a background task")

        # Fire and forget: the send happens after the handler returned.
        task = asyncio.create_task(send())
        background.add(task)
        task.add_done_callback(background.discard)

    @router.callback_query(F.data == "press")
    async def press(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("Pressed <b>once</b>")
        await query.answer("done")

    @router.callback_query()
    async def unknown_press(query: CallbackQuery) -> None:
        await query.answer("This button is outdated", show_alert=True)

    @router.message(Command("report"))
    async def report(message: Message) -> None:
        await message.answer_document(BufferedInputFile(REPORT, "report.csv"), caption="Report <i>ready</i>")

    @router.message(F.document)
    async def document(message: Message, bot: Bot) -> None:
        assert message.document is not None
        file = await bot.get_file(message.document.file_id)
        assert file.file_path is not None
        data = await bot.download_file(file.file_path)
        assert data is not None
        content = data.read()
        digest = hashlib.sha256(content).hexdigest()[:12]
        await message.answer(f"got {message.document.file_name}: {len(content)} bytes, sha {digest}")

    @router.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {html.escape(message.text or '')}")

    return router


def make_bot(emulator: BotApiEmulator) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.url))
    return Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))


def open_chat(emulator: BotApiEmulator, user_id: int = USER_ID) -> None:
    """The user writes first (as in Telegram): only then may the bot message them."""
    emulator.add_user(user_id, "Aibek", language_code="ky")
    emulator.push_update(emulator.build_text_update(user_id, "/start"))


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    bot = make_bot(emulator)
    yield bot
    await bot.session.close()


@pytest.fixture
async def polling(emulator: BotApiEmulator, bot: Bot) -> AsyncIterator[Dispatcher]:
    dispatcher = Dispatcher()
    dispatcher.include_router(build_router())
    task = asyncio.create_task(
        dispatcher.start_polling(
            bot, handle_as_tasks=False, polling_timeout=10, handle_signals=False, close_bot_session=False
        )
    )
    await asyncio.sleep(0)  # let start_polling take its lock so that stop_polling() is valid
    yield dispatcher
    await dispatcher.stop_polling()
    await task


@pytest.fixture
def user(emulator: BotApiEmulator) -> TelegramUser:
    return TelegramUser(emulator, USER_ID, first_name="Aibek", username="aibek")


# ---- scenarios through polling ---------------------------------------------------------------------


async def test_text_round_trip(emulator: BotApiEmulator, polling: Dispatcher, user: TelegramUser) -> None:
    replies = await user.send("hello <world> & co")
    assert [m.text for m in replies] == ["echo: hello <world> & co"]
    assert replies[0].html == "echo: hello &lt;world&gt; &amp; co"
    assert replies[0].chat_id == USER_ID and not replies[0].edited

    replies = await user.send("/start ref_42")
    assert [m.text for m in replies] == ["start with ref_42"]
    assert user.last_message is replies[0]
    assert len(user.messages) == 2
    assert emulator.sends_per_chat[USER_ID] == 2
    assert [r.method for r in emulator.calls("sendMessage")] == ["sendMessage", "sendMessage"]


async def test_send_right_after_the_handler_is_captured(polling: Dispatcher, user: TelegramUser) -> None:
    assert [m.text for m in await user.send("/later")] == ["sent from a background task"]
    assert await user.send_sticker() == []  # no handler: nothing sent, and no waiting for a timeout


async def test_command_entity_like_telegram(emulator: BotApiEmulator) -> None:
    update = emulator.build_text_update(USER_ID, "/start@pikir_test_bot payload")
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
    assert "entities" not in emulator.build_text_update(USER_ID, "no command /here")["message"]


async def test_click_edits_message_and_returns_answer(polling: Dispatcher, user: TelegramUser) -> None:
    [menu] = await user.send("/menu")
    assert user.buttons() == ["Press me"]

    changed = await user.click("Press me")
    assert changed == [menu]
    assert menu.text == "Pressed once" and menu.html == "Pressed <b>once</b>"
    assert menu.edited and menu.history == ["Choose:"]
    assert menu.reply_markup is None  # editing without reply_markup drops the keyboard, as in Telegram
    assert user.last_callback_answer == "done"

    with pytest.raises(AssertionError, match="visible buttons"):
        await user.click("Press me")

    assert await user.click_data("forged", message=menu) == []
    assert user.last_callback_answer == "This button is outdated" and user.last_callback_alert


async def test_reply_keyboard_button_sends_its_text(polling: Dispatcher, user: TelegramUser) -> None:
    await user.send("/yesno")
    assert user.reply_keyboard == ["Yes", "No"]
    assert [m.text for m in await user.click("Yes")] == ["echo: Yes"]


async def test_document_from_bot_read_back(
    emulator: BotApiEmulator, polling: Dispatcher, bot: Bot, user: TelegramUser
) -> None:
    [sent] = await user.send("/report")
    assert sent.document is not None
    assert sent.document.data == REPORT and sent.document.size == len(REPORT)
    assert sent.document.file_name == "report.csv" and sent.document.mime_type == "text/csv"
    assert sent.caption == "Report ready" and sent.caption_html == "Report <i>ready</i>"

    again = await bot.send_document(USER_ID, sent.document.file_id)  # reuse by file_id
    assert again.document is not None and again.document.file_id == sent.document.file_id
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == REPORT


async def test_user_document_downloaded_by_bot(polling: Dispatcher, user: TelegramUser) -> None:
    payload = bytes(range(256)) * 10
    [reply] = await user.send_document("data.bin", payload, caption="see attached")
    assert reply.text == f"got data.bin: 2560 bytes, sha {hashlib.sha256(payload).hexdigest()[:12]}"


async def test_photos_both_ways(emulator: BotApiEmulator, bot: Bot) -> None:
    open_chat(emulator)
    sent = await bot.send_photo(USER_ID, BufferedInputFile(png(1000, 500), "chart.png"), caption="chart")
    assert sent.photo is not None and (sent.photo[-1].width, sent.photo[-1].height) == (1000, 500)
    [stored] = emulator.messages(USER_ID)
    assert stored.photo is not None and stored.photo.data == png(1000, 500) and stored.caption == "chart"
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER_ID, BufferedInputFile(b"not an image", "x.png"))
    with pytest.raises(TelegramBadRequest, match="type of file mismatch"):
        await bot.send_document(USER_ID, sent.photo[-1].file_id)


# ---- faults -----------------------------------------------------------------------------------------


async def test_blocked_user_is_forbidden(emulator: BotApiEmulator, polling: Dispatcher, bot: Bot) -> None:
    user = TelegramUser(emulator, USER_ID)
    await user.send("hi")
    user.block_bot()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "news")
    with pytest.raises(AssertionError, match="blocked"):
        await user.send("hello?")
    user.unblock_bot()
    await bot.send_message(USER_ID, "welcome back")
    assert user.last_message is not None and user.last_message.text == "welcome back"

    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999_999, "who?")


async def test_injected_retry_after_and_server_errors(emulator: BotApiEmulator, bot: Bot) -> None:
    open_chat(emulator)
    emulator.fail_next(1, retry_after=7, method="sendMessage")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER_ID, "first try")
    assert caught.value.retry_after == 7
    emulator.fail_next(1, error_code=502, chat_id=USER_ID)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(USER_ID, "second try")
    await bot.send_message(USER_ID, "third try")
    assert [m.text for m in emulator.messages(USER_ID)] == ["third try"]
    assert emulator.count_429 == 1 and emulator.total_sends == 1


async def test_rate_limits() -> None:
    async with BotApiEmulator(global_rate=5, per_chat_rate=3) as emulator:
        bot = make_bot(emulator)
        try:
            for user_id in (1, 2):
                open_chat(emulator, user_id)
            await asyncio.gather(*(bot.send_message(1, f"a{i}") for i in range(3)))
            with pytest.raises(TelegramRetryAfter) as per_chat:
                await bot.send_message(1, "a3")
            await asyncio.gather(*(bot.send_message(2, f"b{i}") for i in range(2)))
            with pytest.raises(TelegramRetryAfter) as global_limit:
                await bot.send_message(2, "b2")
            assert per_chat.value.retry_after >= 1 and global_limit.value.retry_after >= 1
            assert len(emulator.messages(1)) == 3 and len(emulator.messages(2)) == 2
            assert emulator.count_429 == 2 and emulator.total_sends == 5
            assert emulator.sends_per_chat == {1: 3, 2: 2}

            await asyncio.sleep(global_limit.value.retry_after)
            await bot.send_message(2, "b2")  # the sliding window has moved on
        finally:
            await bot.session.close()


# ---- validation like Telegram ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("line<br>break", 'Unsupported start tag "br" at byte offset 4'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
    ],
)
async def test_bad_html_is_rejected(emulator: BotApiEmulator, bot: Bot, markup: str, error: str) -> None:
    open_chat(emulator)
    with pytest.raises(TelegramBadRequest, match="can't parse entities") as caught:
        await bot.send_message(USER_ID, markup)
    assert error in caught.value.message
    assert emulator.messages(USER_ID) == []


async def test_formatting_is_stored_plain(emulator: BotApiEmulator, bot: Bot) -> None:
    open_chat(emulator)
    link = "<a href='https://example.org/?a=1&amp;b=2'>долбоору</a>"
    sent = await bot.send_message(USER_ID, f"  <b>Мыйзам</b> &amp; {link} &lt;3 &#128077;\n")
    assert sent.text == "Мыйзам & долбоору <3 👍"
    [stored] = emulator.messages(USER_ID)
    assert stored.text == sent.text
    assert stored.entities == [
        {"type": "bold", "offset": 0, "length": 6},
        {"type": "text_link", "offset": 9, "length": 8, "url": "https://example.org/?a=1&b=2"},
    ]
    with pytest.raises(TelegramBadRequest, match=r"Character '\.' is reserved"):
        await bot.send_message(USER_ID, "Done.", parse_mode="MarkdownV2")
    done = await bot.send_message(USER_ID, "*Done*\\.", parse_mode="MarkdownV2")
    assert done.text == "Done." and done.entities is not None and done.entities[0].type == "bold"


async def test_text_limits(emulator: BotApiEmulator, bot: Bot) -> None:
    open_chat(emulator)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER_ID, "ы" * 4097)
    await bot.send_message(USER_ID, "ы" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER_ID, "👍" * 2049)  # limits count UTF-16 code units
    for empty in ("", "   ", "<b></b>"):
        with pytest.raises(TelegramBadRequest, match="message text is empty"):
            await bot.send_message(USER_ID, empty)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(USER_ID, BufferedInputFile(b"x", "x.txt"), caption="c" * 1025)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        long_data = InlineKeyboardButton(text="x", callback_data="d" * 65)
        await bot.send_message(USER_ID, "x", reply_markup=InlineKeyboardMarkup(inline_keyboard=[[long_data]]))
    assert len(emulator.messages(USER_ID)) == 1


async def test_edit_errors(emulator: BotApiEmulator, bot: Bot) -> None:
    open_chat(emulator)
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]])
    sent = await bot.send_message(USER_ID, "<i>text</i>", reply_markup=keyboard)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<i>text</i>", chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard
        )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("new", chat_id=USER_ID, message_id=sent.message_id + 100)
    await bot.edit_message_text(
        "<b>text</b>", chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard
    )
    await bot.delete_message(USER_ID, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("gone", chat_id=USER_ID, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)
    [stored] = emulator.messages(USER_ID)
    assert stored.deleted and stored.edited and stored.text == "text"


async def test_unknown_method_is_not_found(emulator: BotApiEmulator, bot: Bot) -> None:
    session = await bot.session.create_session()
    async with session.post(f"{emulator.url}/bot{TOKEN}/sendTelepathy", json={"chat_id": 1}) as resp:
        assert resp.status == 404
        assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "pikir_test_bot"


async def test_commands_per_scope_and_language(emulator: BotApiEmulator, bot: Bot) -> None:
    open_chat(emulator)
    await bot.set_my_commands([BotCommand(command="start", description="Баштоо")])
    await bot.set_my_commands([BotCommand(command="start", description="Начать")], language_code="ru")
    admin = [BotCommand(command="stats", description="Statistics")]
    await bot.set_my_commands(admin, scope=BotCommandScopeChat(chat_id=USER_ID))
    assert [c.description for c in await bot.get_my_commands(language_code="ru")] == ["Начать"]
    assert emulator.commands("default", "ru") == [{"command": "start", "description": "Начать"}]
    stats = [{"command": "stats", "description": "Statistics"}]
    assert emulator.commands({"type": "chat", "chat_id": USER_ID}) == stats
    assert emulator.visible_commands(USER_ID)[0]["command"] == "stats"
    await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=USER_ID))
    assert emulator.visible_commands(USER_ID) == [{"command": "start", "description": "Баштоо"}]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad Command", description="x")])


# ---- delivery ------------------------------------------------------------------------------------------


async def test_long_poll_wakes_immediately(emulator: BotApiEmulator, bot: Bot) -> None:
    emulator.add_user(USER_ID)
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    update_id = await emulator.feed(emulator.build_text_update(USER_ID, "wake up"))
    [update] = await poll
    assert time.monotonic() - started < 1.0
    assert update.update_id == update_id and update.message is not None and update.message.text == "wake up"
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == []
    await emulator.wait_processed(update_id, timeout=1)  # confirmed by the offset


async def test_webhook_mode(emulator: BotApiEmulator, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []

    async def hook(request: web.Request) -> web.Response:
        update = await request.json()
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), update))
        chat_id = update["message"]["chat"]["id"]
        # Answer with a method in the response body, which Telegram executes.
        answer = {"method": "sendMessage", "chat_id": chat_id, "text": "<b>hook</b> reply"}
        answer["parse_mode"] = "HTML"
        return web.json_response(answer)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret_token-1")
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        with pytest.raises(TelegramConflictError):
            await bot.get_updates()

        user = TelegramUser(emulator, USER_ID)
        replies = await user.send("via webhook")
        [(secret, update)] = received
        assert secret == "s3cret_token-1"
        assert update["message"]["text"] == "via webhook" and update["update_id"] >= 1
        assert [m.text for m in replies] == ["hook reply"]

        assert await bot.delete_webhook()
        assert await bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()


async def test_webhook_with_aiogram_request_handler(emulator: BotApiEmulator, bot: Bot) -> None:
    dispatcher = Dispatcher()
    dispatcher.include_router(build_router())
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, handle_in_background=False, secret_token="abc").register(app, "/tg")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/tg", secret_token="abc")
        user = TelegramUser(emulator, USER_ID)
        assert [m.text for m in await user.send("/ping")] == ["pong"]  # answered in the multipart response
        [menu] = await user.send("/menu")
        assert [m.text for m in await user.click("Press me")] == ["Pressed once"]
        assert menu.edited and user.last_callback_answer == "done"

        await bot.set_webhook(f"http://127.0.0.1:{runner.addresses[0][1]}/tg", secret_token="wrong")
        update_id = emulator.push_update(emulator.build_text_update(USER_ID, "rejected"))
        for _ in range(200):
            info = await bot.get_webhook_info()
            if info.last_error_message:
                break
            await asyncio.sleep(0.01)
        assert info.last_error_message is not None and "401" in info.last_error_message
        assert info.pending_update_count == 1
        await bot.delete_webhook(drop_pending_updates=True)
        await emulator.wait_processed(update_id, timeout=1)  # dropped counts as done
    finally:
        await runner.cleanup()


async def test_requests_log_is_json_friendly(emulator: BotApiEmulator, bot: Bot) -> None:
    open_chat(emulator)
    await bot.send_document(USER_ID, BufferedInputFile(b"abc", "a.txt"))
    record = emulator.calls("sendDocument")[0]
    assert record.params["chat_id"] == str(USER_ID)
    assert record.files and "a.txt (3 bytes)" in record.files[0]
    json.dumps([r.params for r in emulator.requests])
    assert isinstance(emulator.all_messages()[0], SentMessage)
