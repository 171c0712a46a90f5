"""A survey's tallies, question by question, counted in the database from the current answers.

(The extra-question tallies of a consultation on a bill are ``bot.services.export_data``'s; these
cover the survey kinds too: numbers with their sums, yes/no.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.answer_draft import Question
from models import Answer, Municipality, Oblast
from models.consultations import Consultation, ConsultationTarget


@dataclass(frozen=True)
class QuestionTally:
    question: Question
    answered: int  # municipalities that answered this question
    total: float | None = None  # number: the sum
    mean: float | None = None  # number, scale: the average
    minimum: float | None = None
    maximum: float | None = None
    counts: dict[str, int] = field(default_factory=dict)  # option, scale value, "yes"/"no" → answers
    texts: list[str] = field(default_factory=list)  # text: what was written


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


async def question_tally(
    session: AsyncSession, consultation_ids: list[int], question: Question
) -> QuestionTally:
    """One question over the current answers of one survey or several (e.g. the year's kenesh surveys)."""
    value = Answer.extra_answers[str(question.id)]
    where = (*_current(consultation_ids), value.isnot(None))
    if question.kind == "number":
        number = value.as_float()
        answered, total, mean, low, high = (
            await session.execute(
                select(
                    func.count(number), func.sum(number), func.avg(number), func.min(number), func.max(number)
                ).where(*where)
            )
        ).one()
        return QuestionTally(question, answered, total, mean, low, high)
    if question.kind in ("scale", "yesno", "single"):
        cast = {"scale": value.as_integer(), "yesno": value.as_boolean(), "single": value.as_string()}
        item = cast[question.kind]
        rows = (await session.execute(select(item, func.count()).where(*where).group_by(item))).all()
        counts = {_key(question, v): n for v, n in rows if v is not None}
        answered = sum(counts.values())
        mean = None
        if question.kind == "scale" and answered:
            mean = sum(int(k) * n for k, n in counts.items()) / answered
        return QuestionTally(question, answered, mean=mean, counts=_ordered(question, counts))
    # multi and text: a list or free text per answer, read and counted here (a few hundred rows).
    values = list(await session.scalars(select(Answer.extra_answers).where(*where)))
    picked = [v.get(str(question.id)) for v in values]
    if question.kind == "multi":
        counts: dict[str, int] = {}
        for chosen in picked:
            for option in chosen if isinstance(chosen, list) else []:
                counts[option] = counts.get(option, 0) + 1
        answered = sum(1 for chosen in picked if chosen)
        return QuestionTally(question, answered, counts=_ordered(question, counts))
    texts = [str(t) for t in picked if t]
    return QuestionTally(question, len(texts), texts=texts)


def _key(question: Question, value: Any) -> str:
    if question.kind == "yesno":
        return "yes" if value else "no"
    return str(value)


def _ordered(question: Question, counts: dict[str, int]) -> dict[str, int]:
    """Every possible answer in its order, with zero where nobody chose it."""
    if question.kind == "scale":
        keys = [str(v) for v in range(1, 6)]
    elif question.kind == "yesno":
        keys = ["yes", "no"]
    else:
        keys = list(question.options)
    ordered = {k: counts.get(k, 0) for k in keys}
    ordered.update({k: n for k, n in counts.items() if k not in ordered})
    return ordered


async def tallies(session: AsyncSession, consultation_id: int) -> SurveyTallies:
    consultation = await session.get(Consultation, consultation_id)
    assert consultation is not None
    targeted = await session.scalar(
        select(func.count()).where(ConsultationTarget.consultation_id == consultation_id)
    )
    answered = await session.scalar(select(func.count()).where(*_current([consultation_id])))
    questions = [Question.from_json(q) for q in consultation.extra_questions]
    return SurveyTallies(
        consultation_id,
        targeted or 0,
        answered or 0,
        [await question_tally(session, [consultation_id], q) for q in questions],
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
