"""What the surveys of the period found: each act's impact follow-up, and the local keneshes' year."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows.answer_draft import Question
from bot.services.indicators.period import Period, published_in
from bot.services.indicators.responses import places
from bot.services.indicators.results import ActImpact, Figure, Kenesh
from bot.services.surveys import IMPACT, KENESH, TEMPLATES, QuestionTally, question_tally
from models import Answer
from models.consultations import Consultation, ConsultationKind
from models.surveys import FollowUp


def _template_question(survey: Consultation, key: str) -> Question | None:
    for item in survey.extra_questions:
        if item.get("key") == key:
            return Question.from_json(item)
    return None


async def _tally(
    session: AsyncSession, surveys: list[int], question: Question | None
) -> QuestionTally | None:
    return None if question is None else await question_tally(session, surveys, question)


def _figure(key: str, tally: QuestionTally | None) -> Figure:
    if tally is None:
        return Figure(key, 0, 0.0, None)
    return Figure(key, tally.answered, float(tally.total or 0), tally.mean)


async def _reach(session: AsyncSession, period: Period, survey_ids: list[int]) -> tuple[int, int]:
    rows = places(period, ConsultationKind.SURVEY)
    targeted, answered = (
        await session.execute(
            select(func.count(), func.count(rows.c.answer_id))
            .select_from(rows)
            .where(rows.c.cid.in_(survey_ids))
        )
    ).one()
    return targeted, answered


async def impacts(session: AsyncSession, period: Period, locale: str) -> list[ActImpact]:
    """One entry per impact follow-up published in the period, in the order they went out."""
    surveys = list(
        await session.scalars(
            select(Consultation)
            .where(
                published_in(period), Consultation.template == IMPACT, Consultation.follows_id.is_not(None)
            )
            .order_by(Consultation.published_at, Consultation.id)
        )
    )
    result = []
    for survey in surveys:
        act = await session.get(Consultation, survey.follows_id)
        months = await session.scalar(select(FollowUp.months).where(FollowUp.survey_id == survey.id))
        targeted, answered = await _reach(session, period, [survey.id])
        budget = await _tally(session, [survey.id], _template_question(survey, "budget_change"))
        services = await _tally(session, [survey.id], _template_question(survey, "services_change"))
        unfunded = await _tally(session, [survey.id], _template_question(survey, "unfunded_duties"))
        groups = await _tally(session, [survey.id], _template_question(survey, "affected_groups"))
        comments = await _tally(session, [survey.id], _template_question(survey, "comment"))
        result.append(
            ActImpact(
                act_id=survey.follows_id or 0,
                act_title=act.title(locale)[0] if act is not None else "",
                survey_id=survey.id,
                months=months,
                targeted=targeted,
                answered=answered,
                budget_change=_figure("budget_change", budget),
                services_mean=services.mean if services else None,
                services=dict(services.counts) if services else {},
                unfunded_yes=unfunded.counts.get("yes", 0) if unfunded else 0,
                unfunded_answered=unfunded.answered if unfunded else 0,
                groups=dict(groups.counts) if groups else {},
                comments=list(comments.texts) if comments else [],
            )
        )
    return result


async def kenesh(session: AsyncSession, period: Period) -> Kenesh:
    """The local kenesh surveys of the period summed: each figure over the municipalities that gave it
    (a municipality answering two surveys of the period counts twice: send one a year)."""
    surveys = list(
        await session.scalars(
            select(Consultation)
            .where(published_in(period), Consultation.template == KENESH)
            .order_by(Consultation.id)
        )
    )
    ids = [s.id for s in surveys]
    if not ids:
        return Kenesh(0, 0, 0, [Figure(q.key, 0, 0.0, None) for q in TEMPLATES[KENESH]])
    targeted, answered = await _reach(session, period, ids)
    figures = []
    for template_question in TEMPLATES[KENESH]:
        question = _template_question(surveys[0], template_question.key)
        figures.append(_figure(template_question.key, await _tally(session, ids, question)))
    return Kenesh(len(ids), targeted, answered, figures)


async def current_answers(session: AsyncSession, survey_ids: list[int]) -> int:
    return (
        await session.scalar(
            select(func.count()).where(Answer.consultation_id.in_(survey_ids), Answer.is_current.is_(True))
        )
        or 0
    )
