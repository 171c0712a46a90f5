"""What the year held: consultations by topic and initiator, stances, proposals and their fate, the
budget impact reported, and how long a position took; each counted in the database."""

from __future__ import annotations

import statistics
from typing import Any

from sqlalchemy import and_, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators.period import Period, published_in
from bot.services.indicators.results import Budget, Proposals, Tally
from models import Amendment, Answer, Position, ProposalDecision, ProposalGroup
from models.consultations import Consultation, ConsultationKind

BILL = Consultation.kind == ConsultationKind.BILL


async def consultation_counts(session: AsyncSession, period: Period) -> tuple[int, int]:
    """Consultations on bills and surveys published in the period."""
    rows = dict(
        (
            await session.execute(
                select(Consultation.kind, func.count())
                .where(published_in(period))
                .group_by(Consultation.kind)
            )
        ).all()
    )
    return rows.get(ConsultationKind.BILL, 0), rows.get(ConsultationKind.SURVEY, 0)


def _topic_elements(session: AsyncSession) -> Any:
    """The topics of a consultation as rows (its JSON list unnested the backend's way)."""
    if session.bind.dialect.name == "postgresql":
        return func.json_array_elements_text(Consultation.topics).table_valued("value")
    return func.json_each(Consultation.topics).table_valued("value")


async def by_topic(session: AsyncSession, period: Period) -> list[Tally]:
    topic = _topic_elements(session)
    rows = await session.execute(
        select(topic.c.value, func.count())
        .select_from(Consultation)
        .join(topic, true())
        .where(published_in(period), BILL)
        .group_by(topic.c.value)
        .order_by(func.count().desc(), topic.c.value)
    )
    return [Tally(str(key), count) for key, count in rows]


async def by_initiator(session: AsyncSession, period: Period) -> list[Tally]:
    initiator = func.coalesce(Consultation.initiator, "")
    rows = await session.execute(
        select(initiator, func.count())
        .where(published_in(period), BILL)
        .group_by(initiator)
        .order_by(func.count().desc(), initiator)
    )
    return [Tally(key, count) for key, count in rows]


def _current_on_bills(period: Period) -> tuple[Any, ...]:
    return (Answer.is_current.is_(True), published_in(period), BILL)


async def stances(session: AsyncSession, period: Period) -> list[Tally]:
    rows = await session.execute(
        select(Answer.stance, func.count())
        .join(Consultation, Consultation.id == Answer.consultation_id)
        .where(*_current_on_bills(period))
        .group_by(Answer.stance)
    )
    return [Tally(stance.value, count) for stance, count in rows]


async def proposals(session: AsyncSession, period: Period) -> Proposals:
    """Amendments in current answers; grouped by article per consultation; each group's decision."""
    amendments = await session.scalar(
        select(func.count(Amendment.id))
        .join(Answer, Answer.id == Amendment.answer_id)
        .join(Consultation, Consultation.id == Answer.consultation_id)
        .where(*_current_on_bills(period))
    )
    groups = (
        select(Answer.consultation_id.label("cid"), Amendment.article_key.label("key"))
        .join(Answer, Answer.id == Amendment.answer_id)
        .join(Consultation, Consultation.id == Answer.consultation_id)
        .where(*_current_on_bills(period))
        .group_by(Answer.consultation_id, Amendment.article_key)
        .subquery()
    )
    rows = dict(
        (
            await session.execute(
                select(ProposalGroup.decision, func.count())
                .select_from(groups)
                .outerjoin(
                    ProposalGroup,
                    and_(
                        ProposalGroup.consultation_id == groups.c.cid,
                        ProposalGroup.article_key == groups.c.key,
                    ),
                )
                .group_by(ProposalGroup.decision)
            )
        ).all()
    )
    return Proposals(
        amendments=amendments or 0,
        grouped=sum(rows.values()),
        accepted=rows.get(ProposalDecision.ACCEPTED, 0),
        partly=rows.get(ProposalDecision.PARTLY_ACCEPTED, 0),
        rejected=rows.get(ProposalDecision.REJECTED, 0),
    )


async def budget(session: AsyncSession, period: Period) -> Budget:
    answers, with_cost, total, unfunded = (
        await session.execute(
            select(
                func.count(Answer.id),
                func.count(Answer.annual_cost),
                func.coalesce(func.sum(Answer.annual_cost), 0),
                func.coalesce(func.sum(case((Answer.unfunded_mandate.is_(True), 1), else_=0)), 0),
            )
            .join(Consultation, Consultation.id == Answer.consultation_id)
            .where(*_current_on_bills(period))
        )
    ).one()
    return Budget(answers, with_cost, int(total), int(unfunded))


async def days_to_position(session: AsyncSession, period: Period) -> tuple[int, float | None]:
    """Positions adopted on the period's consultations, and the median days from publication."""
    rows = (
        await session.execute(
            select(Consultation.published_at, Position.adopted_at)
            .join(Position, Position.consultation_id == Consultation.id)
            .where(published_in(period), BILL, Position.adopted_at.is_not(None))
        )
    ).all()
    days = [(adopted - published).total_seconds() / 86_400 for published, adopted in rows]
    return len(days), (statistics.median(days) if days else None)
