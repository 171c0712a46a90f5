"""Surveys through the emulator: a coordinator sends the local kenesh survey in one press and follows
up an act's impact; heads answer in Kyrgyz and in Russian; /report sends the DOCX and the XLSX."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta

from docx import Document
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.i18n import format_date
from bot.services.surveys import add_months
from devtools.emulator import SentMessage, TelegramUser
from devtools.report_year import ConsultationSpec, insert_consultation
from devtools.testing import RunningBot
from models import Answer, Municipality, Position, Role, Stance, User
from models.consultations import Consultation, ConsultationKind, ConsultationStatus
from tests.factories import SmallRegistry, add_user
from tests.report_year_data import BISHKEK
from tests.test_consultations import wait_until
from tests.texts import plain, tr


async def head(
    session: AsyncSession, make_user: Callable[..., TelegramUser], tid: int, place: Municipality, locale: str
) -> TelegramUser:
    await add_user(session, tid, role=Role.HEAD, municipality=place, language=locale)
    chat = make_user(tid, language_code=locale)
    await chat.send("/help")
    return chat


def card(chat: TelegramUser, title: str) -> SentMessage | None:
    return next((m for m in reversed(chat.messages) if title in (m.text or m.caption or "")), None)


async def answer_survey(chat: TelegramUser, locale: str, title: str, typed: list[str]) -> list[SentMessage]:
    """Open the card's «Answer», type each number, submit."""
    await wait_until(lambda: card(chat, title) is not None)
    replies = await chat.click(tr("✍ Answer", locale), card(chat, title))
    assert tr("Question {number} of {count}", locale, number=1, count=len(typed)) in plain(replies[-1].text)
    for value in typed:
        replies = await chat.send(value)
    assert tr("<b>Your answer, please check it:</b>", locale).replace("<b>", "").replace("</b>", "") in plain(
        replies[-1].text
    )
    return await chat.click(tr("✅ Submit the answer", locale))


async def test_coordinator_sends_the_kenesh_survey_and_heads_answer_in_both_languages(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
) -> None:
    ky = await head(session, make_user, 9201, registry.ysyk_ata_aimaks[0], "ky")
    ru = await head(session, make_user, 9202, registry.talas_aimaks[0], "ru")
    await admin.send("/surveys")
    replies = await admin.click(tr("📋 Send the annual local kenesh survey", "ru"))
    assert "/responses" in plain(replies[-1].text)
    survey = await session.scalar(select(Consultation).where(Consultation.kind == ConsultationKind.SURVEY))
    assert survey is not None and survey.status is ConsultationStatus.OPEN

    # A wrong value is refused in the head's language, and the step stays.
    await wait_until(lambda: card(ky, survey.title_ky or "") is not None)
    await ky.click(tr("✍ Answer", "ky"), card(ky, survey.title_ky or ""))
    refused = await ky.send("алты")
    assert tr("Please write a whole number, e.g. 12.", "ky") in plain(refused[-1].text)
    for value in ("6", "40", "2", "1", "3", "0"):
        replies = await ky.send(value)
    assert tr("How many sessions did the local kenesh hold this year?", "ky") in plain(replies[-1].text)
    done = await ky.click(tr("✅ Submit the answer", "ky"))
    assert "6" in plain(done[-1].text)
    await answer_survey(ru, "ru", survey.title_ru or "", ["4", "20", "1", "1", "0", "2"])

    answers = {
        a.municipality_id: a
        for a in await session.scalars(select(Answer).where(Answer.consultation_id == survey.id))
    }
    assert answers[registry.ysyk_ata_aimaks[0].id].extra_answers == {
        "1": 6,
        "2": 40,
        "3": 2,
        "4": 1,
        "5": 3,
        "6": 0,
    }
    assert answers[registry.talas_aimaks[0].id].extra_answers["6"] == 2
    assert {a.stance for a in answers.values()} == {Stance.NO_OPINION}

    # The coordinator reads one municipality's answer: the survey's questions with their values, and
    # nothing of a bill's answer (no position, no costs).
    await admin.send("/responses")
    await admin.click((survey.title_ru or "")[:60])
    await admin.click(tr("Read the answers", "ru"))
    name = registry.talas_aimaks[0].name("ru")
    replies = await admin.click(next(b for b in admin.buttons(admin.last_message) if name in b))
    shown = plain(replies[-1].text)
    assert tr("How many sessions did the local kenesh hold this year?", "ru") + ": 4" in shown
    assert tr("Position: {value}", "ru", value="") not in shown


async def test_coordinator_schedules_a_follow_up_that_goes_out_on_its_day(
    running_bot: RunningBot,
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    ru = await head(session, make_user, 9302, registry.ysyk_ata_aimaks[1], "ru")
    act_id = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=clock.now() - timedelta(days=90),
            title="Закон о пастбищах",
            targets=[registry.ysyk_ata_aimaks[1].id, registry.tokmok.id],
            status=ConsultationStatus.OUTCOME_RECORDED,
        ),
    )
    await admin.send("/surveys")
    await admin.click("🔁 Закон о пастбищах")
    await admin.click(tr("📅 Date of entry into force", "ru"))
    refused = await admin.send("вчера")
    assert tr("Please write the date as day.month.year, e.g. 01.07.2026.", "ru") in plain(refused[-1].text)
    in_force = clock.now().astimezone(BISHKEK).date() - timedelta(days=200)
    screen = await admin.send(in_force.strftime("%d.%m.%Y"))
    assert tr("🔁 Impact survey after 6 months", "ru") in screen[-1].buttons
    await admin.click(tr("🔁 Impact survey after 6 months", "ru"))
    position = await session.scalar(select(Position).where(Position.consultation_id == act_id))
    await session.refresh(position)
    assert position is not None and position.in_force_at == datetime.combine(
        in_force, datetime.min.time(), BISHKEK
    )
    due = add_months(position.in_force_at, 6)
    assert admin.last_callback_answer == tr(
        "Scheduled: the impact survey goes out on {date}", "ru", date=format_date(due, BISHKEK, "ru")
    )

    # 6 months after 200 days ago is already past: the next check sends it, by itself.
    assert running_bot.pikir is not None
    assert running_bot.pikir.send_follow_ups is not None
    sent = await running_bot.pikir.send_follow_ups()
    assert len(sent) == 1
    survey = await session.get(Consultation, sent[0].survey_id)
    assert survey is not None and survey.follows_id == act_id
    await answer_survey_impact(ru, survey.title_ru or "")
    answer = await session.scalar(select(Answer).where(Answer.consultation_id == survey.id))
    assert answer is not None and answer.extra_answers == {
        "1": -300_000,
        "2": 2,
        "3": True,
        "4": ["pensioners"],
    }
    user = await session.scalar(select(User).where(User.telegram_id == 9302))
    assert user is not None and answer.author_id == user.id


async def answer_survey_impact(chat: TelegramUser, title: str) -> None:
    await wait_until(lambda: card(chat, title) is not None)
    await chat.click(tr("✍ Answer", "ru"), card(chat, title))
    await chat.send("-300 000")
    await chat.click("2")
    await chat.click(tr("Yes", "ru"))
    await chat.click(tr("pensioners", "ru"))
    await chat.click(tr("Next »", "ru"))
    review = await chat.click(tr("Skip »", "ru"))
    assert tr("pensioners", "ru") in plain(review[-1].text)
    await chat.click(tr("✅ Submit the answer", "ru"))


async def test_report_command_sends_both_files(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    clock: ManualClock,
) -> None:
    year = clock.now().astimezone(BISHKEK).year
    await insert_consultation(
        session,
        ConsultationSpec(published_at=datetime(year, 3, 1, 12, tzinfo=BISHKEK), targets=[registry.tokmok.id]),
    )
    await admin.send("/report")
    await admin.click(str(year))
    await admin.click("Кыргызча")
    await wait_until(lambda: sum(1 for m in admin.messages if m.document) >= 2)
    names = [m.document.file_name for m in admin.messages if m.document]
    assert names == [f"pikir-report-{year}-ky.docx", f"pikir-report-{year}-ky.xlsx"]
    docx = next(m for m in admin.messages if m.document).document
    document = Document(io.BytesIO(docx.data))  # type: ignore[union-attr]
    assert tr("Annual report to the Jogorku Kenesh of the Kyrgyz Republic", "ky") in [
        p.text for p in document.paragraphs
    ]
    progress = [
        m
        for m in admin.messages
        if tr(
            "The report for {year} is ready: {consultations} consultations and {surveys} surveys.",
            "ru",
            year=year,
            consultations=1,
            surveys=0,
        )
        in (m.text or "")
    ]
    assert progress


async def test_state_of_consultations_from_report(
    running_bot: RunningBot, session: AsyncSession, registry: SmallRegistry, admin: TelegramUser
) -> None:
    await admin.send("/report")
    await admin.click(tr("📈 State of consultations (PNG)", "ru"))
    await wait_until(lambda: any(m.photo for m in admin.messages))
