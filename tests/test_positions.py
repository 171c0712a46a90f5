"""The position through the emulator: close, adopt, export, submit, record the outcome, tell each
municipality what became of its own proposals."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.errors import StaleAction
from bot.services import answers, consultations
from devtools.emulator import SentMessage, TelegramUser
from devtools.testing import RunningBot
from models import Consultation, Municipality, Position, Role, User
from models.consultations import ConsultationStatus
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user
from tests.test_consultations import wait_until
from tests.texts import number, plain, tr, trp


async def publish_as(
    session: AsyncSession,
    author: User,
    registry: SmallRegistry,
    clock: ManualClock,
    *,
    inter_budget: bool = False,
) -> Consultation:
    """A consultation put before Chui oblast by ``author``, with a deadline in five days."""
    draft = await consultations.create_draft(session, author, clock.now())
    await consultations.save_fields(
        session,
        draft,
        title_ky="Жайыттар жөнүндө мыйзам долбоору",
        title_ru="Законопроект о пастбищах",
        committee="Комитет по аграрной политике",
        inter_budget=inter_budget,
        deadline=clock.now() + timedelta(days=5),
        audience={"kind": "oblasts", "ids": [registry.chui.id]},
    )
    await consultations.publish(session, author, draft.id, clock.now())
    return draft


async def answer_as(
    session: AsyncSession, head: User, consultation: Consultation, clock: ManualClock, **data: Any
) -> None:
    """An answer submitted through the answer service, as the answer dialogue does at its last step."""
    draft = await answers.start_draft(session, head, consultation.id, clock.now())
    await answers.save_draft(session, draft, "review", {"history": [], **data}, clock.now())
    await answers.submit(session, head, draft, clock.now())


async def head(
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    telegram_id: int,
    municipality: Municipality,
    locale: str,
    now: datetime,
) -> tuple[User, TelegramUser]:
    user = await add_user(
        session, telegram_id, role=Role.HEAD, municipality=municipality, language=locale, now=now
    )
    chat = make_user(telegram_id, language_code=locale)
    await chat.send("/help")  # they have talked to the bot before
    return user, chat


def newest_with(user: TelegramUser, text: str) -> SentMessage | None:
    for message in reversed(user.messages):
        if text in (message.text or ""):
            return message
    return None


async def test_close_adopt_export_submit_and_tell_each_municipality(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    aksai, ashar, baitik = registry.ysyk_ata_aimaks[:3]
    ky_head, ky_chat = await head(session, make_user, 9101, aksai, "ky", clock.now())
    ru_head, ru_chat = await head(session, make_user, 9102, ashar, "ru", clock.now())
    quiet_head, quiet_chat = await head(session, make_user, 9103, baitik, "ru", clock.now())
    silent_head, silent_chat = await head(session, make_user, 9104, registry.tokmok, "ru", clock.now())
    consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    await answer_as(
        session,
        ky_head,
        consultation,
        clock,
        stance="amend",
        cost=1_500_000,
        mandate=True,
        amendments=[
            {"article": "5-берене", "wording": "Жайыт комитети макулдашат.", "justification": "Укук"}
        ],
    )
    await answer_as(
        session,
        ru_head,
        consultation,
        clock,
        stance="amend",
        cost=500_000,
        amendments=[
            {"article": "ст. 5", "wording": "Согласовать с айыл окмоту.", "justification": None},
            {"article": "Статья 12", "wording": "Исключить.", "justification": "Нет средств"},
        ],
    )
    await answer_as(session, quiet_head, consultation, clock, stance="support")

    # The coordinator closes early, from the live view of the answers.
    await admin.send("/responses")
    await admin.click(consultation.title_ru)  # type: ignore[arg-type]
    await admin.click(tr("⏹ Close the consultation now", "ru"))
    await admin.click(tr("⏹ Yes, close it now", "ru"))
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.CLOSED
    # A late answer is refused now.
    late = await answers.start_draft(session, silent_head, consultation.id, clock.now())
    await answers.save_draft(session, late, "review", {"history": [], "stance": "oppose"}, clock.now())
    with pytest.raises(StaleAction):
        await answers.submit(session, silent_head, late, clock.now())

    # The drafted position arrives through the outbox, with the numbers.
    opener = tr("📝 Open the position", "ru")
    await wait_until(lambda: any(opener in admin.buttons(m) for m in admin.messages))
    notice = next(m for m in reversed(admin.messages) if opener in admin.buttons(m))
    assert tr("Answered: {answered} of {targeted} ({rate}%).", "ru", answered=3, targeted=12, rate="25") in (
        notice.text
    )
    # 2 000 000 som in all, median of 500 000 and 1 500 000.
    assert "2 000 000" in notice.text.replace("\xa0", " ")
    assert "1 000 000" in notice.text.replace("\xa0", " ")

    # Edit the Russian text, then adopt.
    await admin.click(opener, notice)
    await admin.click(tr("📄 Text in Russian", "ru"))
    await admin.click(tr("✏ Edit this text", "ru"))
    too_long = "Слишком длинно. " * 253  # 4 048 characters: one Telegram message, over the limit
    replies = await admin.send(too_long)  # refused, and nothing is lost
    assert plain(replies[-1].text) == tr(
        "That is too long: {length} characters, at most {limit}. Please shorten it and send again.",
        "ru",
        length=number(len(too_long.strip()), "ru"),  # «4 048»: written the Russian way
        limit=number(4000, "ru"),
    )
    await admin.send("Ассоциация поддерживает проект с поправками к статье 5.")
    position = await session.scalar(select(Position).where(Position.consultation_id == consultation.id))
    await session.refresh(position)
    assert position.text_ru == "Ассоциация поддерживает проект с поправками к статье 5."  # type: ignore[union-attr]
    assert position.text_ky  # type: ignore[union-attr]
    await admin.click(tr("◀ Back to the position", "ru"))
    # Only the Russian text was edited: the Kyrgyz paper would still say the bot's draft.
    replies = await admin.click(tr("✅ Adopt the position", "ru"))
    warning = tr(
        "⚠ You edited the text in {edited}, but the text in {drafted} is still the bot's draft: "
        "the two papers may say different things. Adopt anyway?",
        "ru",
        edited="на русском языке",
        drafted="на кыргызском языке",
    )
    assert plain(replies[-1].text) == warning
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.CLOSED  # nothing adopted yet
    await admin.click(tr("✅ Adopt anyway", "ru"))
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.POSITION_ADOPTED
    # The text is frozen now: the old «edit» button is refused.
    await admin.click(tr("✏ Edit this text", "ru"))
    assert admin.last_callback_alert

    # Documents in Kyrgyz, chosen by the coordinator whose own language is Russian.
    await admin.click(tr("📤 Documents", "ru"))
    await admin.click("Кыргызча")
    await admin.click(tr("📄 Position paper (DOCX)", "ru"))
    await wait_until(
        lambda: any(m.document and m.document.file_name.endswith(".docx") for m in admin.messages)
    )
    paper = next(m for m in reversed(admin.messages) if m.document).document
    text = "\n".join(p.text for p in Document(io.BytesIO(paper.data)).paragraphs)  # type: ignore[union-attr]
    assert "Жайыттар жөнүндө мыйзам долбоору" in text
    await admin.click(tr("📊 Answers and tallies (XLSX)", "ru"))
    workbook_message = next(
        m for m in reversed(admin.messages) if m.document and m.document.file_name.endswith("xlsx")
    )
    workbook = load_workbook(io.BytesIO(workbook_message.document.data))  # type: ignore[union-attr]
    assert len(workbook.sheetnames) == 3
    await admin.click(tr("📈 Chart of stances by oblast (PNG)", "ru"))
    chart = next(m for m in reversed(admin.messages) if m.photo)
    assert chart.photo.data.startswith(b"\x89PNG")  # type: ignore[union-attr]

    # Submitted to the committee today.
    await admin.click(tr("◀ Back to the position", "ru"))  # under the documents, which replaced the screen
    await admin.click(tr("📨 Mark as submitted", "ru"))
    await admin.send("Комитет Жогорку Кенеша по аграрной политике")
    replies = await admin.send("31.12.2099")
    assert plain(replies[-1].text) == tr("The date of submission cannot be in the future.", "ru")
    await admin.click(tr("Today", "ru"))
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.SUBMITTED
    await session.refresh(position)
    assert position.addressee == "Комитет Жогорку Кенеша по аграрной политике"  # type: ignore[union-attr]

    # The outcome: article 5 (two municipalities) accepted with a reason, article 12 rejected.
    await admin.click(tr("🏛 Record the outcome", "ru"))
    await admin.click(tr("✅ Record and tell the municipalities", "ru"))
    assert admin.last_callback_alert  # nothing decided yet: refused
    await admin.click(tr("📋 Decisions on the proposals", "ru"))
    await admin.click("1")
    await admin.click("✅ " + tr("accepted", "ru"))
    await admin.send("Учтено в статье 5 новой редакции.")
    await admin.click("2")
    await admin.click("❌ " + trp("a proposal", "rejected", "ru"))
    await admin.click(tr("Skip", "ru"))
    await admin.click(tr("◀ Back", "ru"))
    await admin.click(tr("📜 Fate of the act", "ru"))
    await admin.click(tr("adopted with changes", "ru"))
    await admin.click(tr("✅ Record and tell the municipalities", "ru"))
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.OUTCOME_RECORDED

    # Each municipality that answered hears about its own proposals, in its own language.
    heading = {
        locale: plain(tr("🏛 <b>Outcome of the consultation</b> «{title}»", locale, title="")).rstrip("«» ")
        for locale in ("ky", "ru")
    }
    for chat, locale in ((ky_chat, "ky"), (ru_chat, "ru"), (quiet_chat, "ru")):
        await wait_until(lambda chat=chat, locale=locale: newest_with(chat, heading[locale]) is not None)
    ky_notice = newest_with(ky_chat, heading["ky"]).text  # type: ignore[union-attr]
    ru_notice = newest_with(ru_chat, heading["ru"]).text  # type: ignore[union-attr]
    quiet_notice = newest_with(quiet_chat, heading["ru"]).text  # type: ignore[union-attr]
    assert "5-берене" in ky_notice and tr("accepted", "ky") in ky_notice
    assert "Учтено в статье 5 новой редакции." in ky_notice
    assert "Статья 12" not in ky_notice and "ст. 5" not in ky_notice
    assert "ст. 5" in ru_notice and "Статья 12" in ru_notice
    assert trp("a proposal", "rejected", "ru") in ru_notice
    assert "5-берене" not in ru_notice
    assert tr("Your municipality proposed no amendments; its opinion was counted in the position.", "ru") in (
        quiet_notice
    )
    assert tr("adopted with changes", "ky") in ky_notice
    # The municipality that did not answer is not told.
    assert newest_with(silent_chat, heading["ru"]) is None


async def test_deadline_closes_and_drafts_the_position(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    ky_head, _chat = await head(session, make_user, 9201, registry.tokmok, "ky", clock.now())
    await answer_as(session, ky_head, consultation, clock, stance="oppose")
    pikir = running_bot.pikir
    assert await pikir.check_deadlines() == []  # type: ignore[union-attr]
    clock.advance(timedelta(days=6))
    assert await pikir.check_deadlines() == [consultation.id]  # type: ignore[union-attr]
    assert await pikir.check_deadlines() == []  # type: ignore[union-attr]  # closed once, drafted once
    opener = tr("📝 Open the position", "ru")
    await wait_until(lambda: any(opener in admin.buttons(m) for m in admin.messages))
    notice = next(m for m in reversed(admin.messages) if opener in admin.buttons(m))
    assert tr("Answered: {answered} of {targeted} ({rate}%).", "ru", answered=1, targeted=12, rate="8,3") in (
        notice.text
    )
    assert (
        tr("Position of the association: not to support the draft in its present form.", "ru") in notice.text
    )
    # Heads are refused the coordinator's buttons, whatever data they forge.
    await _chat.click_data(f"posadopt:{consultation.id}")
    assert _chat.last_callback_alert
    assert _chat.last_callback_answer == tr("Only association coordinators can do this.", "ky")
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.CLOSED
    # A restart does not send the drafted position again.
    await running_bot.restart()
    await running_bot.pikir.sender.run_until_idle()  # type: ignore[union-attr]
    assert sum(opener in admin.buttons(m) for m in admin.messages) == 1
