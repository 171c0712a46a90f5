"""Telling namesakes apart: three «Ак-Дебенский айылный аймак» in three districts must not look alike.

Wherever municipalities are listed together, a name that is unique in the list stays bare; a name that
repeats carries its district, and its oblast too where two districts share a name as well (the СОАТЕ
code is the last resort, for a registry that repeats even that).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from models import District, Municipality, Oblast


@dataclass(frozen=True)
class PlaceNames:
    """A municipality's names in one language, as a list shows them."""

    id: int
    name: str
    district: str | None  # None for a city directly under its oblast
    oblast: str | None  # None for Bishkek and Osh, which are oblast-level units of their own
    soate: str

    def qualifiers(self, level: int) -> tuple[str, ...]:
        """What follows the name at each level: the district (or the oblast for a city without one),
        then the district and the oblast, then the СОАТЕ code as well."""
        places = tuple(p for p in (self.district, self.oblast) if p)
        if level == 0:
            return ()
        if level == 1:
            return places[:1]
        if level == 2:
            return places
        return (*places, self.soate)


def label(place: PlaceNames, level: int) -> str:
    qualifiers = place.qualifiers(level)
    return f"{place.name} ({', '.join(qualifiers)})" if qualifiers else place.name


def distinct_names(places: Iterable[PlaceNames]) -> dict[int, str]:
    """Each municipality's label by id: the bare name when no other in ``places`` shares it, else the
    shortest qualified name that no other place in the list has."""
    items = list({p.id: p for p in places}.values())
    counts = [Counter((p.name, p.qualifiers(level)) for p in items) for level in range(4)]
    labels = {}
    for place in items:
        level = next((n for n in range(4) if counts[n][(place.name, place.qualifiers(n))] == 1), 3)
        labels[place.id] = label(place, level)
    return labels


def of(municipality: Municipality, locale: str) -> PlaceNames:
    """The names of a loaded municipality (its district and oblast are loaded with it)."""
    district = municipality.district.name(locale) if municipality.district is not None else None
    own_oblast = municipality.oblast.soate == municipality.soate
    oblast = None if own_oblast else municipality.oblast.name(locale)
    return PlaceNames(municipality.id, municipality.name(locale), district, oblast, municipality.soate)


def labels_of(municipalities: Iterable[Municipality], locale: str) -> dict[int, str]:
    """Labels for municipalities already loaded, told apart among themselves only."""
    return distinct_names(of(m, locale) for m in municipalities)


def _name_in(model: Any, locale: str):  # type: ignore[no-untyped-def]
    return func.coalesce(model.name_ky, model.name_ru) if locale == "ky" else model.name_ru


async def labels_among(
    session: AsyncSession,
    among: Select[tuple[int]],
    locale: str,
    shown: Collection[int] | None = None,
) -> dict[int, str]:
    """Labels of the municipalities ``shown`` (all of ``among`` when None), told apart from every
    municipality of ``among``: a page of a list shows the district of a namesake on another page too.

    One query: only the shown municipalities and those of ``among`` that share a name with them."""
    name = _name_in(Municipality, locale)
    # correlate(None): the lists are queries of the municipality table too, never of the outer row.
    in_list = Municipality.id.in_(among.correlate(None).scalar_subquery())
    query = (
        select(
            Municipality.id,
            name,
            _name_in(District, locale),
            _name_in(Oblast, locale),
            Municipality.soate,
            Oblast.soate,
        )
        .join(Oblast, Oblast.id == Municipality.oblast_id)
        .outerjoin(District, District.id == Municipality.district_id)
        .where(in_list)
    )
    if shown is not None:
        if not shown:
            return {}
        other = aliased(Municipality)
        shown_names = select(_name_in(other, locale)).where(other.id.in_(list(shown)))
        query = query.where(or_(Municipality.id.in_(list(shown)), name.in_(shown_names.scalar_subquery())))
    rows = (await session.execute(query)).all()
    places = [
        PlaceNames(mid, own, district, None if oblast_soate == soate else oblast, soate)
        for mid, own, district, oblast, soate, oblast_soate in rows
    ]
    labels = distinct_names(places)
    return labels if shown is None else {mid: labels[mid] for mid in shown if mid in labels}
