"""Approval requests through the emulator, in Kyrgyz and in Russian: a ministry's request registered,
answered «approved with remarks» with the letter generated and opened back; a refusal followed by a
conciliation meeting, an appeal and the act adopted without approval; the near-term alert."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.i18n import _, format_official_day, use_locale
from bot.presentation.drafting import draft_text
from bot.services import positions
from bot.services.procedures import approval, calendar
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from models import ApprovalRequest, Consultation, Role, User
from models.procedures import ApprovalStatus, StateBodyKind, TermUnit
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user
from tests.test_consultations import wait_until
from tests.test_positions import answer_as, publish_as
from tests.texts import plain, tr

ZONE = ZoneInfo("Asia/Bishkek")
LANGUAGE_BUTTON = {"ky": "Кыргызча", "ru": "Русский"}


def today(clock: ManualClock) -> date:
    return clock.now().astimezone(ZONE).date()


def typed(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def approval_screen(chat: TelegramUser, locale: str) -> str:
    """The newest approval screen (as edited last), as plain text."""
    with use_locale(locale):
        part = _("Approval request from {kind}: {body}.").split("{")[0]
    for message in reversed(chat.messages):
        if part in plain(message.text or ""):
            return plain(message.text or "")
    raise AssertionError(f"no message with {part!r}")


async def coordinator_chat(make_user: Callable[..., TelegramUser], locale: str) -> TelegramUser:
    """The ADMIN_IDS account, having chosen ``locale``."""
    chat = make_user(ADMIN_ID, locale, "Admin")
    await chat.send("/start")
    await chat.click(LANGUAGE_BUTTON[locale])
    return chat


async def answered_consultation(
    session: AsyncSession, registry: SmallRegistry, clock: ManualClock, *, inter_budget: bool = False
) -> tuple[User, Consultation]:
    """Published by the admin; article 5 proposed by two heads, article 12 by one."""
    author = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    assert author is not None
    consultation = await publish_as(session, author, registry, clock, inter_budget=inter_budget)
    first = await add_user(session, 9301, role=Role.HEAD, municipality=registry.ysyk_ata_aimaks[0])
    second = await add_user(session, 9302, role=Role.HEAD, municipality=registry.ysyk_ata_aimaks[1])
    five = {"article": "ст. 5", "wording": "Согласовать с айыл окмоту.", "justification": None}
    await answer_as(session, first, consultation, clock, stance="amend", amendments=[five])
    twelve = {"article": "Статья 12", "wording": "Исключить.", "justification": None}
    await answer_as(session, second, consultation, clock, stance="amend", amendments=[five, twelve])
    return author, consultation


async def adopt(session: AsyncSession, author: User, consultation: Consultation, clock: ManualClock) -> None:
    await positions.close(session, consultation.id, clock.now(), 0.5, drafter=draft_text, actor=author)
    await positions.adopt(session, author, consultation.id, clock.now())


async def stored(session: AsyncSession, consultation: Consultation) -> ApprovalRequest:
    request = await session.scalar(
        select(ApprovalRequest).where(ApprovalRequest.consultation_id == consultation.id)
    )
    assert request is not None
    await session.refresh(request)
    return request


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_a_ministry_request_answered_with_remarks(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
    locale: str,
) -> None:
    admin = await coordinator_chat(make_user, locale)
    author, consultation = await answered_consultation(session, registry, clock)
    title = consultation.title(locale)[0]

    # Registered through the dialogue, with its refusals.
    await admin.send("/approval")
    await admin.click(title)
    await admin.click(tr("🏛 Mark as an approval request", locale))
    await admin.click(tr("a ministry or state agency", locale))
    await admin.send("Министерство финансов Кыргызской Республики")
    await admin.send("01-2/345")
    replies = await admin.send(typed(today(clock) + timedelta(days=3)))
    assert plain(replies[-1].text) == tr("The date of a letter cannot be in the future.", locale)
    incoming = today(clock) - timedelta(days=1)
    await admin.send(typed(incoming))
    await admin.click(tr("working days", locale))
    replies = await admin.send("0")
    assert plain(replies[-1].text) == tr("The term must be at least one day.", locale)
    replies = await admin.send("20")
    screen = plain(replies[-1].text)
    assert tr("Registered.", locale) in screen
    request = await stored(session, consultation)
    work = calendar.WorkCalendar()
    assert request.due_on == work.add_working_days(incoming, 20)
    assert request.heads_due_on == work.subtract_working_days(request.due_on, 3)
    assert request.body_kind is StateBodyKind.MINISTRY and request.term_unit is TermUnit.WORKING

    # No letter before the position is adopted.
    await admin.click(tr("✉ The answer letter", locale))
    assert tr("The letter can be drafted only once the position is adopted.", locale) in plain(
        admin.last_message.text  # type: ignore[union-attr]
    )
    await admin.click(tr("📄 Generate the letter (DOCX)", locale))
    assert admin.last_callback_alert
    await adopt(session, author, consultation, clock)

    # The letter's parts, in the state body's language (the coordinator's own here).
    await admin.click(tr("◀ Back to the approval", locale))
    await admin.click(tr("✉ The answer letter", locale))
    await admin.click(tr("approved with remarks", locale))
    await admin.click(tr("📝 Remarks", locale))
    await admin.click("▫ 1")  # article 5, proposed by two municipalities: the first group
    await admin.click(tr("◀ Back to the letter", locale))
    await admin.click(tr("№ Outgoing number", locale))
    await admin.send("12/07")
    await admin.click(tr("📅 Outgoing date", locale))
    await admin.click(tr("Today", locale))
    if locale == "ky":
        await admin.click("Кыргызча")
    await admin.click(tr("📄 Generate the letter (DOCX)", locale))
    await wait_until(lambda: any(m.document for m in admin.messages))
    sent = next(m for m in reversed(admin.messages) if m.document).document
    assert sent is not None and sent.file_name.endswith(f"-letter-{locale}.docx")
    document = Document(io.BytesIO(sent.data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "12/07" in text and "01-2/345" in text
    assert format_official_day(today(clock), locale) in text and format_official_day(incoming, locale) in text
    assert ("-жылдын " if locale == "ky" else " г.") in text
    assert "1. ст. 5: Согласовать с айыл окмоту." in text and "Статья 12" not in text
    assert tr("The draft is approved subject to the following remarks:", locale) in text
    assert title in text

    # Sent: the state body accepted some of the remarks; each step is in the history.
    await admin.click(tr("📨 The answer is sent", locale))
    await admin.click(tr("📨 The answer is sent", locale))  # a repeated press changes nothing
    assert (await stored(session, consultation)).status is ApprovalStatus.ANSWERED
    await admin.click(tr("Remarks: some accepted", locale))
    screen = approval_screen(admin, locale)
    assert tr("The state body: {what}.", locale, what=tr("some remarks accepted", locale)) in screen
    assert tr("the answer was sent", locale) in screen
    assert tr("answer letter No. {number} generated", locale, number="12/07") in screen
    assert (await stored(session, consultation)).status is ApprovalStatus.REACTED

    # /drafts says where the procedure stands; the position paper carries its history.
    replies = await admin.send("/drafts")  # the outbox's closing notice may arrive meanwhile
    note = "🏛 " + tr("the state body answered on the remarks", locale)
    assert any(note in plain(reply.text) for reply in replies)
    await admin.send("/responses")
    await admin.click(title)
    await admin.click(tr("📝 The position", locale))
    await admin.click(tr("📤 Documents", locale))
    await admin.click(LANGUAGE_BUTTON[locale])
    await admin.click(tr("📄 Position paper (DOCX)", locale))
    await wait_until(
        lambda: "-paper-" in admin.messages[-1].document.file_name if admin.messages[-1].document else False
    )
    paper = Document(io.BytesIO(admin.messages[-1].document.data))  # type: ignore[union-attr]
    paper_text = "\n".join(p.text for p in paper.paragraphs)
    assert tr("History of the formal procedures", locale) in paper_text
    assert tr("answer letter No. {number} generated", locale, number="12/07") in paper_text
    assert tr("some remarks accepted", locale) in paper_text


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_refusal_conciliation_and_appeal(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
    locale: str,
) -> None:
    admin = await coordinator_chat(make_user, locale)
    author, consultation = await answered_consultation(session, registry, clock, inter_budget=True)
    await approval.register(
        session,
        author,
        consultation.id,
        body_kind=StateBodyKind.COMMITTEE,
        body_name="Комитет Жогорку Кенеша по бюджету",
        incoming_number="JK-77",
        incoming_date=today(clock),
        term_days=30,
        term_unit=TermUnit.CALENDAR,
        calendar=calendar.WorkCalendar(),
        margin=3,
        now=clock.now(),
        zone=ZONE,
    )
    await adopt(session, author, consultation, clock)
    head = make_user(9301, "ru")

    await admin.send("/approval")
    await admin.click("🏛 " + consultation.title(locale)[0])
    await admin.click(tr("✉ The answer letter", locale))
    await admin.click(tr("not approved", locale))
    await admin.click(tr("📝 Remarks", locale))
    await admin.click(tr("✏ Rewrite the remarks", locale))
    await admin.send("Нет источника финансирования.\nПротиворечит закону о местном самоуправлении.")
    await admin.click(tr("№ Outgoing number", locale))
    await admin.send("15")
    await admin.click(tr("📅 Outgoing date", locale))
    await admin.click(tr("Today", locale))
    await admin.click(tr("📄 Generate the letter (DOCX)", locale))
    await wait_until(lambda: any(m.document for m in admin.messages))
    letter = Document(io.BytesIO(next(m for m in reversed(admin.messages) if m.document).document.data))  # type: ignore[union-attr]
    text = "\n".join(p.text for p in letter.paragraphs)
    assert "1. Нет источника финансирования." in text
    assert "2. Противоречит закону о местном самоуправлении." in text
    assert tr("The draft is not approved, for the following reasons:", "ru") in text  # the default language
    await admin.click(tr("📨 The answer is sent", locale))

    # A head forging the coordinator's button is refused, and nothing changes.
    await head.send("/help")
    await head.click_data(f"apprconcil:{consultation.id}:agreed")
    assert head.last_callback_alert
    assert (await stored(session, consultation)).conciliation_result is None

    clock.advance(timedelta(days=5))
    await admin.click(tr("🤝 Conciliation: not agreed", locale))
    replies = await admin.send(typed(today(clock) + timedelta(days=1)))
    assert plain(replies[-1].text) == tr("The date cannot be in the future.", locale)
    replies = await admin.send(typed(today(clock)))
    screen = plain(replies[-1].text)
    assert tr("The disagreement protocol is among the position's documents.", locale) in screen
    await admin.click(tr("⚖ An appeal was filed", locale))
    await admin.send("Жогорку Кеңеш")
    await admin.click(tr("Today", locale))
    await admin.click(tr("⚖ Appeal dismissed", locale))
    await admin.click(tr("⚠ Adopted without approval", locale))
    await admin.click(tr("Today", locale))
    request = await stored(session, consultation)
    assert request.status is ApprovalStatus.ADOPTED_WITHOUT_APPROVAL
    assert request.appeal_to == "Жогорку Кеңеш" and request.adopted_on == today(clock)
    screen = approval_screen(admin, locale)
    for line in (
        tr("conciliation meeting on {date}: {result}", locale, date="", result="").split(":")[0],
        tr("the act was adopted without approval", locale),
    ):
        assert line.strip() in screen, (line, screen)


async def test_the_near_term_alert_reaches_the_coordinator(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    admin = await coordinator_chat(make_user, "ky")
    author, consultation = await answered_consultation(session, registry, clock)
    await approval.register(
        session,
        author,
        consultation.id,
        body_kind=StateBodyKind.CABINET,
        body_name="Кабинет Министров Кыргызской Республики",
        incoming_number="КМ-1",
        incoming_date=today(clock),
        term_days=2,
        term_unit=TermUnit.WORKING,
        calendar=calendar.WorkCalendar(),
        margin=1,
        now=clock.now(),
        zone=ZONE,
    )
    check = running_bot.pikir.check_approval_alerts  # type: ignore[union-attr]
    assert check is not None
    assert await check() == [consultation.id]
    assert await check() == []  # once
    heading = tr("⏰ Working days left for the association's answer: {left}.", "ky", left=2)
    await wait_until(lambda: any(heading in (m.text or "") for m in admin.messages))
    alert = next(m for m in admin.messages if heading in (m.text or ""))
    assert tr("✉ The answer letter", "ky") in alert.buttons


async def test_each_procedure_command_without_consultations_says_how_to_make_one(
    running_bot: RunningBot, admin: TelegramUser
) -> None:
    for command in ("/approval", "/expertise", "/sittings"):
        replies = await admin.send(command)
        assert plain(replies[-1].text) == tr("There are no consultations yet. /new creates one.", "ru")
