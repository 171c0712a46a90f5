"""The coordinator's live view of a consultation: response rates and who has (not) answered, counted in
the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.namesakes import labels_among
from models import Municipality, Oblast
from models.answers import Answer
from models.consultations import ConsultationTarget


@dataclass(frozen=True)
class OblastResponses:
    name: str
    targeted: int
    answered: int


@dataclass(frozen=True)
class Responses:
    targeted: int
    answered: int
    by_oblast: list[OblastResponses]

    @property
    def rate(self) -> float:
        return self.answered / self.targeted if self.targeted else 0.0


def _answered_flag():  # type: ignore[no-untyped-def]
    return case((Answer.id.is_not(None), 1), else_=0)


async def responses(session: AsyncSession, consultation_id: int, locale: str) -> Responses:
    """Response rate overall and by oblast, counted in the database."""
    oblast_name = func.coalesce(Oblast.name_ky, Oblast.name_ru) if locale == "ky" else Oblast.name_ru
    rows = (
        await session.execute(
            select(oblast_name, func.count(ConsultationTarget.id), func.sum(_answered_flag()))
            .select_from(ConsultationTarget)
            .join(Municipality, Municipality.id == ConsultationTarget.municipality_id)
            .join(Oblast, Oblast.id == Municipality.oblast_id)
            .outerjoin(
                Answer,
                and_(
                    Answer.consultation_id == ConsultationTarget.consultation_id,
                    Answer.municipality_id == ConsultationTarget.municipality_id,
                    Answer.is_current.is_(True),
                ),
            )
            .where(ConsultationTarget.consultation_id == consultation_id)
            .group_by(Oblast.id, oblast_name)
            .order_by(Oblast.soate)
        )
    ).all()
    by_oblast = [
        OblastResponses(name, int(targeted), int(answered or 0)) for name, targeted, answered in rows
    ]
    return Responses(sum(o.targeted for o in by_oblast), sum(o.answered for o in by_oblast), by_oblast)


def _by_answer(consultation_id: int, answered: bool) -> Select[tuple[Municipality]]:
    has_answer = (
        select(Answer.municipality_id)
        .where(Answer.consultation_id == consultation_id, Answer.is_current.is_(True))
        .scalar_subquery()
    )
    condition = Municipality.id.in_(has_answer) if answered else Municipality.id.not_in(has_answer)
    return (
        select(Municipality)
        .join(ConsultationTarget, ConsultationTarget.municipality_id == Municipality.id)
        .where(ConsultationTarget.consultation_id == consultation_id, condition)
    )


async def municipalities_by_answer(
    session: AsyncSession, consultation_id: int, *, answered: bool, offset: int = 0, limit: int = 50
) -> list[Municipality]:
    """Targeted municipalities that have (or have not) answered, by name."""
    query = _by_answer(consultation_id, answered)
    rows = await session.scalars(query.order_by(Municipality.name_ru).offset(offset).limit(limit))
    return list(rows)


async def labels_by_answer(
    session: AsyncSession, consultation_id: int, *, answered: bool, locale: str, shown: list[int]
) -> dict[int, str]:
    """How the ``shown`` ones are named in that list: namesakes anywhere in it carry their district."""
    query = _by_answer(consultation_id, answered).with_only_columns(Municipality.id)
    return await labels_among(session, query, locale, shown)
