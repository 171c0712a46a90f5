"""The procedure's log: each step is a ``ProcedureEvent`` of the consultation (what, who, when) and an
audit entry; the screens and documents read it back as the consultation's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from models import ProcedureEvent, User


class EventKind:
    """The kinds of steps logged (plain strings in the database, so a new kind needs no migration)."""

    REGISTERED = "approval.registered"
    LETTER = "approval.letter"
    ANSWERED = "approval.answered"
    REMARKS = "approval.remarks"
    CONCILIATION = "approval.conciliation"
    APPEAL = "approval.appeal"
    APPEAL_RESULT = "approval.appeal_result"
    ADOPTED_WITHOUT = "approval.adopted_without"
    ALERT = "approval.alert"


def log_event(
    session: AsyncSession,
    consultation_id: int,
    kind: str,
    actor_id: int | None,
    now: datetime,
    **details: Any,
) -> None:
    """Add the step to the consultation's log and to the audit log; saved with the caller's transaction."""
    session.add(
        ProcedureEvent(consultation_id=consultation_id, kind=kind, actor_id=actor_id, at=now, details=details)
    )
    audit.record(
        session,
        kind,
        actor_id=actor_id,
        now=now,
        object_type="consultation",
        object_id=consultation_id,
        **details,
    )


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    at: datetime
    actor: str | None  # the person's name as registered
    details: dict[str, Any]


async def history(session: AsyncSession, consultation_id: int) -> list[HistoryEntry]:
    """The consultation's procedure steps, oldest first, with who took each."""
    rows = await session.execute(
        select(ProcedureEvent, User.full_name, User.telegram_name)
        .outerjoin(User, User.id == ProcedureEvent.actor_id)
        .where(ProcedureEvent.consultation_id == consultation_id)
        .order_by(ProcedureEvent.at, ProcedureEvent.id)
    )
    return [
        HistoryEntry(event.kind, event.at, full_name or telegram_name, dict(event.details or {}))
        for event, full_name, telegram_name in rows
    ]


async def latest_steps(session: AsyncSession, consultation_ids: list[int]) -> dict[int, HistoryEntry]:
    """The last step (the alerts aside) of each consultation's procedure, for the lists."""
    if not consultation_ids:
        return {}
    rows = await session.execute(
        select(ProcedureEvent)
        .where(ProcedureEvent.consultation_id.in_(consultation_ids), ProcedureEvent.kind != EventKind.ALERT)
        .order_by(ProcedureEvent.at, ProcedureEvent.id)
    )
    return {
        event.consultation_id: HistoryEntry(event.kind, event.at, None, dict(event.details or {}))
        for event in rows.scalars()
    }
