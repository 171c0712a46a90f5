"""Response rates: overall, by oblast, district and kind of municipality, month by month, and per
municipality (who engaged most and least); each targeted municipality of each consultation on a bill
is one place to answer, and its current answer (if any) fills it."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class MunicipalityCount:
    """One municipality's places and answers in the period, with where it sits in the registry."""

    soate: str
    name: str
    oblast: tuple[str, str]  # soate, name
    district: tuple[str, str] | None
    kind: str
    targeted: int
    answered: int


async def municipality_counts(session: AsyncSession, period: Period, locale: str) -> list[MunicipalityCount]:
    """The counting, done once in the database (tens of thousands of places to a row per municipality);
    the roll-ups by oblast, district and kind then add up these few hundred rows."""
    rows = places(period)
    per = (
        select(rows.c.mid, func.count().label("targeted"), func.count(rows.c.answer_id).label("answered"))
        .group_by(rows.c.mid)
        .subquery()
    )
    result = await session.execute(
        select(
            Municipality.soate,
            _name(Municipality, locale),
            Oblast.soate,
            _name(Oblast, locale),
            District.soate,
            _name(District, locale),
            Municipality.kind,
            per.c.targeted,
            per.c.answered,
        )
        .select_from(per)
        .join(Municipality, Municipality.id == per.c.mid)
        .join(Oblast, Oblast.id == Municipality.oblast_id)
        .outerjoin(District, District.id == Municipality.district_id)
    )
    return [
        MunicipalityCount(
            soate,
            name,
            (oblast, oblast_name),
            (district, district_name) if district else None,
            kind.value,
            t,
            a,
        )
        for soate, name, oblast, oblast_name, district, district_name, kind, t, a in result
    ]


def overall(counts: list[MunicipalityCount]) -> Response:
    return Response("all", "", sum(c.targeted for c in counts), sum(c.answered for c in counts))


def by_place(counts: list[MunicipalityCount], level: str) -> list[Response]:
    """``level``: oblast, district (municipalities without one are left out) or kind; by code."""
    totals: dict[str, list[Any]] = {}
    for count in counts:
        if level == "oblast":
            key, name = count.oblast
        elif level == "district":
            if count.district is None:
                continue
            key, name = count.district
        else:
            key = name = count.kind
        entry = totals.setdefault(key, [name, 0, 0])
        entry[1] += count.targeted
        entry[2] += count.answered
    return [Response(key, name, t, a) for key, (name, t, a) in sorted(totals.items())]


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


def participation(counts: list[MunicipalityCount]) -> list[Response]:
    """Every municipality targeted in the period: most engaged first (rate, then answers, then name)."""
    responses = [Response(c.soate, c.name, c.targeted, c.answered) for c in counts]
    responses.sort(key=lambda r: (-r.rate, -r.answered, r.name, r.key))
    return responses
