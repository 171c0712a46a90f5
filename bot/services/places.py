"""Browsing the registry: the lists behind the oblast → district → municipality picker, and search."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.namesakes import labels_among
from models import District, Municipality, Oblast
from models.registry import search_key

PAGE_SIZE = 8
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    pages: int
    # How each item is shown: a name repeated anywhere in the list (on this page or another) carries
    # its district (bot.services.namesakes).
    labels: dict[int, str] = field(default_factory=dict)


async def oblasts(session: AsyncSession) -> list[Oblast]:
    return list(await session.scalars(select(Oblast).order_by(Oblast.soate)))


async def districts_of(session: AsyncSession, oblast_id: int) -> list[District]:
    return list(
        await session.scalars(
            select(District).where(District.oblast_id == oblast_id).order_by(District.name_ru)
        )
    )


async def _paged(
    session: AsyncSession, query: Select[tuple[Municipality]], page: int, locale: str
) -> Page[Municipality]:
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = list(
        await session.scalars(query.order_by(Municipality.name_ru).offset(page * PAGE_SIZE).limit(PAGE_SIZE))
    )
    ids = query.with_only_columns(Municipality.id)
    labels = await labels_among(session, ids, locale, [m.id for m in rows])
    return Page(rows, page, pages, labels)


async def municipalities_of_district(
    session: AsyncSession, district_id: int, page: int, locale: str = "ru"
) -> Page[Municipality]:
    query = select(Municipality).where(Municipality.district_id == district_id)
    return await _paged(session, query, page, locale)


async def municipalities_without_district(session: AsyncSession, oblast_id: int) -> list[Municipality]:
    """Cities of oblast or republican rank, which sit directly under the oblast."""
    rows = await session.scalars(
        select(Municipality)
        .where(Municipality.oblast_id == oblast_id, Municipality.district_id.is_(None))
        .order_by(Municipality.name_ru)
    )
    return list(rows)


async def search_municipalities(
    session: AsyncSession, text: str, page: int = 0, locale: str = "ru"
) -> Page[Municipality]:
    """Municipalities whose Russian or Kyrgyz name contains the typed text, whatever the case."""
    needle = search_key(text.strip())
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = select(Municipality).where(Municipality.search_name.like(f"%{escaped}%", escape="\\"))
    return await _paged(session, query, page, locale)
