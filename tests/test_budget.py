"""One budget for every message the bot sends: replies to people go first, a 429 on a reply is waited
out, and a broadcast never pushes the bot over Telegram's limit (the emulator enforces it)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.budget import Window
from bot.budget.priority import Priority
from bot.budget.redis_window import RedisWindow
from bot.budget.window import Grant, MemoryWindow, Wait
from bot.clock import ManualClock
from bot.config import Settings
from devtools.emulator import BotApiEmulator, TelegramUser
from devtools.testing import RunningBot, settings_for
from models import Role, User, UserStatus
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user, open_consultation
from tests.test_answers import wait_for_card
from tests.test_consultations import wait_until
from tests.texts import tr

RATE = 10  # Telegram's limit in this emulator, and the bot's BROADCAST_RATE: a broadcast of 60 takes 6 s
OTHERS = 60
CRASH = "Something went wrong on our side. Please try again in a minute."


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str, redis_url: str | None) -> Settings:
    emulator.global_rate = RATE  # like Telegram: a 429 for the call over the limit in any one second
    return settings_for(
        emulator.url, database_url, admin_ids=[ADMIN_ID], redis_url=redis_url, broadcast_rate=RATE
    )


async def many_heads(
    session: AsyncSession, emulator: BotApiEmulator, registry: SmallRegistry, now: datetime
) -> None:
    """Heads all over Chui who have talked to the bot before: the broadcast's other recipients."""
    aimaks = registry.ysyk_ata_aimaks
    session.add_all(
        User(
            telegram_id=70_000 + i,
            role=Role.HEAD,
            status=UserStatus.ACTIVE,
            municipality_id=aimaks[i % len(aimaks)].id,
            language="ky",
            created_at=now,
        )
        for i in range(OTHERS)
    )
    await session.commit()
    for i in range(OTHERS):
        emulator.open_chat(70_000 + i)


def cards(emulator: BotApiEmulator) -> int:
    return sum(len(emulator.messages(70_000 + i)) for i in range(OTHERS))


async def test_a_head_answering_during_a_broadcast_gets_every_reply(
    running_bot: RunningBot,
    emulator: BotApiEmulator,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    await add_user(
        session, 8501, role=Role.HEAD, municipality=registry.tokmok, language="ru", now=clock.now()
    )
    head = make_user(8501, language_code="ru")
    await head.send("/help")
    await many_heads(session, emulator, registry, clock.now())
    await open_consultation(session, registry, clock.now() + timedelta(days=10))
    running_bot.pikir.sender.wake()  # type: ignore[union-attr]

    card = await wait_for_card(head)
    assert cards(emulator) < OTHERS  # the broadcast is still going while the head answers
    steps = [
        head.click(tr("✍ Answer", "ru"), card),
        head.click(tr("✏ Support with amendments", "ru")),
        head.click(tr("Extra costs", "ru")),
        head.send("1,5 млн"),
        head.click(tr("Yes", "ru")),
        head.click(tr("drinking water", "ru")),
        head.click(tr("Next »", "ru")),
        head.send("Мнение по срокам."),
    ]
    for step in steps:
        replies = await step
        assert replies, "a step went unanswered"
        assert all(tr(CRASH, "ru") not in (m.text or "") for m in replies)

    await wait_until(lambda: cards(emulator) == OTHERS)
    assert all(len(emulator.messages(70_000 + i)) == 1 for i in range(OTHERS))
    assert emulator.count_429 == 0  # the replies and the broadcast shared one budget


async def test_a_429_on_a_reply_is_waited_out_not_shown(
    running_bot: RunningBot,
    emulator: BotApiEmulator,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    await add_user(
        session, 8502, role=Role.HEAD, municipality=registry.tokmok, language="ru", now=clock.now()
    )
    head = make_user(8502, language_code="ru")
    emulator.fail_next(1, error_code=429, retry_after=1, method="sendMessage", chat_id=8502)

    replies = await head.send("/help")

    assert emulator.count_429 == 1
    assert len(replies) == 1 and tr(CRASH, "ru") not in replies[0].text
    again = await head.send("/help")
    assert [m.text for m in again] == [replies[0].text]  # the help itself, sent again after the pause
    assert len(head.messages) == 2


@pytest.fixture(params=["memory", "redis"])
async def window(request: pytest.FixtureRequest, redis_url: str | None) -> AsyncIterator[Window]:
    """The window in this process's memory, and the one shared through Redis (when the run has Redis)."""
    if request.param == "memory":
        yield MemoryWindow(capacity=30)
        return
    if redis_url is None:
        pytest.skip("PIKIR_TEST_REDIS_URL is not set")
    shared = RedisWindow(redis_url, bot_id="4242", capacity=30)
    yield shared
    await shared.close()


async def test_a_delivery_behind_a_call_in_flight_to_its_chat_looks_again_soon(window: Window) -> None:
    """While a call to a chat is on its way the delivery's wait is a short look-again, not the length a
    dead call may hold the chat (it was: a second card to one chat then waited 30 s); after the
    answer, the chat's one second."""
    first = await window.take(Priority.DELIVERY, chat=77)
    assert isinstance(first, Grant)

    behind = await window.take(Priority.DELIVERY, chat=77)
    assert isinstance(behind, Wait) and behind.chat and behind.seconds <= 0.1

    await window.give_back(first, hold=1.0)
    after = await window.take(Priority.DELIVERY, chat=77)
    assert isinstance(after, Wait) and after.chat and after.seconds <= 1.0  # the hold, not the 30 s mark
    other_chat = await window.take(Priority.DELIVERY, chat=78)
    assert isinstance(other_chat, Grant)
