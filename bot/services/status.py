"""Compare-and-set status changes: of several callers racing to move a row, exactly one wins.

The row moves only if it still has the status the caller saw (``UPDATE ... WHERE id = :id AND
status = :expected``), so the database decides, across sessions and processes; the caller that finds
no row to update lost the race and must not go on. Run it as the first write of the transaction, so
that the loser waits for the winner's commit (a row lock in PostgreSQL, the write lock in SQLite) and
then sees the new status, rather than colliding on what the winner writes next.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.ext.asyncio import AsyncSession


async def compare_and_set(
    session: AsyncSession,
    model: Any,
    row_id: int,
    expected: enum.Enum,
    new: enum.Enum,
    *conditions: ColumnElement[bool],
    **values: Any,
) -> bool:
    """Move the row from ``expected`` to ``new`` (and set ``values``); True only for the caller that did."""
    result = await session.execute(
        update(model)
        .where(model.id == row_id, model.status == expected, *conditions)
        .values(status=new, **values)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
