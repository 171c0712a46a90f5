"""Heads answering through the emulator: the full flow, versions, deputies, drafts, deadlines, limits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.clock import ManualClock
from devtools.emulator import BotApiEmulator, SentMessage, TelegramUser
from devtools.testing import RunningBot
from handlers.callbacks import AnswerStance
from models import Answer, Consultation, Role
from models.answers import Stance
from tests.factories import SmallRegistry, add_user, open_consultation
from tests.texts import tr

MIXED = "Салам! Пикир 👍 — ө ү ң, «кавычки» & <теги>, Latin too"


async def wait_for_card(user: TelegramUser) -> SentMessage:
    """The consultation card the outbox sends in the background."""
    for _ in range(400):
        for message in reversed(user.messages):
            if any("✍" in label for label in user.buttons(message)):
                return message
        await asyncio.sleep(0.05)
    raise AssertionError("the consultation card did not arrive")


@pytest.fixture
def publish(
    running_bot: RunningBot, session: AsyncSession, registry: SmallRegistry, clock: ManualClock
) -> Callable[[], Awaitable[Consultation]]:
    """Publish the test consultation (after the heads are registered, as in real life)."""

    async def publish_now() -> Consultation:
        consultation = await open_consultation(session, registry, clock.now() + timedelta(days=10))
        running_bot.pikir.sender.wake()  # type: ignore[union-attr]
        return consultation

    return publish_now


async def head_of(
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    telegram_id: int,
    municipality: object,
    locale: str,
    role: Role = Role.HEAD,
    *,
    now: datetime,
) -> TelegramUser:
    await add_user(
        session,
        telegram_id,
        role=role,
        municipality=municipality,
        language=locale,  # type: ignore[arg-type]
        full_name=f"Башчы {telegram_id}",
        now=now,
    )
    user = make_user(telegram_id, language_code=locale)
    await user.send("/help")
    return user


async def answer_fully(user: TelegramUser, locale: str, card: SentMessage) -> list[SentMessage]:
    """Every step, with two amendments (one without justification) and an attachment."""
    await user.click(tr("✍ Answer", locale), card)
    await user.click(tr("✏ Support with amendments", locale))
    await user.click(tr("Extra costs", locale))
    replies = await user.send("миллион")
    assert replies[-1].text == tr(
        "Please write the amount in som as a number, e.g. 1 500 000 or 1,5 млн.", locale
    )
    await user.send("1,5 млн")
    await user.click(tr("Yes", locale))
    await user.click(tr("drinking water", locale))
    await user.click(tr("pastures", locale))
    await user.click(tr("Next »", locale))
    await user.send(MIXED)
    await user.click(tr("➕ Add an amendment", locale))
    await user.send("5-берене, 2-бөлүк")
    await user.send("Жайыт комитети айыл өкмөтү менен макулдашат.")
    await user.send("Жергиликтүү жамааттын укугу сакталат.")
    await user.click(tr("➕ Add an amendment", locale))
    await user.send("Статья 12")
    await user.send("Исключить.")
    await user.click(tr("Skip »", locale))
    await user.click(tr("No more amendments »", locale))
    await user.send_document("smeta.pdf", b"%PDF-1.4 smeta", "application/pdf")
    await user.click(tr("Done »", locale))
    await user.click("Да")
    return await user.click("4")


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_full_answer_with_amendments_and_attachment(
    locale: str,
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    head = await head_of(session, make_user, 8101, registry.ysyk_ata_aimaks[0], locale, now=clock.now())
    await publish()
    card = await wait_for_card(head)
    review = (await answer_fully(head, locale, card))[-1].text
    assert tr("✏ Support with amendments", locale) in review
    assert "1 500 000" in review.replace("\xa0", " ")
    assert MIXED in review and "5-берене, 2-бөлүк" in review and "Статья 12" in review
    replies = await head.click(tr("✅ Submit the answer", locale))
    assert replies[-1].text.startswith(
        tr(
            "Thank you! Your municipality's answer is recorded (version {version}). "
            "You can change it until {deadline} by pressing «Answer» again.",
            locale,
            version=1,
            deadline="",
        )[:20]
    )

    answer = await session.scalar(select(Answer))
    assert answer is not None and answer.is_current and answer.version == 1 and not answer.by_deputy
    assert (answer.stance, answer.annual_cost, answer.unfunded_mandate) == (
        Stance.SUPPORT_WITH_AMENDMENTS,
        1_500_000,
        True,
    )
    assert answer.services == ["pastures", "water"] and answer.comment == MIXED
    assert [(a.article, a.justification) for a in answer.amendments] == [
        ("5-берене, 2-бөлүк", "Жергиликтүү жамааттын укугу сакталат."),
        ("Статья 12", None),
    ]
    assert len(answer.attachments) == 1 and answer.attachments[0]["name"] == "smeta.pdf"
    assert answer.extra_answers == {"1": "Да", "2": 4}


async def test_changed_answer_keeps_history_and_deputy_is_marked(
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    municipality = registry.ysyk_ata_aimaks[1]
    name, silent_name = municipality.name_ru, registry.tokmok.name_ru
    head = await head_of(session, make_user, 8201, municipality, "ru", now=clock.now())
    deputy = await head_of(session, make_user, 8202, municipality, "ky", role=Role.DEPUTY, now=clock.now())
    await publish()
    for user, stance, locale in ((head, "👍 Support", "ru"), (deputy, "👎 Oppose", "ky")):
        card = await wait_for_card(user)
        await user.click(tr("✍ Answer", locale), card)
        if user is deputy:
            assert deputy.last_message.text != ""
        await user.click(tr(stance, locale))
        for _ in range(3):  # impact, cost, mandate
            await user.click(tr("Skip »", locale))
        await user.click(tr("Next »", locale))  # services
        await user.click(tr("Skip »", locale))  # comment
        await user.click(tr("No amendments »", locale))
        await user.click(tr("Done »", locale))  # attachments
        await user.click(tr("Skip »", locale))
        await user.click(tr("Skip »", locale))
        await user.click(tr("✅ Submit the answer", locale))

    versions = list(
        await session.scalars(
            select(Answer).order_by(Answer.version).execution_options(populate_existing=True)
        )
    )
    assert [(a.version, a.is_current, a.stance, a.by_deputy) for a in versions] == [
        (1, False, Stance.SUPPORT, False),
        (2, True, Stance.OPPOSE, True),
    ]

    # The coordinator's live view shows the rate, the silent ones and the deputy's answer.
    coordinator = make_user(900, language_code="ru")
    await coordinator.send("/responses")
    await coordinator.click("Законопроект о пастбищах")
    stats = coordinator.last_message.text
    assert tr("Answered: {answered} of {targeted} ({rate}%).", "ru", answered=1, targeted=12, rate=8) in stats
    replies = await coordinator.click(tr("Who has not answered", "ru"))
    assert silent_name in replies[-1].text and name not in replies[-1].text
    await coordinator.click(tr("◀ Back", "ru"))  # the screens replace one another in one message
    await coordinator.click(tr("Read the answers", "ru"))
    replies = await coordinator.click(name)
    assert tr("(deputy, on behalf of the municipality)", "ru") in replies[-1].text
    assert tr("👎 Oppose", "ru") in replies[-1].text


async def test_unfinished_answer_survives_a_restart(
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    running_bot: RunningBot,
    clock: ManualClock,
) -> None:
    head = await head_of(session, make_user, 8301, registry.tokmok, "ky", now=clock.now())
    await publish()
    card = await wait_for_card(head)
    await head.click(tr("✍ Answer", "ky"), card)
    await head.click(tr("👎 Oppose", "ky"))
    await head.click(tr("Lost revenue", "ky"))
    await head.send("250 000")
    await running_bot.restart()
    await head.send("/start")  # leaving the dialogue does not throw the draft away
    await head.click(tr("✍ Answer", "ky"), card)
    assert head.last_message.text == tr("You have an unfinished answer to this consultation.", "ky")
    replies = await head.click(tr("Continue", "ky"))
    assert replies[-1].text == tr("Does it give the municipality a new task without funding?", "ky")
    await head.click(tr("No", "ky"))
    await head.click(tr("Next »", "ky"))
    await head.click(tr("Skip »", "ky"))
    await head.click(tr("No amendments »", "ky"))
    await head.click(tr("Done »", "ky"))
    await head.click(tr("Skip »", "ky"))
    review = (await head.click(tr("Skip »", "ky")))[-1].text
    assert "250 000" in review.replace("\xa0", " ")
    await head.click(tr("✅ Submit the answer", "ky"))
    answer = await session.scalar(select(Answer))
    assert answer is not None and answer.annual_cost == 250_000 and answer.unfunded_mandate is False


async def test_late_and_outside_answers_are_refused(
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    head = await head_of(session, make_user, 8401, registry.ysyk_ata_aimaks[2], "ru", now=clock.now())
    outsider = await head_of(session, make_user, 8402, registry.talas_aimaks[0], "ky", now=clock.now())
    consultation = await publish()
    card = await wait_for_card(head)
    await head.click(tr("✍ Answer", "ru"), card)
    await head.click(tr("👍 Support", "ru"))
    clock.advance(timedelta(days=11))  # past the deadline
    await head.click(tr("Skip »", "ru"))
    assert head.last_callback_answer == tr(
        "This consultation is closed; answers are no longer accepted.", "ru"
    )
    await head.click(tr("✍ Answer", "ru"), card)
    assert head.last_callback_answer == tr(
        "This consultation is closed; answers are no longer accepted.", "ru"
    )
    assert await session.scalar(select(Answer)) is None

    await outsider.click_data(f"cons:answer:{consultation.id}", outsider.last_message)
    assert outsider.last_callback_answer == tr("This consultation was not sent to your municipality.", "ky")


async def test_limits_and_stale_buttons(
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    head = await head_of(session, make_user, 8501, registry.ysyk_ata_aimaks[4], "ru", now=clock.now())
    consultation = await publish()
    card = await wait_for_card(head)
    await head.click(tr("✍ Answer", "ru"), card)
    stance_message = head.last_message
    await head.click(tr("👍 Support", "ru"))
    # A press on the stance step again (a slow phone sends it late), now that the flow has moved on.
    late = AnswerStance(cid=consultation.id, v=1, stance=Stance.OPPOSE).pack()
    await head.click_data(late, stance_message)
    assert head.last_callback_answer == tr(
        "This button is from an earlier step. Please use the latest message.", "ru"
    )
    # A forged button that does not parse (the old format, an unknown stance) is stopped by the filter.
    for forged in (f"ans:{consultation.id}:impact:pick:none", f"astance:{consultation.id}:2:maybe"):
        await head.click_data(forged)
        inactive = tr("This button is no longer active. Please use the latest message.", "ru")
        assert head.last_callback_answer == inactive
    # A button of a consultation that does not exist, and one of another municipality's view.
    await head.click_data(AnswerStance(cid=999, v=1, stance=Stance.SUPPORT).pack())
    assert head.last_callback_answer == tr("This consultation no longer exists.", "ru")
    await head.click_data(f"respanswer:{consultation.id}:{registry.tokmok.id}")
    assert head.last_callback_answer == tr("Only association coordinators can do this.", "ru")

    await head.click(tr("Skip »", "ru"))  # impact
    replies = await head.send("пять миллионов")
    assert replies[-1].text == tr(
        "Please write the amount in som as a number, e.g. 1 500 000 or 1,5 млн.", "ru"
    )
    await head.click(tr("Skip »", "ru"))  # cost
    await head.click(tr("Skip »", "ru"))  # mandate
    await head.click(tr("Next »", "ru"))  # services
    # A comment longer than one Telegram message arrives in two parts and is kept whole.
    first, second = "а" * 4096, "б" * 1500
    replies = await head.send(first)
    assert tr("Received {count} characters. Send the rest, or press «Next».", "ru", count="4 096")[:10] in (
        replies[-1].text
    )
    await head.send(second)
    await head.click(tr("No amendments »", "ru"))
    await head.click(tr("Done »", "ru"))
    await head.click(tr("Skip »", "ru"))
    review = (await head.click(tr("Skip »", "ru")))[-1].text
    assert len(review) <= 4096
    await head.click(tr("✅ Submit the answer", "ru"))
    answer = await session.scalar(select(Answer))
    assert answer is not None and answer.comment == first + "\n" + second


async def test_a_press_in_the_middle_of_the_answer_is_one_read_one_write_and_an_edit_in_place(
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
    engine: AsyncEngine,
    emulator: BotApiEmulator,
) -> None:
    head = await head_of(session, make_user, 8551, registry.ysyk_ata_aimaks[5], "ru", now=clock.now())
    await publish()
    await head.click(tr("✍ Answer", "ru"), await wait_for_card(head))
    await head.click(tr("👍 Support", "ru"))
    await head.click(tr("Skip »", "ru"))  # impact
    await head.send("250 000")  # cost, typed: the next step comes as a new message
    await head.click(tr("No", "ru"))  # mandate
    screen = head.last_message
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    for button in (tr("drinking water", "ru"), tr("Next »", "ru"), tr("« Back", "ru")):
        statements.clear()
        calls = len(emulator.requests)
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        try:
            replies = await head.click(button, screen)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", count)
        made = [r.method for r in emulator.requests[calls:] if r.method.lower() != "getupdates"]
        # The user, then the draft with its consultation and target check, then the draft's update.
        assert len(statements) <= 3, statements
        assert sorted(made) == ["answerCallbackQuery", "editMessageText"], made
        assert replies == [screen] and not head.last_callback_alert
    assert screen.text == tr("Which local services does it touch? Press all that apply, then «Next».", "ru")
    assert "✅" in " ".join(screen.buttons)
    assert len(head.messages) == len([m for m in head.messages if not m.deleted])
