"""Updates handled as tasks, as in production: a long paste arrives as several messages at once,
many heads press at once against small pools, and two writes of one draft meet."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import create_engine, create_session_factory
from bot.errors import StaleAction
from bot.factory import create_storage
from bot.i18n import format_number, use_locale
from bot.services import answers as service
from devtools.emulator import BotApiEmulator, SentMessage, TelegramUser
from devtools.testing import RunningBot, settings_for
from models import Answer, AnswerDraft, Consultation, Role
from tests.factories import SmallRegistry, add_user, open_consultation
from tests.test_answers import head_of, publish, wait_for_card
from tests.texts import tr

__all__ = ["publish"]  # a fixture, imported to be used here

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
CRASH = "Something went wrong on our side. Please try again in a minute."


@pytest.fixture
async def emulator(clock: ManualClock) -> AsyncIterator[BotApiEmulator]:
    """Message dates follow the test's clock, so "a minute later" is a minute later for the bot too."""
    async with BotApiEmulator(clock=lambda: clock.now().timestamp()) as emulator:
        yield emulator


@pytest.fixture
async def running_bot(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], clock: ManualClock
) -> AsyncIterator[RunningBot]:
    async with RunningBot(settings, session_factory, clock=clock, handle_as_tasks=True) as running:
        yield running


@pytest.fixture
def make_user(emulator: BotApiEmulator, running_bot: RunningBot) -> Callable[..., TelegramUser]:
    def make(user_id: int, language_code: str | None = "ky", first_name: str = "Test") -> TelegramUser:
        return TelegramUser(
            emulator, user_id, first_name=first_name, language_code=language_code, settle=running_bot.settled
        )

    return make


async def draft_of(session_factory: async_sessionmaker[AsyncSession], cid: int) -> AnswerDraft:
    async with session_factory() as fresh:
        draft = await fresh.scalar(select(AnswerDraft).where(AnswerDraft.consultation_id == cid))
    assert draft is not None
    return draft


async def to_comment_step(head: TelegramUser, card: SentMessage) -> None:
    await head.click(tr("✍ Answer", "ru"), card)
    await head.click(tr("👍 Support", "ru"))
    await head.click(tr("Skip »", "ru"))  # impact
    await head.click(tr("Skip »", "ru"))  # cost
    await head.click(tr("Skip »", "ru"))  # mandate
    await head.click(tr("Next »", "ru"))  # services


async def test_a_long_comment_pasted_at_once_is_kept_whole_and_in_order(
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    head = await head_of(session, make_user, 8601, registry.ysyk_ata_aimaks[0], "ru", now=clock.now())
    consultation = await publish()
    await to_comment_step(head, await wait_for_card(head))
    for trial, (a, b) in enumerate(["аб", "вг", "де", "жз"]):
        # Telegram sends a 5,596-character paste as two messages at the same moment.
        first, second = a * 4095 + str(trial), b * 1499 + str(trial)
        replies = await head.send_together(first, second)
        assert tr("No amendments »", "ru") in head.buttons(replies[-1])
        draft = await draft_of(session_factory, consultation.id)
        assert (draft.step, draft.data["comment"]) == ("amendments", first + "\n" + second)
        if trial < 3:
            await head.click(tr("« Back", "ru"))
    await head.click(tr("No amendments »", "ru"))
    await head.click(tr("Done »", "ru"))
    await head.click(tr("Skip »", "ru"))
    await head.click(tr("Skip »", "ru"))
    await head.click(tr("✅ Submit the answer", "ru"))
    answer = await session.scalar(select(Answer))
    assert answer is not None and answer.comment == first + "\n" + second


async def test_an_over_long_paste_is_refused_with_the_limit_and_nothing_saved_is_lost(
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    head = await head_of(session, make_user, 8602, registry.ysyk_ata_aimaks[1], "ru", now=clock.now())
    consultation = await publish()
    await to_comment_step(head, await wait_for_card(head))
    await head.send("Наш прежний комментарий.")
    await head.click(tr("« Back", "ru"))
    clock.advance(timedelta(minutes=1))

    replies = await head.send_together(*(chr(ord("а") + i) * 4096 for i in range(25)))
    with use_locale("ru"):
        limit = format_number(service.LONG_TEXT_MAX)
    refusal = tr(
        "This text is longer than {limit} characters, the most one field of the answer can hold, "
        "so none of it was kept; what was saved before is unchanged. Please shorten it and send it again.",
        "ru",
        limit=limit,
    )
    assert [r.text for r in replies].count(refusal) == 1 and replies[-1].text == refusal
    assert "20" in limit
    draft = await draft_of(session_factory, consultation.id)
    assert draft.step == "comment" and draft.data["comment"] == "Наш прежний комментарий."
    assert draft.data["stance"] == "support"

    # A minute later the head sends a text that fits: it is taken as usual.
    clock.advance(timedelta(minutes=1))
    replies = await head.send_together("я" * 4096, "ю" * 900)
    assert tr("No amendments »", "ru") in head.buttons(replies[-1])
    draft = await draft_of(session_factory, consultation.id)
    assert (draft.step, draft.data["comment"]) == ("amendments", "я" * 4096 + "\n" + "ю" * 900)


async def test_two_simultaneous_writes_of_one_draft_lose_nothing(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], registry: SmallRegistry
) -> None:
    consultation = await open_consultation(session, registry, NOW + timedelta(days=5))
    head = await add_user(session, 8701, role=Role.HEAD, municipality=registry.tokmok)
    draft = await service.start_draft(session, head, consultation.id, NOW)
    await service.save_draft(session, draft, "comment", {"history": ["stance"], "stance": "support"}, NOW)

    def adding(text: str) -> Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]]:
        def add(step: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
            service.join_part(data, data, "comment", text, NOW, more=len(text) == 4096)
            return step, data

        return add

    # Two updates (two processes, say) both read the draft before either writes it.
    async with session_factory() as one, session_factory() as two:
        first = await service.get_draft(one, head, consultation.id)
        second = await service.get_draft(two, head, consultation.id)
        assert first is not None and second is not None
        await service.change_draft(one, first, adding("а" * 4096), NOW)
        await service.change_draft(two, second, adding("б" * 1500), NOW)
    async with session_factory() as fresh:
        stored = await service.get_draft(fresh, head, consultation.id)
    assert stored is not None and stored.data["comment"] == "а" * 4096 + "\n" + "б" * 1500

    # A plain write from a stale read is refused instead of overwriting the other one.
    async with session_factory() as one, session_factory() as two:
        first = await service.get_draft(one, head, consultation.id)
        second = await service.get_draft(two, head, consultation.id)
        assert first is not None and second is not None
        await service.save_draft(one, first, "amendments", {**first.data, "history": ["comment"]}, NOW)
        with pytest.raises(StaleAction):
            await service.save_draft(two, second, "impact", {"stance": "oppose"}, NOW)
    async with session_factory() as fresh:
        stored = await service.get_draft(fresh, head, consultation.id)
    assert stored is not None and stored.step == "amendments" and stored.data["stance"] == "support"
    assert stored.data["comment"] == "а" * 4096 + "\n" + "б" * 1500


async def test_a_hundred_heads_pressing_at_once_on_small_pools_get_answers_not_errors(
    engine: AsyncEngine,
    database_url: str,
    emulator: BotApiEmulator,
    redis_url: str | None,
    registry: SmallRegistry,
    session: AsyncSession,
    clock: ManualClock,
) -> None:
    # The database pool holds 10 connections and the Redis pool (when there is Redis) 3: far fewer
    # than the 100 updates that arrive in one batch.
    small = create_engine(database_url, pool_size=10, max_overflow=0)
    try:
        sessions = create_session_factory(small)
        settings = settings_for(emulator.url, database_url, redis_url=redis_url, broadcast_rate=1000)
        storage = create_storage(settings, sessions, redis_connections=3)
        municipalities = [*registry.ysyk_ata_aimaks, registry.tokmok]
        for i in range(100):
            await add_user(session, 20_000 + i, role=Role.HEAD, municipality=municipalities[i % 12])
        async with RunningBot(settings, sessions, clock=clock, handle_as_tasks=True, storage=storage) as bot:
            heads = [
                TelegramUser(emulator, 20_000 + i, language_code="ky", settle=bot.settled) for i in range(100)
            ]
            for head in heads:
                emulator.open_chat(head.user_id)
            await open_consultation(session, registry, clock.now() + timedelta(days=10))
            bot.pikir.sender.wake()  # type: ignore[union-attr]
            cards = [await wait_for_card(head) for head in heads]
            # Every head presses «Answer» at the same moment: one batch of 100 updates.
            replies = await asyncio.gather(
                *(head.click(tr("✍ Answer", "ky"), card) for head, card in zip(heads, cards, strict=True))
            )
        crash = {tr(CRASH, "ky"), tr(CRASH, "ru")}
        seen = [m.text for head in heads for m in head.messages] + [h.last_callback_answer for h in heads]
        assert not crash & set(seen)
        assert all(tr("👍 Support", "ky") in head.buttons() for head in heads)
        assert all(replies)
    finally:
        await small.dispose()
