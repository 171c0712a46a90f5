"""The outbox's statements: claim a batch of due deliveries, give claims back, take over dead claims.

On PostgreSQL the claim picks its rows in a ``MATERIALIZED`` common table expression with
``FOR UPDATE SKIP LOCKED``: the planner must run it once. Written as ``UPDATE ... WHERE id IN (SELECT
... LIMIT n FOR UPDATE SKIP LOCKED)`` it may plan a nested loop that runs the subquery again for every
row, and one statement then claimed far more than n rows (all 484 of a broadcast; 247 of 50 before
ANALYZE): the batch size and the lease no longer held, and one process took everything. SQLite has
one writer at a time, so the plain subquery is right there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.deliveries import Delivery, DeliveryStatus


async def claim(session: AsyncSession, worker_id: str, now: datetime, size: int) -> list[tuple[int, int]]:
    """Mark up to ``size`` due rows as ours and commit; (id, chat id) in id order."""
    due = (
        select(Delivery.id)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= now)
        .order_by(Delivery.id)
        .limit(size)
    )
    claiming = (
        update(Delivery)
        .values(status=DeliveryStatus.SENDING, claimed_by=worker_id, claimed_at=now)
        .returning(Delivery.id, Delivery.chat_id)
        .execution_options(synchronize_session=False)
    )
    if session.bind.dialect.name == "postgresql":
        picked = due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        claiming = claiming.where(Delivery.id == picked.c.id)
    else:
        claiming = claiming.where(
            Delivery.id.in_(due.scalar_subquery()), Delivery.status == DeliveryStatus.PENDING
        )
    rows = sorted((row.id, row.chat_id) for row in await session.execute(claiming))
    await session.commit()
    return rows


async def release(session: AsyncSession, worker_id: str, delivery_ids: list[int] | None) -> None:
    """Give our claims back to the queue (``None``: every row we still hold)."""
    giving_back = update(Delivery).where(
        Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_by == worker_id
    )
    if delivery_ids is not None:
        giving_back = giving_back.where(Delivery.id.in_(delivery_ids))
    await session.execute(giving_back.values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_at=None))
    await session.commit()


async def requeue_expired(session: AsyncSession, worker_id: str, now: datetime, lease: timedelta) -> int:
    """Rows claimed by a sender that died: back to the queue once their lease is over.

    Our own claims are alive as long as we are, however long a 429 pause keeps them waiting.
    """
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.status == DeliveryStatus.SENDING,
            Delivery.claimed_at < now - lease,
            Delivery.claimed_by != worker_id,
        )
        .values(status=DeliveryStatus.PENDING, claimed_by=None, claimed_at=None)
    )
    await session.commit()
    return result.rowcount or 0  # type: ignore[attr-defined]


async def pending_due(session: AsyncSession, now: datetime) -> bool:
    """Whether any row is waiting to be sent now."""
    rows = await session.scalars(
        select(Delivery.id)
        .where(Delivery.status == DeliveryStatus.PENDING, Delivery.not_before <= now)
        .limit(1)
    )
    return rows.first() is not None
