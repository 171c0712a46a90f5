"""A button pressed 20 times at the same moment, handled concurrently as in production: the action
happens once, the press that did it gets the usual reply, the others a calm «already done», and
nobody sees «Something went wrong» nor does the log get a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.services import consultations
from devtools.emulator import TelegramUser
from devtools.emulator.server import CallbackQueryRecord
from devtools.testing import RunningBot
from models import Answer, AnswerDraft, AuditEntry, Position, Role, User, UserStatus
from models.consultations import ConsultationEvent, ConsultationStatus
from models.deliveries import Broadcast, Delivery
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user, open_consultation
from tests.test_answers import wait_for_card
from tests.test_consultations import wait_until
from tests.test_positions import publish_as
from tests.texts import tr

PRESSES = 20
TROUBLE = "Something went wrong on our side. Please try again in a minute."


async def handle_as_tasks(running_bot: RunningBot) -> None:
    """From here on each update is handled in its own task, as ``python -m bot`` does."""
    running_bot.handle_as_tasks = True
    await running_bot.restart()


def calm(
    presses: list[CallbackQueryRecord], refusal: str, caplog: pytest.LogCaptureFixture
) -> CallbackQueryRecord:
    """One press did the work (answered without an alert); every other one was told ``refusal``.
    Returns the winning press."""
    assert all(p.answered for p in presses)
    winners = [p for p in presses if not p.show_alert]
    assert len(winners) == 1, [p.text for p in presses]
    assert [p.text for p in presses if p.show_alert] == [refusal] * (len(presses) - 1)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    return winners[0]


def no_trouble_seen(*users: TelegramUser) -> None:
    troubles = {tr(TROUBLE, "ky"), tr(TROUBLE, "ru")}
    for user in users:
        for message in user.messages:
            assert not any(t in (message.text or "") for t in troubles), message.text
        answers = [q.text for q in user.emulator.callback_queries.values() if q.user_id == user.user_id]
        assert not troubles & set(answers)


async def count(session: AsyncSession, model: object, *where: object) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


async def a_head(
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    telegram_id: int,
    municipality: object,
    locale: str = "ru",
) -> TelegramUser:
    await add_user(session, telegram_id, role=Role.HEAD, municipality=municipality, language=locale)  # type: ignore[arg-type]
    user = make_user(telegram_id, language_code=locale)
    await user.send("/help")  # they have talked to the bot before
    return user


async def test_submit_pressed_twenty_times_gives_one_version(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    head = await a_head(session, make_user, 8801, registry.tokmok)
    await open_consultation(session, registry, clock.now() + timedelta(days=10))
    running_bot.pikir.sender.wake()  # type: ignore[union-attr]
    card = await wait_for_card(head)
    await head.click(tr("✍ Answer", "ru"), card)
    await head.click(tr("👍 Support", "ru"))
    for _step in ("impact", "cost", "mandate"):
        await head.click(tr("Skip »", "ru"))
    await head.click(tr("Next »", "ru"))
    await head.click(tr("Skip »", "ru"))
    await head.click(tr("No amendments »", "ru"))
    await head.click(tr("Done »", "ru"))
    await head.click("Да")
    await head.click("4")

    await handle_as_tasks(running_bot)
    await head.press_many(tr("✅ Submit the answer", "ru"), PRESSES)

    calm(head.last_presses, tr("Your answer has already been sent.", "ru"), caplog)
    no_trouble_seen(head)
    thanks = tr(
        "Thank you! Your municipality's answer is recorded (version {version}). "
        "You can change it until {deadline} by pressing «Answer» again.",
        "ru",
        version=1,
        deadline="…",
    ).split("…")[0]
    await wait_until(lambda: head.last_message.text.startswith(thanks))  # it follows the press's answer
    assert [(m.text or "").startswith(thanks) for m in head.messages].count(True) == 1
    assert await count(session, Answer) == 1
    assert await count(session, AnswerDraft) == 0
    assert await count(session, AuditEntry, AuditEntry.action == "answer.submit") == 1


async def test_publish_pressed_twenty_times_sends_once(
    running_bot: RunningBot,
    admin: TelegramUser,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    heads = [
        await a_head(session, make_user, 8811, registry.tokmok),
        await a_head(session, make_user, 8812, registry.ysyk_ata_aimaks[0], "ky"),
    ]
    before = [len(h.messages) for h in heads]
    author = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    draft = await consultations.create_draft(session, author, clock.now())  # type: ignore[arg-type]
    await consultations.save_fields(
        session,
        draft,
        title_ky="Суу жөнүндө мыйзам долбоору",
        title_ru="Законопроект о воде",
        deadline=clock.now() + timedelta(days=10),
        audience={"kind": "oblasts", "ids": [registry.chui.id]},
    )
    await admin.send("/drafts")
    await admin.click("✏ Законопроект о воде")

    await handle_as_tasks(running_bot)
    await admin.press_many(tr("📤 Publish", "ru"), PRESSES)

    calm(admin.last_presses, tr("This consultation is already published.", "ru"), caplog)
    await wait_until(lambda: tr("Sending finished.", "ru") in (admin.last_message.text or ""))
    no_trouble_seen(admin)
    started = tr("Published. Sending…", "ru")
    assert [started in [m.text, *m.history] for m in admin.messages].count(True) == 1
    assert await count(session, Broadcast) == 1
    assert await count(session, Delivery) == 2
    for head, seen in zip(heads, before, strict=True):
        assert len(head.messages) == seen + 1  # one card each
    published = ConsultationEvent.to_status == ConsultationStatus.OPEN
    assert await count(session, ConsultationEvent, published) == 1
    assert await count(session, AuditEntry, AuditEntry.action == "consultation.publish") == 1


async def test_close_and_adopt_pressed_twenty_times_happen_once(
    running_bot: RunningBot,
    admin: TelegramUser,
    session: AsyncSession,
    registry: SmallRegistry,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    author = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    consultation = await publish_as(session, author, registry, clock)  # type: ignore[arg-type]
    await admin.send("/responses")
    await admin.click(consultation.title_ru)  # type: ignore[arg-type]
    await admin.click(tr("⏹ Close the consultation now", "ru"))

    await handle_as_tasks(running_bot)
    await admin.press_many(tr("⏹ Yes, close it now", "ru"), PRESSES)

    calm(admin.last_presses, tr("This consultation is already closed.", "ru"), caplog)
    closed = tr("The consultation is closed. The drafted position will follow in a moment.", "ru")
    assert [m.text == closed for m in admin.messages].count(True) == 1
    assert await count(session, Position) == 1
    closings = ConsultationEvent.to_status == ConsultationStatus.CLOSED
    assert await count(session, ConsultationEvent, closings) == 1
    open_position = tr("📝 Open the position", "ru")
    await wait_until(lambda: open_position in admin.buttons())
    assert [open_position in admin.buttons(m) for m in admin.messages].count(True) == 1

    await admin.press_many(open_position, 1)
    adopt = tr("✅ Adopt the position", "ru")
    await wait_until(lambda: adopt in admin.buttons())  # the screen follows the press's answer
    screens, screen = len(admin.messages), admin.last_message
    assert screen is not None
    edits = len(screen.history)
    await admin.press_many(adopt, PRESSES)

    winner = calm(admin.last_presses, tr("The position is already adopted.", "ru"), caplog)
    assert winner.text == tr("The position is adopted.", "ru")
    # The screen becomes the adopted position's, in place and once (the refused presses changed nothing).
    await wait_until(lambda: adopt not in admin.buttons(screen))
    assert len(admin.messages) == screens
    assert len(screen.history) == edits + 1
    adopted = ConsultationEvent.to_status == ConsultationStatus.POSITION_ADOPTED
    assert await count(session, ConsultationEvent, adopted) == 1
    no_trouble_seen(admin)


async def test_approve_pressed_twenty_times_decides_once_and_a_late_reject_names_who_decided(
    running_bot: RunningBot,
    admin: TelegramUser,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await add_user(
        session, 8821, role=Role.HEAD, municipality=registry.tokmok, language="ru", status=UserStatus.PENDING
    )
    applicant = make_user(8821, language_code="ru")
    await applicant.send("/help")
    await add_user(session, 8822, role=Role.COORDINATOR, language="ky", full_name="Нурлан Сапаров")
    colleague = make_user(8822)
    card = (await colleague.send("/applications"))[-1]
    reject_text = tr("❌ Reject", "ky")
    reject = next(b["callback_data"] for row in card.inline_keyboard for b in row if b["text"] == reject_text)
    await admin.send("/applications")
    before = len(applicant.messages)

    await handle_as_tasks(running_bot)
    await admin.press_many(tr("✅ Approve", "ru"), PRESSES)

    calm(admin.last_presses, tr("{name} has already approved this application.", "ru", name="Admin"), caplog)
    welcome = tr("Your application is approved. Welcome to Pikir!", "ru")
    await wait_until(lambda: welcome in (applicant.last_message.text or ""))
    assert [welcome in (m.text or "") for m in applicant.messages[before:]].count(True) == 1
    assert await count(session, AuditEntry, AuditEntry.action == "user.approve") == 1

    # The other coordinator's copy of the card now says who decided and has no buttons (issue 11); a
    # Reject pressed before that edit arrived is refused, saying who decided.
    assert tr("✅ Approved by {name}.", "ky", name="Admin") in card.text and colleague.buttons(card) == []
    emulator = colleague.emulator
    update = emulator.build_callback_update(8822, card, reject)
    await emulator.wait_processed(emulator.push_update(update), timeout=10)
    await emulator.wait_answered([update["callback_query"]["id"]], timeout=10)
    press = emulator.callback_queries[update["callback_query"]["id"]]
    assert press.show_alert
    assert press.text == tr("{name} has already approved this application.", "ky", name="Admin")
    row = await session.scalar(
        select(User).where(User.telegram_id == 8821).execution_options(populate_existing=True)
    )
    assert row is not None and row.status is UserStatus.ACTIVE
    assert await count(session, AuditEntry, AuditEntry.action == "user.reject") == 0
    no_trouble_seen(admin, colleague, applicant)


async def test_an_edit_that_changes_nothing_is_not_an_error(
    admin: TelegramUser, caplog: pytest.LogCaptureFixture
) -> None:
    """The language chosen twice on the same message: the second edit is «message is not modified»."""
    await admin.send("/lang")
    await admin.press_many("Русский", 2)
    assert [p.show_alert for p in admin.last_presses] == [False, False]
    assert admin.last_message.text == tr("Language: {language}.", "ru", language="русский")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    no_trouble_seen(admin)
