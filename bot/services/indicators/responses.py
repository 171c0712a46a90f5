"""Response rates: overall, by oblast, district and kind of municipality, month by month, and per
municipality (who engaged most and least); each targeted municipality of each consultation on a bill
is one place to answer, and its current answer (if any) fills it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators.period import Period, published_in
from bot.services.indicators.results import Response
from models import Answer, District, Municipality, Oblast
from models.consultations import Consultation, ConsultationKind, ConsultationTarget


def places(period: Period, kind: ConsultationKind = ConsultationKind.BILL) -> Any:
    """One row per (consultation, targeted municipality) of the period, with its current answer's id."""
    return (
        select(
            ConsultationTarget.consultation_id.label("cid"),
            ConsultationTarget.municipality_id.label("mid"),
            Answer.id.label("answer_id"),
        )
        .join(Consultation, Consultation.id == ConsultationTarget.consultation_id)
        .outerjoin(
            Answer,
            and_(
                Answer.consultation_id == ConsultationTarget.consultation_id,
                Answer.municipality_id == ConsultationTarget.municipality_id,
                Answer.is_current.is_(True),
            ),
        )
        .where(published_in(period), Consultation.kind == kind)
        .subquery()
    )


def _name(model: Any, locale: str) -> Any:
    return func.coalesce(model.name_ky, model.name_ru) if locale == "ky" else model.name_ru


async def overall(session: AsyncSession, period: Period) -> Response:
    rows = places(period)
    targeted, answered = (
        await session.execute(select(func.count(), func.count(rows.c.answer_id)).select_from(rows))
    ).one()
    return Response("all", "", targeted, answered)


async def by_place(session: AsyncSession, period: Period, level: str, locale: str) -> list[Response]:
    """``level``: oblast, district (municipalities without one are left out) or kind."""
    rows = places(period)
    query = (
        select(func.count(), func.count(rows.c.answer_id))
        .select_from(rows)
        .join(Municipality, Municipality.id == rows.c.mid)
    )
    if level == "oblast":
        query = (
            query.join(Oblast, Oblast.id == Municipality.oblast_id)
            .add_columns(Oblast.soate, _name(Oblast, locale))
            .group_by(Oblast.soate, Oblast.name_ru, Oblast.name_ky)
            .order_by(Oblast.soate)
        )
    elif level == "district":
        query = (
            query.join(District, District.id == Municipality.district_id)
            .add_columns(District.soate, _name(District, locale))
            .group_by(District.soate, District.name_ru, District.name_ky)
            .order_by(District.soate)
        )
    else:
        query = (
            query.add_columns(Municipality.kind, Municipality.kind)
            .group_by(Municipality.kind)
            .order_by(Municipality.kind)
        )
    return [
        Response(str(getattr(key, "value", key)), str(getattr(name, "value", name)), targeted, answered)
        for targeted, answered, key, name in await session.execute(query)
    ]


async def by_month(session: AsyncSession, period: Period) -> list[Response]:
    """Consultations grouped by the month (in Bishkek) they were published: targeted and answered.

    The counting is per consultation in the database; the few dozen rows are put into months here,
    the same way on SQLite and PostgreSQL."""
    rows = places(period)
    per_consultation = await session.execute(
        select(Consultation.published_at, func.count(), func.count(rows.c.answer_id))
        .select_from(rows)
        .join(Consultation, Consultation.id == rows.c.cid)
        .group_by(Consultation.id, Consultation.published_at)
    )
    months: dict[str, list[int]] = {}
    for published, targeted, answered in per_consultation:
        month = published.astimezone(period.zone).strftime("%Y-%m")
        totals = months.setdefault(month, [0, 0])
        totals[0] += targeted
        totals[1] += answered
    return [Response(month, month, t, a) for month, (t, a) in sorted(months.items())]


async def participation(session: AsyncSession, period: Period, locale: str) -> list[Response]:
    """Every municipality targeted in the period: most engaged first (rate, then answers, then name)."""
    rows = places(period)
    name = _name(Municipality, locale)
    result = await session.execute(
        select(Municipality.soate, name, func.count(), func.count(rows.c.answer_id))
        .select_from(rows)
        .join(Municipality, Municipality.id == rows.c.mid)
        .group_by(Municipality.id, Municipality.soate, Municipality.name_ru, Municipality.name_ky)
    )
    responses = [Response(soate, label, targeted, answered) for soate, label, targeted, answered in result]
    responses.sort(key=lambda r: (-r.rate, -r.answered, r.name, r.key))
    return responses
