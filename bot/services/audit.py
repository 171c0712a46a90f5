"""The audit log: one row for every decision that changes who may do what."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models import AuditEntry


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: int | None,
    now: datetime,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the session; it is saved with the caller's transaction."""
    entry = AuditEntry(
        at=now,
        action=action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
    session.add(entry)
    return entry
