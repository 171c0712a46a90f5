"""The weekly digest: what each person should hear about the past week, gathered in bulk.

Every list is one query over the whole country (grouped by municipality or by coordinator), then
shared out per person in Python, so the time grows with the number of people and targets, not with
their product. The content is stored as data in each delivery's payload; the channel words it in the
reader's language when it is sent. A person with nothing to hear gets no delivery.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.reminders import claim
from bot.timing import QuietHours, WeeklyMoment, held
from models import Amendment, Answer, Position, ProposalGroup, ScheduledRun, User, UserStatus
from models.consultations import Consultation, ConsultationStatus, ConsultationTarget
from models.deliveries import Broadcast, Delivery, DeliveryStatus
from models.users import MUNICIPAL_ROLES, STAFF_ROLES

DIGEST_KIND = "digest"
WEEK = timedelta(days=7)
CATCH_UP = timedelta(days=1)  # a digest missed while the bot was stopped goes out within a day, not later
PUBLISHED = (
    ConsultationStatus.OPEN,
    ConsultationStatus.CLOSED,
    ConsultationStatus.POSITION_ADOPTED,
    ConsultationStatus.SUBMITTED,
    ConsultationStatus.OUTCOME_RECORDED,
    ConsultationStatus.FOLLOW_UP,
)


def digest_moment(
    moment: WeeklyMoment, now: datetime, zone: ZoneInfo, quiet: QuietHours | None
) -> datetime | None:
    """The scheduled moment whose digest is due now, or None (not yet, held by quiet hours, or too late)."""
    scheduled = moment.latest(now, zone)
    if now - scheduled > CATCH_UP or held(quiet, now, zone):
        return None
    return scheduled


async def head_contents(session: AsyncSession, since: datetime, now: datetime) -> dict[int, dict[str, Any]]:
    """{municipality id: its digest} for every municipality with something to say."""
    items: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    answered = (
        select(Answer.municipality_id, Answer.consultation_id).where(Answer.is_current.is_(True)).subquery()
    )
    # Waiting for the municipality's answer: open, deadline ahead, no current answer.
    waiting = await session.execute(
        select(ConsultationTarget.municipality_id, Consultation.id, Consultation.deadline)
        .join(Consultation, Consultation.id == ConsultationTarget.consultation_id)
        .outerjoin(
            answered,
            and_(
                answered.c.municipality_id == ConsultationTarget.municipality_id,
                answered.c.consultation_id == Consultation.id,
            ),
        )
        .where(
            Consultation.status == ConsultationStatus.OPEN,
            Consultation.deadline > now,
            answered.c.municipality_id.is_(None),
        )
        .order_by(Consultation.deadline, Consultation.id)
    )
    waiting_pairs = set()
    for mid, cid, deadline in waiting.all():
        items[mid]["waiting"].append({"cid": cid, "deadline": deadline.isoformat()})
        waiting_pairs.add((mid, cid))
    # Published this week (and already answered, or it would be in «waiting»).
    published = await session.execute(
        select(ConsultationTarget.municipality_id, Consultation.id)
        .join(Consultation, Consultation.id == ConsultationTarget.consultation_id)
        .where(
            Consultation.status.in_(PUBLISHED),
            Consultation.published_at >= since,
            Consultation.published_at < now,
        )
        .order_by(Consultation.published_at, Consultation.id)
    )
    for mid, cid in published.all():
        if (mid, cid) not in waiting_pairs:
            items[mid]["published"].append(cid)
    # Closed this week, or whose position was adopted this week.
    closed = await session.execute(
        select(ConsultationTarget.municipality_id, Consultation.id)
        .join(Consultation, Consultation.id == ConsultationTarget.consultation_id)
        .outerjoin(Position, Position.consultation_id == Consultation.id)
        .where(
            or_(
                and_(Consultation.closed_at >= since, Consultation.closed_at < now),
                and_(Position.adopted_at >= since, Position.adopted_at < now),
            )
        )
        .order_by(Consultation.closed_at, Consultation.id)
    )
    for mid, cid in closed.all():
        items[mid]["closed"].append(cid)
    # Outcomes recorded this week for the municipality's own proposals: decisions counted per consultation.
    outcomes = await session.execute(
        select(Answer.municipality_id, Answer.consultation_id, ProposalGroup.decision, func.count())
        .join(Amendment, Amendment.answer_id == Answer.id)
        .join(Position, Position.consultation_id == Answer.consultation_id)
        .outerjoin(
            ProposalGroup,
            and_(
                ProposalGroup.consultation_id == Answer.consultation_id,
                ProposalGroup.article_key == Amendment.article_key,
            ),
        )
        .where(
            Answer.is_current.is_(True),
            Position.outcome_recorded_at >= since,
            Position.outcome_recorded_at < now,
        )
        .group_by(Answer.municipality_id, Answer.consultation_id, ProposalGroup.decision)
        .order_by(Answer.consultation_id)
    )
    counted: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for mid, cid, decision, count in outcomes.all():
        counted[(mid, cid)][decision.value if decision else "undecided"] = count
    for (mid, cid), decisions in counted.items():
        items[mid]["outcomes"].append({"cid": cid, **decisions})
    return {mid: dict(content) for mid, content in items.items()}


async def coordinator_contents(
    session: AsyncSession, since: datetime, now: datetime
) -> tuple[dict[int, dict[str, Any]], int]:
    """({coordinator's user id: their digest}, applications waiting): open consultations with the
    response rate now and a week ago, and positions waiting to be adopted."""
    items: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    targeted = (
        select(ConsultationTarget.consultation_id, func.count().label("n"))
        .group_by(ConsultationTarget.consultation_id)
        .subquery()
    )
    # The first answer of each municipality: when it started counting as answered.
    first = (
        select(Answer.consultation_id, Answer.municipality_id, func.min(Answer.submitted_at).label("at"))
        .group_by(Answer.consultation_id, Answer.municipality_id)
        .subquery()
    )
    answered = (
        select(
            first.c.consultation_id,
            func.count().label("now"),
            func.sum(case((first.c.at < since, 1), else_=0)).label("before"),
        )
        .group_by(first.c.consultation_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            Consultation.created_by_id,
            Consultation.id,
            Consultation.deadline,
            func.coalesce(targeted.c.n, 0),
            func.coalesce(answered.c.now, 0),
            func.coalesce(answered.c.before, 0),
        )
        .outerjoin(targeted, targeted.c.consultation_id == Consultation.id)
        .outerjoin(answered, answered.c.consultation_id == Consultation.id)
        .where(Consultation.status == ConsultationStatus.OPEN, Consultation.created_by_id.is_not(None))
        .order_by(Consultation.deadline, Consultation.id)
    )
    for author, cid, deadline, n, now_answered, before in rows.all():
        items[author]["open"].append(
            {
                "cid": cid,
                "deadline": deadline.isoformat() if deadline else None,
                "targeted": int(n),
                "answered": int(now_answered),
                "week_ago": int(before or 0),
            }
        )
    to_adopt = await session.execute(
        select(Consultation.created_by_id, Consultation.id)
        .where(Consultation.status == ConsultationStatus.CLOSED, Consultation.created_by_id.is_not(None))
        .order_by(Consultation.closed_at, Consultation.id)
    )
    for author, cid in to_adopt.all():
        items[author]["to_adopt"].append(cid)
    applications = await session.scalar(
        select(func.count()).where(User.status == UserStatus.PENDING, User.role.in_(MUNICIPAL_ROLES))
    )
    return {uid: dict(content) for uid, content in items.items()}, int(applications or 0)


@dataclass(frozen=True)
class DigestRun:
    broadcast_id: int
    people: int
    scheduled: datetime


async def send_digest(
    session_factory: async_sessionmaker[AsyncSession],
    now: datetime,
    moment: WeeklyMoment,
    zone: ZoneInfo,
    quiet: QuietHours | None,
) -> DigestRun | None:
    """Write this week's digest deliveries, once (claimed by the week's key), if it is due."""
    scheduled = digest_moment(moment, now, zone, quiet)
    if scheduled is None:
        return None
    key = f"digest:{scheduled.date().isoformat()}"
    async with session_factory() as session:
        # A cheap look first: the run is claimed for real below, with the deliveries.
        if await session.scalar(select(ScheduledRun.id).where(ScheduledRun.key == key)) is not None:
            return None
        run_id = await claim(session, key, now)
        if run_id is None:
            await session.rollback()
            return None
        since = now - WEEK
        heads = await head_contents(session, since, now)
        staff, applications = await coordinator_contents(session, since, now)
        rows = []
        people = await session.execute(
            select(User.id, User.telegram_id, User.role, User.municipality_id).where(
                User.status == UserStatus.ACTIVE,
                User.digest_weekly.is_(True),
                User.role.in_(MUNICIPAL_ROLES | STAFF_ROLES),
            )
        )
        # One payload per municipality, shared by its head and deputies: not a copy per person.
        head_payloads = {mid: {"role": "head", **content} for mid, content in heads.items()}
        for uid, telegram_id, role, mid in people.all():
            if role in MUNICIPAL_ROLES:
                payload = head_payloads.get(mid) if mid is not None else None
            else:
                own = staff.get(uid, {})
                payload = (
                    {"role": "staff", **own, "applications": applications} if own or applications else None
                )
            if payload:
                rows.append((uid, telegram_id, payload))
        broadcast = Broadcast(kind=DIGEST_KIND, subject_id=None, created_at=now, total=len(rows))
        session.add(broadcast)
        await session.flush()
        if rows:
            # Core executemany on the table: the ORM's bulk path costs as much again per row
            # (it collects and checks each row as if it were an object) and tracks nothing we need.
            await session.execute(
                insert(Delivery.__table__),
                [
                    {
                        "broadcast_id": broadcast.id,
                        "user_id": uid,
                        "chat_id": telegram_id,
                        "kind": DIGEST_KIND,
                        "payload": payload,
                        "status": DeliveryStatus.PENDING,
                        "attempts": 0,
                        "not_before": now,
                    }
                    for uid, telegram_id, payload in rows
                ],
            )
        run = await session.get(ScheduledRun, run_id)
        run.broadcast_id = broadcast.id  # type: ignore[union-attr]
        await session.commit()
        return DigestRun(broadcast.id, len(rows), scheduled)
