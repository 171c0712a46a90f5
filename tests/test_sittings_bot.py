"""A committee sitting through the emulator, in Kyrgyz and in Russian: recorded with its refusals, the
speaker briefed the day before (test clock) with the position paper attached, the minutes recorded and
the heads who answered told."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest
from docx import Document
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.i18n import format_datetime
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from handlers.procedures.callbacks import SittingAgendaSet
from models import CommitteeSitting, Role
from models.procedures import MinutesEntry, SittingStatus
from tests.factories import SmallRegistry, add_user
from tests.test_approval_bot import ZONE, adopt, answered_consultation, coordinator_chat, today
from tests.test_consultations import wait_until
from tests.test_positions import publish_as
from tests.texts import plain, tr


def typed_moment(moment: datetime) -> str:
    local = moment.astimezone(ZONE)
    return f"{local.day}.{local.month}.{local.year} {local:%H:%M}"


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_a_sitting_briefed_the_day_before_and_its_minutes(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
    locale: str,
) -> None:
    admin = await coordinator_chat(make_user, locale)
    author, consultation = await answered_consultation(session, registry, clock)
    await adopt(session, author, consultation, clock)
    heads = {9301: make_user(9301, "ky"), 9302: make_user(9302, "ky")}
    for chat in heads.values():
        await chat.send("/help")
    await add_user(session, 9501, role=Role.HEAD, municipality=registry.tokmok, language=locale)
    speaker = make_user(9501, locale)
    await speaker.send("/help")
    other = await publish_as(session, author, registry, clock)  # taken up at the same sitting
    other.title_ky, other.title_ru = "Жайыт жөнүндө мыйзам", "Закон о пастбищах"
    await session.commit()
    other_title = other.title(locale)[0]

    await admin.send("/sittings")
    await admin.click(consultation.title(locale)[0])
    await admin.click(tr("➕ Record a sitting", locale))
    await admin.click("Комитет по аграрной политике")  # the consultation's committee
    replies = await admin.send(typed_moment(clock.now() - timedelta(days=1)))
    assert plain(replies[-1].text) == tr("The sitting cannot be in the past.", locale)
    starts = datetime.combine(today(clock) + timedelta(days=2), time(10, 0), ZONE)
    await admin.send(typed_moment(starts))
    await admin.send("Жогорку Кеңеш, 410")
    await admin.click(tr("first reading", locale))
    replies = await admin.send("@nobody")
    assert plain(replies[-1].text) == tr(
        "Unknown speaker: {name}. Give a registered user's Telegram id or @username.", locale, name="@nobody"
    )
    replies = await admin.send("9501")
    assert tr("Recorded. The speakers get a briefing the day before.", locale) in plain(replies[-1].text)
    sitting = await session.scalar(select(CommitteeSitting))
    assert sitting is not None and sitting.starts_at == starts
    # A further consultation on the same agenda: put on, the press repeated (nothing changes), shown.
    when = format_datetime(starts, ZONE, locale)
    await admin.click(tr("📋 Agenda of {when}", locale, when=when))
    assert f"➕ {other_title}" in admin.buttons(admin.last_message)
    assert not any(consultation.title(locale)[0] in b for b in admin.buttons(admin.last_message))
    await admin.click(f"➕ {other_title}")
    assert f"✅ {other_title}" in admin.buttons(admin.last_message)
    assert f"• {other_title}" in admin.last_message.text
    press = SittingAgendaSet(sid=sitting.id, cid=other.id, on=True).pack()
    await admin.click_data(press)  # the same press again (a double tap): nothing changes
    await session.refresh(sitting)
    assert sitting.agenda_ids == [other.id]

    # Not two days before; the day before, once, with the position paper attached.
    check = running_bot.pikir.check_briefings  # type: ignore[union-attr]
    assert check is not None and await check() == []
    clock.advance(timedelta(days=1))
    assert await check() == [sitting.id]
    assert await check() == []
    heading = tr("You speak for the association. Your briefing:", locale)
    await wait_until(lambda: any(m.document for m in speaker.messages))
    briefing = next(m for m in speaker.messages if heading in (m.text or ""))
    assert "Жогорку Кеңеш, 410" in briefing.text and "ст. 5" in briefing.text
    assert tr("Also on the agenda: {titles}.", locale, titles=f"«{other_title}»") in briefing.text
    assert tr(
        "Answered: {answered} of {targeted} ({rate}%).", locale, answered=2, targeted=12, rate="16,7"
    ) in (briefing.text)
    paper = next(m for m in speaker.messages if m.document).document
    assert paper is not None and paper.file_name.endswith(f"-paper-{locale}.docx")
    assert consultation.title(locale)[0] in "\n".join(
        p.text for p in Document(io.BytesIO(paper.data)).paragraphs
    )

    # After the sitting: the minutes, and the heads who answered are told in their language.
    clock.advance(timedelta(days=2))
    await admin.send("/sittings")
    await admin.click(consultation.title(locale)[0])
    await admin.click(tr("📝 Minutes of {when}", locale, when=when))
    await admin.click(tr("Yes, we took part", locale))
    await admin.send("Ассоциация предложила согласовать статью 5 с айыл окмоту.")
    await admin.click(tr("entered in the minutes", locale))
    await admin.send("12")
    replies = await admin.send("Рекомендовать проект к принятию с поправками.")
    assert tr("Recorded. Heads told: {count}.", locale, count=2) in plain(replies[-1].text)
    await session.refresh(sitting)
    assert sitting.status is SittingStatus.RECORDED and sitting.minutes is MinutesEntry.YES
    notice = tr("Minutes No. {number}.", "ky", number="12")
    for chat in heads.values():
        await wait_until(lambda chat=chat: any(notice in (m.text or "") for m in chat.messages))
        text = next(m.text for m in chat.messages if notice in (m.text or ""))
        assert tr("entered in the minutes", "ky") in text
    assert not any(notice in (m.text or "") for m in speaker.messages)  # Tokmok did not answer
