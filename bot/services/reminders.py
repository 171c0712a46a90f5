"""Reminders to the municipalities that have not answered: automatic rounds at offsets before the
deadline, the coordinator's «remind now», and the escalation list that goes with the last round.

What is due is computed from the database each time the scheduler wakes up; a round is claimed with a
unique key (``ScheduledRun``) in the same transaction as its deliveries, so a restart neither loses nor
repeats one, and two processes on one database send it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, func, insert, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import N_, InvalidInput, StaleAction
from bot.services import audit
from bot.services.users import require_staff
from bot.timing import QuietHours, held, offset_key
from models import (
    Answer,
    Municipality,
    Oblast,
    ReminderChoice,
    ReminderMark,
    Role,
    ScheduledRun,
    User,
    UserStatus,
)
from models.consultations import Consultation, ConsultationStatus, ConsultationTarget
from models.deliveries import Broadcast, Delivery, DeliveryStatus
from models.users import MUNICIPAL_ROLES

REMINDER_KIND = "reminder"
ESCALATION_KIND = "escalation"
MANUAL_GAP = timedelta(hours=1)  # «remind now» leaves out a municipality reminded this recently
NOTE_MAX = 500


async def claim(session: AsyncSession, key: str, now: datetime) -> int | None:
    """Insert the run's key; its id for the caller that inserted it, None if it was there already.

    In PostgreSQL a second transaction inserting the same key waits for the first and then does nothing.
    """
    dialect = session.bind.dialect.name
    statement: Any = (pg_insert if dialect == "postgresql" else sqlite_insert)(ScheduledRun)
    result = await session.execute(
        statement.values(key=key, at=now)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(ScheduledRun.id)
    )
    return result.scalar_one_or_none()


def silent_municipalities(consultation_id: int) -> Select[tuple[int]]:
    """Ids of the targeted municipalities without a current answer."""
    answered = select(Answer.municipality_id).where(
        Answer.consultation_id == consultation_id, Answer.is_current.is_(True)
    )
    return select(ConsultationTarget.municipality_id).where(
        ConsultationTarget.consultation_id == consultation_id,
        ConsultationTarget.municipality_id.not_in(answered),
    )


def wants_reminder(last: bool) -> ColumnElement[bool]:
    """Whose choice lets this reminder through: «only the last» and «off» get the last one only, and a
    head who chose «off» still gets it (the association must hear from every municipality)."""
    if last:
        return or_(User.reminders != ReminderChoice.OFF, User.role == Role.HEAD)
    return User.reminders == ReminderChoice.ON


def _recipients(municipality_ids: Select[tuple[int]], wanted: ColumnElement[bool]) -> Select[tuple[int, int]]:
    return select(User.id, User.telegram_id).where(
        User.status == UserStatus.ACTIVE,
        User.role.in_(MUNICIPAL_ROLES),
        User.municipality_id.in_(municipality_ids.scalar_subquery()),
        wanted,
    )


async def _write_round(
    session: AsyncSession,
    consultation_id: int,
    municipality_ids: Select[tuple[int]],
    wanted: ColumnElement[bool],
    payload: dict[str, Any],
    now: datetime,
    actor_id: int | None,
) -> tuple[Broadcast, list[int]]:
    """A broadcast of reminders to the people of these municipalities, and a mark for each municipality."""
    mids = list(await session.scalars(municipality_ids))
    broadcast = Broadcast(
        kind=REMINDER_KIND, subject_id=consultation_id, created_by_id=actor_id, created_at=now
    )
    session.add(broadcast)
    await session.flush()
    # The deliveries first: the municipalities' query may leave out those with a fresh mark.
    people = _recipients(municipality_ids, wanted).subquery()
    result = await session.execute(
        insert(Delivery).from_select(
            ["broadcast_id", "user_id", "chat_id", "kind", "payload", "status", "attempts", "not_before"],
            select(
                literal(broadcast.id),
                people.c.id,
                people.c.telegram_id,
                literal(REMINDER_KIND),
                literal(payload, Delivery.payload.type),
                literal(DeliveryStatus.PENDING.value),
                literal(0),
                literal(now, Delivery.not_before.type),
            ),
        )
    )
    broadcast.total = result.rowcount or 0  # type: ignore[attr-defined]
    if mids:
        await session.execute(
            insert(ReminderMark),
            [
                {
                    "consultation_id": consultation_id,
                    "municipality_id": mid,
                    "at": now,
                    "offset_minutes": payload.get("offset"),
                    "broadcast_id": broadcast.id,
                    "note": payload.get("note"),
                }
                for mid in mids
            ],
        )
    return broadcast, mids


# ---- automatic rounds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    consultation_id: int
    offset: timedelta
    last: bool
    broadcast_id: int
    municipalities: int
    people: int
    escalated: bool


def due_offset(
    offsets: Sequence[timedelta], deadline: datetime, published_at: datetime | None, now: datetime
) -> tuple[timedelta, bool] | None:
    """The offset whose reminder is due now and whether it is the last one, or None.

    Only offsets still ahead at publication count; of several that passed (the bot was stopped), only
    the latest is sent, once: two reminders at the same moment would say nothing more than one.
    """
    if now >= deadline:
        return None
    ahead = [o for o in offsets if published_at is None or deadline - o >= published_at]
    due = [o for o in ahead if deadline - o <= now]
    if not due:
        return None
    return min(due), min(due) == min(ahead)


async def send_due_reminders(
    session_factory: async_sessionmaker[AsyncSession],
    now: datetime,
    offsets: Sequence[timedelta],
    quiet: QuietHours | None,
    zone: ZoneInfo,
) -> list[Round]:
    """Write the reminder rounds due now (each claimed once), with the escalation of a last round."""
    if not offsets:
        return []
    async with session_factory() as session:
        candidates = (
            await session.execute(
                select(
                    Consultation.id,
                    Consultation.deadline,
                    Consultation.published_at,
                    Consultation.created_by_id,
                )
                .where(Consultation.status == ConsultationStatus.OPEN, Consultation.deadline > now)
                .order_by(Consultation.deadline)
            )
        ).all()
        due_now = {}
        for cid, deadline, published_at, creator_id in candidates:
            due = due_offset(offsets, deadline, published_at, now)
            if due is not None:
                due_now[f"reminder:{cid}:{offset_key(due[0])}"] = (cid, deadline, creator_id, due)
        # A cheap look at which are already done; the claim below is what decides.
        done = set(await session.scalars(select(ScheduledRun.key).where(ScheduledRun.key.in_(list(due_now)))))
    rounds = []
    for key, (cid, deadline, creator_id, due) in due_now.items():
        if key in done:
            continue
        if held(quiet, now, zone, deadline):  # waits for the morning, unless the deadline comes first
            continue
        async with session_factory() as session:
            made = await _automatic_round(session, cid, creator_id, due[0], due[1], now)
        if made is not None:
            rounds.append(made)
    return rounds


async def _automatic_round(
    session: AsyncSession, cid: int, creator_id: int | None, offset: timedelta, last: bool, now: datetime
) -> Round | None:
    run_id = await claim(session, f"reminder:{cid}:{offset_key(offset)}", now)
    if run_id is None:  # another process (or an earlier life of this one) has it
        await session.rollback()
        return None
    payload = {"offset": offset_key(offset), "last": last}
    broadcast, mids = await _write_round(
        session, cid, silent_municipalities(cid), wants_reminder(last), payload, now, None
    )
    escalated = False
    if last and mids and creator_id is not None:
        escalated = await _escalate(session, cid, creator_id, mids, now)
    run = await session.get(ScheduledRun, run_id)
    run.broadcast_id = broadcast.id  # type: ignore[union-attr]
    await session.commit()
    return Round(cid, offset, last, broadcast.id, len(mids), broadcast.total, escalated)


async def _escalate(session: AsyncSession, cid: int, creator_id: int, mids: list[int], now: datetime) -> bool:
    """The list of the still silent for the coordinator who published, so that they can phone them."""
    creator = await session.get(User, creator_id)
    if creator is None or not creator.is_staff:
        return False
    broadcast = Broadcast(kind=ESCALATION_KIND, subject_id=cid, created_at=now, total=1)
    session.add(broadcast)
    await session.flush()
    session.add(
        Delivery(
            broadcast_id=broadcast.id,
            user_id=creator.id,
            chat_id=creator.telegram_id,
            kind=ESCALATION_KIND,
            payload={"mids": mids},
            status=DeliveryStatus.PENDING,
            attempts=0,
            not_before=now,
        )
    )
    return True


# ---- «remind now» --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reach:
    municipalities: int
    people: int
    recently_reminded: int  # left out: reminded within MANUAL_GAP


async def _open_consultation(session: AsyncSession, cid: int, now: datetime) -> Consultation:
    consultation = await session.get(Consultation, cid)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    if consultation.status is not ConsultationStatus.OPEN or (
        consultation.deadline is not None and consultation.deadline <= now
    ):
        raise StaleAction(N_("This consultation is closed; answers are no longer accepted."))
    return consultation


def _in_scope(
    cid: int, oblast_id: int | None, now: datetime
) -> tuple[Select[tuple[int]], Select[tuple[int]]]:
    """(silent municipalities of the scope not reminded within the hour, those that were)."""
    silent = silent_municipalities(cid)
    if oblast_id is not None:
        silent = silent.join(Municipality, Municipality.id == ConsultationTarget.municipality_id).where(
            Municipality.oblast_id == oblast_id
        )
    recent = select(ReminderMark.municipality_id).where(
        ReminderMark.consultation_id == cid, ReminderMark.at > now - MANUAL_GAP
    )
    return (
        silent.where(ConsultationTarget.municipality_id.not_in(recent)),
        silent.where(ConsultationTarget.municipality_id.in_(recent)),
    )


async def _count(session: AsyncSession, query: Select[Any]) -> int:
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0


async def remind_reach(
    session: AsyncSession, actor: User, cid: int, oblast_id: int | None, now: datetime
) -> Reach:
    """How many municipalities and people «remind now» would reach in this scope."""
    require_staff(actor)
    await _open_consultation(session, cid, now)
    fresh, recent = _in_scope(cid, oblast_id, now)
    people = _recipients(fresh, wants_reminder(last=True))
    return Reach(await _count(session, fresh), await _count(session, people), await _count(session, recent))


def clean_note(text: str | None) -> str | None:
    """The coordinator's own short message: trimmed, at most NOTE_MAX characters."""
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise InvalidInput(N_("A reminder's message can be at most {limit} characters."), limit=NOTE_MAX)
    return text or None


async def remind_now(
    session: AsyncSession, actor: User, cid: int, oblast_id: int | None, note: str | None, now: datetime
) -> Reach:
    """Remind the silent municipalities of the scope at once (quiet hours do not hold a coordinator's own
    action); a municipality reminded within the hour is left out."""
    require_staff(actor)
    await _open_consultation(session, cid, now)
    note = clean_note(note)
    fresh, recent = _in_scope(cid, oblast_id, now)
    skipped = await _count(session, recent)
    payload: dict[str, Any] = {"manual": True, "note": note}
    broadcast, mids = await _write_round(
        session, cid, fresh, wants_reminder(last=True), payload, now, actor.id
    )
    audit.record(
        session,
        "consultation.remind",
        actor_id=actor.id,
        now=now,
        object_type="consultation",
        object_id=cid,
        municipalities=len(mids),
        people=broadcast.total,
        oblast_id=oblast_id,
    )
    await session.commit()
    return Reach(len(mids), broadcast.total, skipped)


async def silent_oblasts(session: AsyncSession, cid: int) -> list[tuple[int, str, str | None, int]]:
    """(oblast id, Russian name, Kyrgyz name, silent municipalities) for the scope buttons."""
    silent = silent_municipalities(cid).subquery()
    rows = await session.execute(
        select(Oblast.id, Oblast.name_ru, Oblast.name_ky, func.count())
        .select_from(silent)
        .join(Municipality, Municipality.id == silent.c.municipality_id)
        .join(Oblast, Oblast.id == Municipality.oblast_id)
        .group_by(Oblast.id, Oblast.name_ru, Oblast.name_ky)
        .order_by(Oblast.soate)
    )
    return [(i, ru, ky, n) for i, ru, ky, n in rows.all()]


# ---- what the escalation lists -------------------------------------------------------------------


@dataclass(frozen=True)
class SilentPlace:
    municipality: Municipality
    heads: list[tuple[str, int]]  # (name, Telegram id) of the active heads and deputies


async def silent_places(session: AsyncSession, cid: int, mids: list[int]) -> list[SilentPlace]:
    """Of these municipalities, those still silent, by oblast and district, with their people."""
    still = set(
        await session.scalars(silent_municipalities(cid).where(ConsultationTarget.municipality_id.in_(mids)))
    )
    municipalities = list(await session.scalars(select(Municipality).where(Municipality.id.in_(still))))
    people: dict[int, list[tuple[str, int]]] = {}
    rows = await session.execute(
        select(User.municipality_id, User.full_name, User.telegram_name, User.telegram_id)
        .where(
            User.municipality_id.in_(still),
            User.status == UserStatus.ACTIVE,
            User.role.in_(MUNICIPAL_ROLES),
        )
        .order_by(User.role, User.id)
    )
    for mid, full_name, telegram_name, telegram_id in rows.all():
        people.setdefault(mid, []).append((full_name or telegram_name or str(telegram_id), telegram_id))
    municipalities.sort(key=lambda m: (m.oblast.soate, m.district.soate if m.district else "", m.name_ru))
    return [SilentPlace(m, people.get(m.id, [])) for m in municipalities]


def answered_since(cid: int, municipality_id: int) -> ColumnElement[bool]:
    """The municipality has a current answer (the renderer's last look before sending)."""
    return and_(
        Answer.consultation_id == cid, Answer.municipality_id == municipality_id, Answer.is_current.is_(True)
    )
