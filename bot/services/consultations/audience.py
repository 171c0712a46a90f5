"""The audience of a consultation: which municipalities it describes, and whom it reaches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput
from bot.services import namesakes
from models import AssociationMembership, District, Municipality, MunicipalityKind, Role, User, UserStatus
from models.users import MUNICIPAL_ROLES


def audience_query(audience: dict[str, Any]) -> Select[tuple[int]]:
    """The ids of the municipalities an audience describes."""
    kind = audience.get("kind", "all")
    ids = [int(i) for i in audience.get("ids", [])]
    query = select(Municipality.id)
    if kind == "oblasts":
        query = query.where(Municipality.oblast_id.in_(ids))
    elif kind == "districts":
        query = query.where(Municipality.district_id.in_(ids))
    elif kind == "kinds":
        kinds = [MunicipalityKind(k) for k in audience.get("kinds", [])]
        query = query.where(Municipality.kind.in_(kinds))
    elif kind == "association":
        query = query.join(
            AssociationMembership, AssociationMembership.municipality_id == Municipality.id
        ).where(AssociationMembership.association_id.in_(ids))
    elif kind == "list":
        query = query.where(Municipality.id.in_(ids))
    elif kind != "all":
        raise InvalidInput(N_("Please choose the audience with the buttons."))
    return query


def recipients_of(municipality_ids: Select[tuple[int]]) -> Select[tuple[int, int]]:
    return select(User.id, User.telegram_id).where(
        User.status == UserStatus.ACTIVE,
        User.role.in_(MUNICIPAL_ROLES),
        User.municipality_id.in_(municipality_ids.scalar_subquery()),
    )


@dataclass(frozen=True)
class Reach:
    municipalities: int
    people: int
    without_head: list[Municipality]  # the first few, to name them
    without_head_count: int


async def reach(session: AsyncSession, audience: dict[str, Any], sample: int = 15) -> Reach:
    """How many municipalities and registered people an audience reaches, and who has no head."""
    ids = audience_query(audience)
    municipalities = await session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    people = await session.scalar(select(func.count()).select_from(recipients_of(ids).subquery())) or 0
    has_head = select(User.municipality_id).where(
        User.status == UserStatus.ACTIVE, User.role == Role.HEAD, User.municipality_id.is_not(None)
    )
    headless = select(Municipality).where(
        Municipality.id.in_(ids.scalar_subquery()), Municipality.id.not_in(has_head.scalar_subquery())
    )
    count = await session.scalar(select(func.count()).select_from(headless.subquery())) or 0
    first = list(await session.scalars(headless.order_by(Municipality.name_ru).limit(sample)))
    return Reach(municipalities, people, first, count)


async def districts_named(session: AsyncSession, ids: list[int]) -> list[District]:
    return list(await session.scalars(select(District).where(District.id.in_(ids))))


@dataclass(frozen=True)
class Ambiguous:
    """A typed name that several municipalities bear: each told apart, with its СОАТЕ code."""

    item: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Named:
    ids: list[int]
    unknown: list[str]
    ambiguous: list[Ambiguous]


_QUALIFIED = re.compile(r"^(?P<name>[^()]*?)\s*\((?P<places>[^()]*)\)(?:\s*[—–-]\s*\d{14})?\s*$")
_SOATE = re.compile(r"(?<!\d)\d{14}(?!\d)")


def _fold(text: str | None) -> str:
    return (text or "").strip().casefold().replace("ё", "е")


def _parts(item: str) -> tuple[str, list[str]]:
    """«Ак-Дебен (Жети-Огузский район, Иссык-Кульская область)» → the name and the places after it."""
    match = _QUALIFIED.match(item)
    if match is None:
        return item.strip(), []
    return match["name"].strip(), [p for p in (_fold(x) for x in match["places"].split(",")) if p]


def _fits(municipality: Municipality, places: list[str]) -> bool:
    known = {_fold(municipality.oblast.name_ru), _fold(municipality.oblast.name_ky)}
    if municipality.district is not None:
        known |= {_fold(municipality.district.name_ru), _fold(municipality.district.name_ky)}
    return all(place in known for place in places)


async def municipalities_named(session: AsyncSession, items: list[str], locale: str = "ru") -> Named:
    """Municipalities given by СОАТЕ code, by exact name, or by name with its district (and oblast) in
    brackets as the bot shows namesakes: the ids found, the items not found, and the names that several
    municipalities bear (those are asked about rather than all taken)."""
    if not items:
        return Named([], [], [])
    codes = {item: found[0] for item in items if (found := _SOATE.findall(item))}
    names = {_parts(item)[0] for item in items if item not in codes}
    folded = {_fold(name) for name in names}
    candidates = list(
        await session.scalars(
            select(Municipality).where(
                Municipality.soate.in_(list(codes.values()))
                | Municipality.name_ru.in_(names)
                | Municipality.name_ky.in_(names)
            )
        )
    )
    by_code = {m.soate: m.id for m in candidates}
    by_name: dict[str, list[Municipality]] = {}
    for municipality in candidates:
        for name in {_fold(municipality.name_ru), _fold(municipality.name_ky)} & folded:
            by_name.setdefault(name, []).append(municipality)
    result = Named([], [], [])
    for item in items:
        if item in codes:
            if codes[item] in by_code:
                result.ids.append(by_code[codes[item]])
            else:
                result.unknown.append(item)
            continue
        name, places = _parts(item)
        bearers = by_name.get(_fold(name), [])
        fitting = [m for m in bearers if _fits(m, places)]
        if len(fitting) == 1:
            result.ids.append(fitting[0].id)
        elif not fitting:
            result.unknown.append(item)
        else:
            labels = namesakes.labels_of(bearers, locale)
            choices = tuple(f"{labels[m.id]} — {m.soate}" for m in fitting)
            result.ambiguous.append(Ambiguous(item, choices))
    result.ids[:] = sorted(set(result.ids))
    return result


async def audience_labels(session: AsyncSession, locale: str, shown: list[int]) -> dict[int, str]:
    """How municipalities of an audience are named in the wizard: a name borne by any other municipality
    of the registry carries its district, since the coordinator must see which namesake was taken."""
    return await namesakes.labels_among(session, select(Municipality.id), locale, shown)
