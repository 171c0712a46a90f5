"""Surveys without Telegram: the flow of a survey (only its questions), a ready survey sent, answered,
closed and tallied, and impact follow-ups scheduled after entry into force and sent on their day."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.documents.survey_workbook import survey_workbook
from bot.errors import AlreadyDone, InvalidFields, InvalidInput, StaleAction
from bot.flows import Moved, Refused
from bot.flows.answer import AnswerFlow, Next, Pick, Skip, Text, Toggle
from bot.presentation.drafting import draft_text
from bot.presentation.surveys import survey_content
from bot.services import answers, consultations, positions, surveys
from devtools.report_year import ConsultationSpec, insert_consultation
from models import Answer, Consultation, Delivery, Position, Role, Stance, User
from models.consultations import ConsultationStatus, ConsultationTarget
from tests.factories import SmallRegistry, add_user, clock_start
from tests.report_year_data import BISHKEK
from tests.texts import tr

KENESH = survey_content(surveys.KENESH, None, None).questions


def text(value: str) -> Text:
    return Text(value, clock_start())


def test_a_survey_asks_only_its_questions_then_the_review() -> None:
    flow = AnswerFlow.resume(KENESH, "stance", {"history": []}, survey=True)
    assert flow.step == "q1" and flow.order == ("q1", "q2", "q3", "q4", "q5", "q6", "review")
    refused = flow.apply("q1", text("шесть"))
    assert isinstance(refused, Refused) and refused.key == "Please write a whole number, e.g. 12."
    for step, value in zip(flow.order, ("6", "40", "2", "1", "3", "0"), strict=False):
        assert isinstance(flow.apply(step, text(value)), Moved)
    assert flow.step == "review"
    assert flow.draft.extra == {"1": 6, "2": 40, "3": 2, "4": 1, "5": 3, "6": 0}


def test_impact_questions_take_a_loss_a_scale_yes_no_and_groups() -> None:
    questions = survey_content(surveys.IMPACT, None, 6).questions
    flow = AnswerFlow.resume(questions, "stance", {"history": []}, survey=True)
    assert isinstance(flow.apply("q1", text("-1,5 млн")), Moved)
    assert isinstance(flow.apply("q2", Pick(2)), Moved)
    assert isinstance(flow.apply("q3", Pick(True)), Moved)
    assert isinstance(flow.apply("q4", Toggle(1)), Moved)  # pensioners
    assert isinstance(flow.apply("q4", Next()), Moved)
    assert isinstance(flow.apply("q5", Skip()), Moved)
    assert flow.step == "review"
    assert flow.draft.extra == {"1": -1_500_000, "2": 2, "3": True, "4": ["pensioners"]}
    # Yes/no is a button: a typed word is not an answer; the scale takes 1 to 5 only.
    again = AnswerFlow.resume(questions, "q3", {"history": ["q2"]}, survey=True)
    assert isinstance(again.apply("q3", text("да")), Refused)
    scale = AnswerFlow.resume(questions, "q2", {"history": ["q1"]}, survey=True)
    assert isinstance(scale.apply("q2", Pick(7)), Refused)


def test_dates_and_months() -> None:
    assert surveys.parse_day("1.07.2026") == date(2026, 7, 1)
    assert surveys.parse_day(" 31/12/2026 ") == date(2026, 12, 31)
    for bad in ("31.02.2026", "2026-07-01", "завтра"):
        with pytest.raises(InvalidInput):
            surveys.parse_day(bad)
    moment = datetime(2026, 8, 31, 0, 0, tzinfo=BISHKEK)
    assert surveys.add_months(moment, 6) == datetime(2027, 2, 28, 0, 0, tzinfo=BISHKEK)
    assert surveys.add_months(moment, 12) == datetime(2027, 8, 31, 0, 0, tzinfo=BISHKEK)


async def heads(session: AsyncSession, registry: SmallRegistry) -> tuple[User, User]:
    ky = await add_user(
        session, 8101, role=Role.HEAD, municipality=registry.ysyk_ata_aimaks[0], language="ky"
    )
    ru = await add_user(session, 8102, role=Role.HEAD, municipality=registry.talas_aimaks[0], language="ru")
    return ky, ru


async def answer(
    session: AsyncSession, head: User, survey: Consultation, now: datetime, inputs: list
) -> Answer:
    """Through the flow and the answer service, as the Telegram dialogue does."""
    draft = await answers.start_draft(session, head, survey.id, now)
    flow = AnswerFlow.resume(survey.extra_questions, draft.step, draft.data, survey=True)
    for given in inputs:
        assert isinstance(flow.apply(flow.step, given), Moved), given
    await answers.save_draft(session, draft, flow.step, flow.draft.to_json(), now)
    return await answers.submit(session, head, draft, now)


async def test_kenesh_survey_sent_in_one_step_answered_closed_and_tallied(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    now = clock_start()
    coordinator = await add_user(session, 8100, role=Role.COORDINATOR, language="ru")
    ky, ru = await heads(session, registry)
    survey, broadcast = await surveys.send_template(session, coordinator, now, surveys.KENESH, survey_content)
    assert survey.is_survey and survey.status is ConsultationStatus.OPEN and broadcast.total == 2
    assert survey.title_ky == tr("Annual survey: the work of the local kenesh", "ky")
    assert survey.title_ru == tr("Annual survey: the work of the local kenesh", "ru")
    targets = await session.scalar(
        select(func.count()).where(ConsultationTarget.consultation_id == survey.id)
    )
    assert targets == 15  # everyone
    first = await answer(session, ky, survey, now, [text(v) for v in ("6", "40", "2", "1", "3", "0")])
    assert first.stance is Stance.NO_OPINION and first.extra_answers["1"] == 6
    await answer(session, ru, survey, now, [text(v) for v in ("4", "20", "1", "1", "0", "2")])
    # Closed like a consultation: the drafted text says who answered.
    position = await positions.close(session, survey.id, now + timedelta(hours=1), 0.5, drafter=draft_text)
    assert tr("The association surveyed the municipalities: «{title}».", "ru", title=survey.title_ru) in (
        position.text_ru
    )
    numbers = await surveys.tallies(session, survey.id)
    assert (numbers.targeted, numbers.answered) == (15, 2)
    sessions = numbers.questions[0]
    assert (sessions.answered, sessions.total, sessions.mean, sessions.minimum, sessions.maximum) == (
        2,
        10,
        5,
        4,
        6,
    )
    # Its workbook opened back: the sum of sessions, and one row per answer.
    rows = await surveys.survey_answers(session, survey.id, "ru")
    workbook = load_workbook(io.BytesIO(survey_workbook(numbers, rows, "ru")))
    tallies = list(workbook["tallies"].iter_rows(min_row=3, values_only=True))
    assert tallies[0][0] == tr("How many sessions did the local kenesh hold this year?", "ru")
    assert tallies[0][2:4] == (2, 10)
    answers_sheet = list(workbook["answers"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[3] for r in answers_sheet) == [4, 6]


async def test_only_staff_send_a_survey(session: AsyncSession, registry: SmallRegistry) -> None:
    ky, _ru = await heads(session, registry)
    with pytest.raises(Exception) as refused:
        await surveys.send_template(session, ky, clock_start(), surveys.KENESH, survey_content)
    assert "coordinators" in refused.value.key  # type: ignore[attr-defined]
    assert await session.scalar(select(func.count()).select_from(Consultation)) == 0


async def act_with_outcome(session: AsyncSession, registry: SmallRegistry, published: datetime) -> int:
    return await insert_consultation(
        session,
        ConsultationSpec(
            published_at=published,
            title="Закон о пастбищах",
            targets=[registry.ysyk_ata_aimaks[0].id, registry.talas_aimaks[0].id, registry.tokmok.id],
            status=ConsultationStatus.OUTCOME_RECORDED,
        ),
    )


async def test_follow_up_goes_out_by_itself_on_its_day_once(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    coordinator = await add_user(session, 8100, role=Role.COORDINATOR, language="ru")
    await heads(session, registry)
    act_id = await act_with_outcome(session, registry, clock.now() - timedelta(days=60))
    with pytest.raises(InvalidInput):  # no date of entry into force yet
        await surveys.schedule_follow_up(session, coordinator, act_id, 6, clock.now())
    in_force = (clock.now() + timedelta(days=3)).astimezone(BISHKEK).date()
    await surveys.set_entry_into_force(session, coordinator, act_id, in_force, BISHKEK)
    follow_up = await surveys.schedule_follow_up(session, coordinator, act_id, 6, clock.now())
    expected_due = surveys.add_months(datetime.combine(in_force, datetime.min.time(), BISHKEK), 6)
    assert follow_up.due_at == expected_due
    with pytest.raises(AlreadyDone):
        await surveys.schedule_follow_up(session, coordinator, act_id, 6, clock.now())
    with pytest.raises(InvalidInput):
        await surveys.schedule_follow_up(session, coordinator, act_id, 18, clock.now())

    # Not before its day.
    assert await surveys.send_due(session_factory, clock.now(), survey_content) == []
    clock.set(expected_due + timedelta(minutes=5))
    # Two processes wake up at once: one survey, sent once.
    sent = await asyncio.gather(
        surveys.send_due(session_factory, clock.now(), survey_content),
        surveys.send_due(session_factory, clock.now(), survey_content),
    )
    (only,) = [s for batch in sent for s in batch]
    assert only.recipients == 2  # the heads of the act's three municipalities who are registered
    assert await surveys.send_due(session_factory, clock.now(), survey_content) == []
    async with session_factory() as fresh:
        survey = await fresh.get(Consultation, only.survey_id)
        act = await fresh.get(Consultation, act_id)
        assert survey is not None and act is not None
        assert survey.status is ConsultationStatus.OPEN and survey.follows_id == act_id
        assert survey.title_ru == tr(
            "What «{title}» changed: {months} months after it took effect",
            "ru",
            title="Закон о пастбищах",
            months=6,
        )
        targets = set(
            await fresh.scalars(
                select(ConsultationTarget.municipality_id).where(
                    ConsultationTarget.consultation_id == survey.id
                )
            )
        )
        assert targets == {registry.ysyk_ata_aimaks[0].id, registry.talas_aimaks[0].id, registry.tokmok.id}
        assert act.status is ConsultationStatus.FOLLOW_UP
        deliveries = await fresh.scalar(select(func.count()).select_from(Delivery))
        assert deliveries == 2


async def test_follow_up_needs_a_recorded_outcome(session: AsyncSession, registry: SmallRegistry) -> None:
    coordinator = await add_user(session, 8100, role=Role.COORDINATOR, language="ru")
    open_act = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=clock_start(), targets=[registry.tokmok.id], status=ConsultationStatus.CLOSED
        ),
    )
    with pytest.raises(StaleAction):
        await surveys.set_entry_into_force(session, coordinator, open_act, date(2026, 1, 1), BISHKEK)
    assert await session.scalar(select(Position.in_force_at)) is None


async def test_a_survey_described_in_a_file_has_only_questions(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    now = clock_start()
    survey = await consultations.create_from_description(
        session,
        {
            "kind": "survey",
            "title_ru": "Опрос о вывозе мусора",
            "deadline": (now + timedelta(days=20)).astimezone(BISHKEK).strftime("%Y-%m-%d 18:00"),
            "questions": [
                {"text": "Сколько стоит вывоз в год?", "type": "number", "unit": "som"},
                {"text": "Есть ли полигон?", "type": "yesno"},
                {"text": "Кто вывозит?", "type": "single", "options": ["МП", "Частник"]},
            ],
        },
        now,
        BISHKEK,
    )
    assert survey.is_survey
    assert [(q["type"], q.get("unit")) for q in survey.extra_questions] == [
        ("number", "som"),
        ("yesno", None),
        ("single", None),
    ]
    flow = AnswerFlow.resume(survey.extra_questions, "stance", {"history": []}, survey=True)
    assert flow.order == ("q1", "q2", "q3", "review")
    with pytest.raises(InvalidFields) as refused:
        await consultations.create_from_description(
            session,
            {"kind": "survey", "title_ru": "Опрос", "questions": [{"text": "?", "type": "date"}]},
            now,
            BISHKEK,
        )
    assert [p.field for p in refused.value.problems] == ["questions"]
    with pytest.raises(InvalidFields):
        await consultations.create_from_description(
            session, {"kind": "survey", "title_ru": "Опрос"}, now, BISHKEK
        )
