"""The audience of a consultation: which municipalities it describes, and whom it reaches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput
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


async def municipalities_named(session: AsyncSession, items: list[str]) -> tuple[list[int], list[str]]:
    """Municipalities given by СОАТЕ code or exact name: the ids found, and the items not found."""
    if not items:
        return [], []
    found: dict[str, int] = {}
    for municipality in await session.scalars(
        select(Municipality).where(
            Municipality.soate.in_(items) | Municipality.name_ru.in_(items) | Municipality.name_ky.in_(items)
        )
    ):
        for key in (municipality.soate, municipality.name_ru, municipality.name_ky):
            if key:
                found[key] = municipality.id
    return sorted({found[i] for i in items if i in found}), [i for i in items if i not in found]

