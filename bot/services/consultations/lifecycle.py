"""A consultation's lifecycle: the draft, publishing it (one delivery per recipient), the moves between
statuses, and who sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, AlreadyDone, InvalidInput, StaleAction
from bot.services import audit
from bot.services.consultations.audience import audience_query, recipients_of
from bot.services.consultations.fields import MIN_LEAD
from bot.services.status import compare_and_set
from bot.services.users import require_staff
from models import Role, User
from models.consultations import (
    TRANSITIONS,
    Consultation,
    ConsultationEvent,
    ConsultationStatus,
    ConsultationTarget,
)
from models.deliveries import Broadcast, Delivery, DeliveryStatus

CONSULTATION_KIND = "consultation"


# ---- drafts ------------------------------------------------------------------------------------


async def create_draft(session: AsyncSession, actor: User, now: datetime) -> Consultation:
    require_staff(actor)
    return await new_draft(session, now, actor_id=actor.id, audience={"kind": "all"})


async def new_draft(
    session: AsyncSession, now: datetime, *, actor_id: int | None, note: str | None = None, **values: Any
) -> Consultation:
    """A new draft with ``values``, and its first event in the log (``actor_id`` None: the command line)."""
    consultation = Consultation(
        status=ConsultationStatus.DRAFT, created_by_id=actor_id, created_at=now, **values
    )
    session.add(consultation)
    await session.flush()
    session.add(
        ConsultationEvent(
            consultation_id=consultation.id,
            from_status=None,
            to_status=ConsultationStatus.DRAFT,
            actor_id=actor_id,
            at=now,
            note=note,
        )
    )
    await session.commit()
    return consultation


async def get_draft(session: AsyncSession, actor: User, consultation_id: int) -> Consultation:
    """A draft the actor may edit; anything else (published, missing, forged id) is refused."""
    require_staff(actor)
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    if consultation.status is not ConsultationStatus.DRAFT:
        raise already_done(ConsultationStatus.OPEN)
    return consultation


async def save_fields(session: AsyncSession, consultation: Consultation, **fields: Any) -> Consultation:
    for name, value in fields.items():
        setattr(consultation, name, value)
    await session.commit()
    return consultation


# ---- lifecycle ---------------------------------------------------------------------------------


def already_done(to: ConsultationStatus) -> AlreadyDone:
    """The calm answer to a repeated press: the consultation has already been moved to ``to``."""
    messages = {
        ConsultationStatus.OPEN: N_("This consultation is already published."),
        ConsultationStatus.CLOSED: N_("This consultation is already closed."),
        ConsultationStatus.POSITION_ADOPTED: N_("The position is already adopted."),
        ConsultationStatus.SUBMITTED: N_("The position is already marked as submitted."),
        ConsultationStatus.OUTCOME_RECORDED: N_("The outcome is already recorded."),
    }
    return AlreadyDone(messages.get(to) or N_("This is already done."))


_LIFECYCLE = list(ConsultationStatus)


def check_transition(consultation: Consultation, to: ConsultationStatus) -> None:
    """Refuse a move the lifecycle does not allow from the current status."""
    if to not in TRANSITIONS[consultation.status]:
        raise _refusal(consultation.status, to)


def _refusal(current: ConsultationStatus, to: ConsultationStatus) -> StaleAction:
    # At ``to`` or beyond: the move was already made (a repeated press), which is no error.
    if _LIFECYCLE.index(current) >= _LIFECYCLE.index(to):
        return already_done(to)
    return StaleAction(N_("This step is not possible for the consultation in its current state."))


async def transition(
    session: AsyncSession,
    consultation: Consultation,
    to: ConsultationStatus,
    actor_id: int | None,
    now: datetime,
    note: str | None = None,
) -> None:
    """Move the consultation to ``to`` and log it, compare-and-set: of callers racing (a button pressed
    twice, two coordinators, two processes) exactly one moves it; the others get ``AlreadyDone`` with
    their transaction rolled back. Call it before the transaction's other writes."""
    check_transition(consultation, to)
    consultation_id, expected = consultation.id, consultation.status
    if not await compare_and_set(session, Consultation, consultation_id, expected, to):
        await session.rollback()
        current = await session.scalar(select(Consultation.status).where(Consultation.id == consultation_id))
        if current is None:
            raise StaleAction(N_("This consultation no longer exists."))
        raise _refusal(current, to)
    session.add(
        ConsultationEvent(
            consultation_id=consultation_id,
            from_status=expected,
            to_status=to,
            actor_id=actor_id,
            at=now,
            note=note,
        )
    )


def check_ready(consultation: Consultation, now: datetime) -> None:
    """What a consultation needs before it can go out."""
    if not (consultation.title_ky or consultation.title_ru):
        raise InvalidInput(N_("The consultation needs a title in at least one language."))
    if consultation.deadline is None:
        raise InvalidInput(N_("The consultation needs a deadline."))
    if consultation.deadline < now + MIN_LEAD:
        raise InvalidInput(N_("The deadline has to be in the future, at least an hour from now."))


async def publish(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    now: datetime,
    *,
    report_chat_id: int | None = None,
    report_message_id: int | None = None,
    report_locale: str | None = None,
) -> Broadcast:
    """Open the consultation: fix its targets and write one pending delivery per registered recipient."""
    consultation = await get_draft(session, actor, consultation_id)
    broadcast = await open_draft(
        session,
        consultation,
        actor.id,
        now,
        report_chat_id=report_chat_id,
        report_message_id=report_message_id,
        report_locale=report_locale,
    )
    await session.commit()
    return broadcast


async def open_draft(
    session: AsyncSession,
    consultation: Consultation,
    actor_id: int | None,
    now: datetime,
    *,
    report_chat_id: int | None = None,
    report_message_id: int | None = None,
    report_locale: str | None = None,
) -> Broadcast:
    """``publish`` without the staff check, for the scheduler too (``actor_id`` None); the caller commits."""
    check_ready(consultation, now)
    # First: of several presses of «Publish» (or processes) only one goes on to write the deliveries.
    await transition(session, consultation, ConsultationStatus.OPEN, actor_id, now)
    consultation.published_at = now
    targets = audience_query(consultation.audience)
    await session.execute(
        insert(ConsultationTarget).from_select(
            ["consultation_id", "municipality_id"], select(literal(consultation.id), targets.subquery().c.id)
        )
    )
    broadcast = Broadcast(
        kind=CONSULTATION_KIND,
        subject_id=consultation.id,
        created_by_id=actor_id,
        created_at=now,
        report_chat_id=report_chat_id,
        report_message_id=report_message_id,
        report_locale=report_locale,
    )
    session.add(broadcast)
    await session.flush()
    recipients = recipients_of(targets).subquery()
    result = await session.execute(
        insert(Delivery).from_select(
            ["broadcast_id", "user_id", "chat_id", "kind", "payload", "status", "attempts", "not_before"],
            select(
                literal(broadcast.id),
                recipients.c.id,
                recipients.c.telegram_id,
                literal(CONSULTATION_KIND),
                literal({}, Delivery.payload.type),
                literal(DeliveryStatus.PENDING.value),
                literal(0),
                literal(now, Delivery.not_before.type),
            ),
        )
    )
    broadcast.total = result.rowcount or 0  # type: ignore[attr-defined]
    audit.record(
        session,
        "consultation.publish",
        actor_id=actor_id,
        now=now,
        object_type="consultation",
        object_id=consultation.id,
        recipients=broadcast.total,
    )
    return broadcast


async def visible_consultations(session: AsyncSession, user: User) -> list[Consultation]:
    """Open ones for everybody (heads: those put before their municipality); staff also see the rest."""
    query = select(Consultation).order_by(
        Consultation.deadline.is_(None), Consultation.deadline, Consultation.id
    )
    if user.is_staff:
        return list(await session.scalars(query.limit(50)))
    query = query.where(Consultation.status == ConsultationStatus.OPEN)
    if user.has_role(Role.HEAD, Role.DEPUTY):
        query = query.join(ConsultationTarget, ConsultationTarget.consultation_id == Consultation.id).where(
            ConsultationTarget.municipality_id == user.municipality_id
        )
    elif not user.has_role(Role.OBSERVER):
        return []
    return list(await session.scalars(query.limit(50)))


async def is_target(session: AsyncSession, consultation_id: int, municipality_id: int | None) -> bool:
    if municipality_id is None:
        return False
    hit = await session.scalar(
        select(ConsultationTarget.id).where(
            ConsultationTarget.consultation_id == consultation_id,
            ConsultationTarget.municipality_id == municipality_id,
        )
    )
    return hit is not None

