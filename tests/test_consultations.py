"""Publishing a consultation through the emulator: the wizard, the preview, who receives it, the report."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from handlers.callbacks import WizPublish
from models import Role, UserStatus
from models.answers import Answer
from models.consultations import Consultation, ConsultationEvent, ConsultationStatus, ConsultationTarget
from models.deliveries import Broadcast
from tests.factories import SmallRegistry, add_user
from tests.texts import tr

BISHKEK = ZoneInfo("Asia/Bishkek")
PDF = b"%PDF-1.4\n% a small draft law\n" + b"0" * 2048 + b"\n%%EOF\n"


async def wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:  # noqa: ASYNC109
    """Wait for the background sender; the test fails on timeout rather than hanging."""
    for _ in range(int(timeout / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition was not met in time")


async def heads_of(
    session: AsyncSession, registry: SmallRegistry, make_user: Callable[..., TelegramUser], now: datetime
):
    """Approved heads in Chui (one Kyrgyz, two Russian, one who will block the bot), one in Talas, and an
    unapproved applicant in Chui."""
    people = {
        "chui_ky": (7101, registry.ysyk_ata_aimaks[0], "ky", UserStatus.ACTIVE),
        "chui_ru": (7102, registry.ysyk_ata_aimaks[1], "ru", UserStatus.ACTIVE),
        "tokmok_ru": (7103, registry.tokmok, "ru", UserStatus.ACTIVE),
        "talas_ky": (7104, registry.talas_aimaks[0], "ky", UserStatus.ACTIVE),
        "pending": (7105, registry.ysyk_ata_aimaks[2], "ky", UserStatus.PENDING),
        "blocked": (7106, registry.ysyk_ata_aimaks[3], "ru", UserStatus.ACTIVE),
    }
    users = {}
    for name, (telegram_id, municipality, language, status) in people.items():
        await add_user(
            session,
            telegram_id,
            role=Role.HEAD,
            municipality=municipality,
            language=language,
            status=status,
            now=now,
        )
        users[name] = make_user(telegram_id, language_code=language)
        await users[name].send("/help")  # they have talked to the bot before
    return users


def typed_day(moment: datetime) -> str:
    """The date as a coordinator types it: day.month.year in Bishkek."""
    return moment.astimezone(BISHKEK).strftime("%d.%m.%Y")


async def create_through_wizard(coordinator: TelegramUser, registry: SmallRegistry, now: datetime) -> None:
    """The coordinator (Russian) fills every step, with a few mistakes on the way."""
    await coordinator.send("/new")
    await coordinator.send("Жер кодексине өзгөртүүлөр киргизүү жөнүндө мыйзам долбоору")
    await coordinator.send("Проект закона о внесении изменений в Земельный кодекс")
    await coordinator.click(tr("Skip »", "ru"))  # no Kyrgyz summary
    await coordinator.send("Передаёт айыл окмоту право распоряжаться пастбищами 🐑")
    replies = await coordinator.send("portal dot kg")
    assert replies[-1].text == tr(
        "This does not look like a link. Send the full address, starting with https://", "ru"
    )
    await coordinator.send("https://koomtalkuu.gov.kg/ru/view-npa/1234")
    replies = await coordinator.send_document("draft.exe", b"MZ", "application/octet-stream")
    assert replies[-1].text == tr(
        "Please send the draft as a PDF, Word, Excel or other office document.", "ru"
    )
    await coordinator.send_document("draft.pdf", PDF, "application/pdf")
    await coordinator.send("Министерство сельского хозяйства")
    await coordinator.click(tr("Skip »", "ru"))  # committee
    await coordinator.click(tr("land", "ru"))
    await coordinator.click(tr("Next »", "ru"))
    await coordinator.click(tr("No", "ru"))
    await coordinator.click(tr("By oblast", "ru"))
    await coordinator.click(registry.chui.name("ru"))
    replies = await coordinator.click(tr("Done »", "ru"))
    reach = replies[0].text
    assert (
        tr(
            "It reaches {municipalities} municipalities and {people} registered people.",
            "ru",
            municipalities=12,
            people=4,
        )
        in reach
    )
    assert tr("No registered head in {count}: {names}", "ru", count=8, names="")[:-2] in reach
    replies = await coordinator.send(typed_day(now - timedelta(days=1)))
    assert replies[-1].text == tr("The deadline has to be in the future, at least an hour from now.", "ru")
    replies = await coordinator.send(f"31.02.{now.year + 1}")
    assert replies[-1].text == tr("There is no such date. Please check the day and the month.", "ru")
    await coordinator.send(typed_day(now + timedelta(days=19)))
    # Each question and its options in both languages, like the title and the summary.
    replies = await coordinator.click(tr("➕ Add a question", "ru"))
    assert tr("Write the question in Kyrgyz.", "ru") in replies[-1].text
    replies = await coordinator.send("Өткөөл мезгил керекпи?")
    assert tr("The same question in Russian.", "ru") in replies[-1].text
    await coordinator.send("Нужен ли переходный период?")
    replies = await coordinator.click(tr("one answer from a list", "ru"))
    assert tr("Write the options in Kyrgyz, one per line (from 2 to 8).", "ru") in replies[-1].text
    replies = await coordinator.send("Ооба")
    assert replies[-1].text == tr(
        "Please write from 2 to 8 options, one per line, each up to 60 characters.", "ru"
    )
    replies = await coordinator.send("Ооба\nЖок, керек эмес")
    assert "Жок, керек эмес" in replies[-1].text  # shown again, to translate in the same order
    replies = await coordinator.send("Да\nНет\nНе знаю")
    assert replies[-1].text == tr(
        "There are {expected} options in Kyrgyz: please write as many in Russian, in the same order.",
        "ru",
        expected=2,
    )
    replies = await coordinator.send("Да\nНет, не нужен")
    assert "Нужен ли переходный период?" in replies[-1].text  # the coordinator's own language
    await coordinator.click(tr("Next »", "ru"))


async def test_coordinator_publishes_to_one_oblast(
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    running_bot: RunningBot,
    clock: ManualClock,
) -> None:
    heads = await heads_of(session, registry, make_user, clock.now())
    before = {name: len(user.messages) for name, user in heads.items()}
    await create_through_wizard(admin, registry, clock.now())

    # The preview shows each language exactly as heads will see it, with the document.
    previews = [m for m in admin.messages if m.document is not None]
    assert len(previews) == 2
    assert "Жер кодексине" in previews[0].caption and "Земельный кодекс" in previews[1].caption
    assert tr("(the summary is not yet available in your language; shown in the other one)", "ky") in (
        previews[0].caption
    )
    heads["blocked"].block_bot()
    admin.emulator.fail_next(count=2, error_code=429, retry_after=1, method="sendDocument")
    await admin.click(tr("📤 Publish", "ru"))

    await wait_until(lambda: tr("Sending finished.", "ru") in admin.last_message.text)
    progress = tr(
        "Sent {sent} of {total}, {blocked} blocked the bot, {failed} not delivered.",
        "ru",
        sent=3,
        total=4,
        blocked=1,
        failed=0,
    )
    assert progress in admin.last_message.text
    assert admin.emulator.count_429 == 2

    for name in ("chui_ky", "chui_ru", "tokmok_ru"):
        new = heads[name].messages[before[name] :]
        assert len(new) == 1, name
        card = new[0]
        assert (
            card.document is not None and card.document.data == PDF and card.document.file_name == "draft.pdf"
        )
        expected_title = "Жер кодексине" if heads[name].user.language_code == "ky" else "Земельный кодекс"
        assert expected_title in card.caption
        assert tr("✍ Answer", heads[name].user.language_code) in heads[name].buttons(card)
    for name in ("talas_ky", "pending", "blocked"):
        assert len(heads[name].messages) == before[name], name

    consultation = await session.scalar(select(Consultation))
    assert consultation is not None and consultation.status is ConsultationStatus.OPEN
    assert consultation.extra_questions == [
        {
            "id": 1,
            "text": "Өткөөл мезгил керекпи?",
            "text_ru": "Нужен ли переходный период?",
            "type": "single",
            "options": ["Ооба", "Жок, керек эмес"],
            "options_ru": ["Да", "Нет, не нужен"],
        }
    ]
    # Each head reads the question and its options in their own language.
    for name, question, options, review in (
        (
            "chui_ky",
            "Өткөөл мезгил керекпи?",
            ["Ооба", "Жок, керек эмес"],
            "Өткөөл мезгил керекпи?: Жок, керек эмес",
        ),
        (
            "chui_ru",
            "Нужен ли переходный период?",
            ["Да", "Нет, не нужен"],
            "Нужен ли переходный период?: Нет, не нужен",
        ),
    ):
        head, locale = heads[name], heads[name].user.language_code
        await head.click(tr("✍ Answer", locale), head.messages[before[name]])
        await head.click(tr("👍 Support", locale))
        for _step in ("impact", "cost", "mandate"):
            await head.click(tr("Skip »", locale))
        await head.click(tr("Next »", locale))  # services
        await head.click(tr("Skip »", locale))  # comment
        await head.click(tr("No amendments »", locale))
        replies = await head.click(tr("Done »", locale))  # attachments
        assert replies[-1].text == question
        assert head.buttons(replies[-1])[: len(options)] == options
        replies = await head.click(options[1])
        assert review in replies[-1].text
        await head.click(tr("✅ Submit the answer", locale))
    stored = list(await session.scalars(select(Answer.extra_answers).order_by(Answer.id)))
    assert stored == [{"1": "Жок, керек эмес"}] * 2  # one key for the tallies, whatever the language
    transitions = list(
        await session.scalars(select(ConsultationEvent.to_status).order_by(ConsultationEvent.id))
    )
    assert transitions == [ConsultationStatus.DRAFT, ConsultationStatus.OPEN]
    targets = await session.scalars(select(ConsultationTarget.municipality_id))
    assert len(list(targets)) == 12

    # The delivery report, per municipality, as a real XLSX.
    await admin.click(tr("📊 Delivery report (XLSX)", "ru"))
    report = admin.last_message.document
    assert report is not None and report.file_name.endswith(".xlsx")
    rows = list(load_workbook(io.BytesIO(report.data)).active.iter_rows(values_only=True))
    assert rows[0][2] == tr("Municipality", "ru") and len(rows) == 13
    by_name = {row[2]: row for row in rows[1:]}
    assert by_name[registry.tokmok.name_ru][-1] == tr("delivered", "ru")
    assert by_name[registry.ysyk_ata_aimaks[2].name_ru][-1] == tr("no registered head", "ru")
    assert by_name[registry.ysyk_ata_aimaks[3].name_ru][-1] == tr("blocked the bot", "ru")

    # Heads see it in /drafts with the days left, and can read the whole summary.
    replies = await heads["chui_ru"].send("/drafts")
    assert "Земельный кодекс" in replies[-1].text
    replies = await heads["chui_ru"].click(heads["chui_ru"].buttons()[0])
    assert "пастбищами 🐑" in replies[-1].text


async def test_head_cannot_use_the_wizard(
    running_bot: RunningBot,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    clock: ManualClock,
) -> None:
    await add_user(
        session, 7201, role=Role.HEAD, municipality=registry.tokmok, language="ru", now=clock.now()
    )
    head = make_user(7201, language_code="ru")
    replies = await head.send("/new")
    assert replies[-1].text == tr("Only association coordinators can do this.", "ru")
    await head.click_data(WizPublish(id=1).pack())
    assert head.last_callback_answer
    assert await session.scalar(select(Consultation)) is None
    assert await session.scalar(select(Broadcast)) is None


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_wizard_back_and_cancel_keep_the_draft(
    locale: str,
    running_bot: RunningBot,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    await add_user(session, 7301, role=Role.COORDINATOR, language=locale, now=clock.now())
    coordinator = make_user(7301, language_code=locale)
    await coordinator.send("/new")
    await coordinator.send("Бюджет кодекси")
    shown = len(coordinator.messages)
    replies = await coordinator.click(tr("« Back", locale))
    assert "Бюджет кодекси" in replies[-1].text  # the saved value is shown again
    # The pressed message turned into the step before; no new message piles up.
    assert replies[-1].edited and len(coordinator.messages) == shown
    await coordinator.click_data("wztopic:nonsense")
    assert coordinator.last_callback_answer == tr(
        "This button is no longer active. Please use the latest message.", locale
    )
    await coordinator.click(tr("✖ Cancel", locale))
    draft = await session.scalar(select(Consultation))
    assert (
        draft is not None and draft.title_ky == "Бюджет кодекси" and draft.status is ConsultationStatus.DRAFT
    )
    replies = await coordinator.send("/drafts")
    assert "Бюджет кодекси" in replies[-1].text
