"""A survey's tallies, question by question, over the current answers; the counting itself is
``bot.services.question_tallies.tally``, the same as a bill's extra questions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.answer_draft import Question
from bot.services.question_tallies import QuestionTally, tally
from models import Answer, Municipality, Oblast
from models.consultations import Consultation, ConsultationTarget


@dataclass(frozen=True)
class SurveyTallies:
    consultation_id: int
    targeted: int
    answered: int
    questions: list[QuestionTally]

    @property
    def rate(self) -> float:
        return self.answered / self.targeted if self.targeted else 0.0


def _current(consultation_ids: list[int]) -> Any:
    return Answer.consultation_id.in_(consultation_ids), Answer.is_current.is_(True)


async def _extra_answers(session: AsyncSession, consultation_ids: list[int]) -> list[dict[str, Any]]:
    """The current answers' values (a survey has a few hundred at most: counted in Python)."""
    rows = await session.scalars(select(Answer.extra_answers).where(*_current(consultation_ids)))
    return [dict(v or {}) for v in rows]


async def question_tally(
    session: AsyncSession, consultation_ids: list[int], question: Question
) -> QuestionTally:
    """One question over the current answers of one survey or several (e.g. the year's kenesh surveys)."""
    extras = await _extra_answers(session, consultation_ids)
    return tally(question, (extra.get(str(question.id)) for extra in extras))


async def tallies(session: AsyncSession, consultation_id: int) -> SurveyTallies:
    consultation = await session.get(Consultation, consultation_id)
    assert consultation is not None
    targeted = await session.scalar(
        select(func.count()).where(ConsultationTarget.consultation_id == consultation_id)
    )
    extras = await _extra_answers(session, [consultation_id])
    questions = [Question.from_json(q) for q in consultation.extra_questions]
    return SurveyTallies(
        consultation_id,
        targeted or 0,
        len(extras),
        [tally(q, (extra.get(str(q.id)) for extra in extras)) for q in questions],
    )


@dataclass(frozen=True)
class SurveyAnswer:
    oblast: str
    municipality: str
    soate: str
    values: dict[str, Any]  # by question id, as stored


async def survey_answers(session: AsyncSession, consultation_id: int, locale: str) -> list[SurveyAnswer]:
    """Each municipality's current answer with its place, ordered by oblast and name."""
    name = (
        func.coalesce(Municipality.name_ky, Municipality.name_ru) if locale == "ky" else Municipality.name_ru
    )
    oblast = func.coalesce(Oblast.name_ky, Oblast.name_ru) if locale == "ky" else Oblast.name_ru
    rows = await session.execute(
        select(oblast, name, Municipality.soate, Answer.extra_answers)
        .join(Municipality, Municipality.id == Answer.municipality_id)
        .join(Oblast, Oblast.id == Municipality.oblast_id)
        .where(*_current([consultation_id]))
        .order_by(Oblast.soate, Municipality.name_ru)
    )
    return [SurveyAnswer(o, n, s, dict(v or {})) for o, n, s, v in rows]
