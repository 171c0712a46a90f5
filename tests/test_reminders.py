"""Reminders, the escalation, «remind now» and /settings as people see them, through the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.services import answers
from devtools.emulator import SentMessage, TelegramUser
from devtools.testing import RunningBot
from models import Consultation, ReminderChoice, User
from models.consultations import ConsultationStatus
from models.deliveries import Delivery, DeliveryStatus
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry
from tests.test_positions import answer_as, head, publish_as
from tests.texts import plain, tr

REMINDER = "🔔 <b>Reminder</b>: your municipality has not answered yet."


def reminders_to(chat: TelegramUser) -> list[SentMessage]:
    heading = {plain(tr(REMINDER, locale)) for locale in ("ky", "ru")}
    return [m for m in chat.messages if any(h in (m.text or "") for h in heading)]


async def tick(running_bot: RunningBot) -> None:
    """The scheduler's minute: reminders, deadlines, the digest; then the outbox sends what is due."""
    pikir = running_bot.pikir
    assert pikir is not None
    await pikir.check_reminders()
    await pikir.check_deadlines()
    await pikir.check_digest()
    await sent(running_bot)


async def sent(running_bot: RunningBot) -> None:
    """Until the outbox (running in the background as in production) has sent everything due."""
    pikir = running_bot.pikir
    assert pikir is not None
    for _ in range(400):
        await pikir.sender.run_until_idle()
        async with running_bot.session_factory() as session:
            busy = await session.scalar(
                select(func.count())
                .select_from(Delivery)
                .where(Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]))
            )
        if not busy:
            return
        # A 429 gave a row back to the queue after this pass had looked: the next pass sends it.
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not finish in time")


async def test_a_consultations_week(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    """Publish; two reminders with an answer between them; the last one and the escalation; the close;
    the weekly digest."""
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    aksai, ashar = registry.ysyk_ata_aimaks[:2]
    ky_head, ky_chat = await head(session, make_user, 9301, aksai, "ky", clock.now())
    ru_head, ru_chat = await head(session, make_user, 9302, ashar, "ru", clock.now())
    consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    await tick(running_bot)  # the cards
    assert reminders_to(ky_chat) == []
    # 72 h before the deadline (noon, two days on): the first reminder, in each one's language.
    clock.advance(timedelta(days=2))
    await tick(running_bot)
    [ky_reminder] = reminders_to(ky_chat)
    assert "Жайыттар жөнүндө мыйзам долбоору" in ky_reminder.text
    assert (
        plain(
            tr("⏳ {left} left (answers are accepted until {deadline}).", "ky", left="3 күн", deadline="")
        ).split("(")[0]
        in ky_reminder.text
    )
    assert ky_chat.buttons(ky_reminder) == [tr("✍ Answer", "ky")]
    [ru_reminder] = reminders_to(ru_chat)
    assert "Осталось 3 дня" in ru_reminder.text and "Законопроект о пастбищах" in ru_reminder.text
    # The Kyrgyz head answers from the reminder's button: the answer's first step opens.
    replies = await ky_chat.click(tr("✍ Answer", "ky"), ky_reminder)
    assert replies and replies[-1].inline_keyboard
    await answer_as(session, ky_head, consultation, clock, stance="support")
    # 24 h before: only the one still silent is reminded.
    clock.advance(timedelta(days=2))
    await tick(running_bot)
    assert len(reminders_to(ky_chat)) == 1
    assert len(reminders_to(ru_chat)) == 2
    assert "Остался 1 день" in reminders_to(ru_chat)[-1].text or "1 день" in reminders_to(ru_chat)[-1].text
    # 3 h before: the last one, and the coordinator gets the list of the still silent to phone.
    clock.advance(timedelta(hours=21))
    await tick(running_bot)
    last = reminders_to(ru_chat)[-1]
    assert tr("This is the last reminder before the deadline.", "ru") in last.text
    escalation = next(m for m in reversed(admin.messages) if "📞" in (m.text or ""))
    assert "Ашар айылный аймак" in escalation.text and "Ак-Сай" not in escalation.text
    assert "Чуйская область" in escalation.text and "Ысык-Атинский район" in escalation.text
    assert f"tg://user?id={ru_head.telegram_id}" in escalation.html
    # The deadline closes it; nothing more is sent after it.
    clock.advance(timedelta(hours=3, minutes=1))
    await tick(running_bot)
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.CLOSED
    assert len(reminders_to(ru_chat)) == 3
    # The digest on Monday 09:00 after the close: what was closed this week, in each language.
    settings = running_bot.settings
    digest_at = settings.schedule.digest.latest(clock.now(), settings.locale.zone) + timedelta(days=7)
    clock.set(digest_at)
    await tick(running_bot)
    heading = {locale: plain(tr("📰 <b>Pikir: your week</b>", locale)) for locale in ("ky", "ru")}
    ky_digest = next(m for m in reversed(ky_chat.messages) if heading["ky"] in m.text)
    assert plain(tr("⏹ <b>Closed this week:</b>", "ky")) in ky_digest.text
    assert "Жайыттар жөнүндө мыйзам долбоору" in ky_digest.text
    ru_digest = next(m for m in reversed(ru_chat.messages) if heading["ru"] in m.text)
    assert "Законопроект о пастбищах" in ru_digest.text
    staff_digest = next(m for m in reversed(admin.messages) if heading["ru"] in m.text)
    assert plain(tr("📝 <b>Positions waiting to be adopted:</b>", "ru")) in staff_digest.text
    # A restart does not send the digest or any reminder again.
    digests = sum(heading["ru"] in m.text for m in ru_chat.messages)
    await running_bot.restart()
    await tick(running_bot)
    assert sum(heading["ru"] in m.text for m in ru_chat.messages) == digests
    assert len(reminders_to(ru_chat)) == 3


async def test_a_head_who_answered_gets_no_reminder_and_quiet_hours_hold_it(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    answered_head, answered_chat = await head(session, make_user, 9311, registry.tokmok, "ru", clock.now())
    _silent, silent_chat = await head(
        session, make_user, 9312, registry.ysyk_ata_aimaks[3], "ky", clock.now()
    )
    started, started_chat = await head(
        session, make_user, 9313, registry.ysyk_ata_aimaks[4], "ru", clock.now()
    )
    consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    await answer_as(session, answered_head, consultation, clock, stance="oppose")
    draft = await answers.start_draft(session, started, consultation.id, clock.now())
    await answers.save_draft(
        session, draft, "impact", {"history": ["stance"], "stance": "support"}, clock.now()
    )
    # The 72 h mark is at noon two days on: a minute before, nothing is due.
    clock.advance(timedelta(days=1, hours=23, minutes=59))
    await tick(running_bot)
    assert reminders_to(silent_chat) == []
    # The bot is away from 11:59 until 23:00: the reminder due at noon waits for the morning.
    clock.advance(timedelta(hours=11, minutes=1))
    await tick(running_bot)
    assert reminders_to(silent_chat) == []
    clock.advance(timedelta(hours=9))  # 08:00
    await tick(running_bot)
    assert len(reminders_to(silent_chat)) == 1
    assert reminders_to(answered_chat) == []
    # One who has begun answering is offered to continue, where they left off.
    [reminder] = reminders_to(started_chat)
    assert started_chat.buttons(reminder) == [tr("✍ Continue", "ru")]
    replies = await started_chat.click(tr("✍ Continue", "ru"), reminder)
    assert replies and replies[-1].inline_keyboard


async def test_settings(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    user, chat = await head(session, make_user, 9321, registry.tokmok, "ky", clock.now())
    [screen] = await chat.send("/settings")
    assert plain(tr("⚙ <b>Your settings</b>", "ky")) in screen.text
    assert (
        tr(
            "Even with reminders off, a head gets the last reminder before each deadline: "
            "the association must hear from every municipality.",
            "ky",
        )
        in screen.text
    )
    await chat.click(tr("🔔 Reminders: {value}", "ky", value=tr("off", "ky")))
    await chat.click(tr("📰 Digest: {value}", "ky", value=tr("off", "ky")))
    await session.refresh(user)
    assert (user.reminders, user.digest_weekly) == (ReminderChoice.OFF, False)
    assert "✓ " + tr("🔔 Reminders: {value}", "ky", value=tr("off", "ky")) in chat.buttons()
    await chat.click(tr("🌐 Language", "ky"))
    await chat.click("Русский")
    await session.refresh(user)
    assert user.language == "ru"
    [screen] = await chat.send("/settings")
    assert tr("🔔 Reminders before a deadline: {value}", "ru", value=tr("off", "ru")) in screen.text


async def test_remind_now_from_responses(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    _a, ky_chat = await head(session, make_user, 9331, registry.ysyk_ata_aimaks[0], "ky", clock.now())
    _b, ru_chat = await head(session, make_user, 9332, registry.tokmok, "ru", clock.now())
    consultation: Consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    await tick(running_bot)
    await admin.send("/responses")
    await admin.click("Законопроект о пастбищах")
    await admin.click(tr("🔔 Remind the silent now", "ru"))
    assert "Чуйская область (12)" in admin.buttons()
    await admin.click("Чуйская область (12)")
    [preview] = await admin.send("Просим ответить до пятницы")
    assert (
        tr(
            "This reminder reaches {people} people in {municipalities} municipalities "
            "that have not answered.",
            "ru",
            people=2,
            municipalities=12,
        )
        in preview.text
    )
    await admin.click(tr("🔔 Send the reminder", "ru"))
    await sent(running_bot)
    [reminder] = reminders_to(ru_chat)
    assert (
        tr("Message from the association: {note}", "ru", note="Просим ответить до пятницы") in reminder.text
    )
    assert len(reminders_to(ky_chat)) == 1
    # Within the hour the same municipalities are not reminded again.
    await admin.send("/responses")
    await admin.click("Законопроект о пастбищах")
    await admin.click(tr("🔔 Remind the silent now", "ru"))
    await admin.click(tr("All that have not answered ({count})", "ru", count=12))
    [preview] = await admin.click(tr("Without a message", "ru"))
    assert (
        tr("{count} municipalities reminded within the last hour are left out.", "ru", count=12)
        in preview.text
    )
    assert tr("🔔 Send the reminder", "ru") not in admin.buttons(preview)
    assert consultation.id


async def test_a_reminder_missed_while_stopped_goes_once_after_the_restart(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    _head, chat = await head(session, make_user, 9341, registry.tokmok, "ru", clock.now())
    await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    await tick(running_bot)
    await running_bot.stop()
    clock.advance(timedelta(days=4, hours=1))  # stopped through the 72 h and the 24 h marks
    await running_bot.start()  # the scheduler catches up at start
    await tick(running_bot)
    [reminder] = reminders_to(chat)
    assert "Осталось 23 часа" in reminder.text  # the latest missed one, once
    await running_bot.restart()
    await tick(running_bot)
    assert len(reminders_to(chat)) == 1
