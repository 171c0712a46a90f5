"""Consultations: drafting, the target audience, publishing (one delivery per recipient), the lifecycle."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, AlreadyDone, FieldProblem, InvalidFields, InvalidInput, StaleAction
from bot.services import audit
from bot.services.status import compare_and_set
from bot.services.users import require_staff
from bot.validation import clean_paragraphs, clean_text
from models import (
    Association,
    AssociationMembership,
    District,
    Municipality,
    MunicipalityKind,
    Oblast,
    Role,
    User,
    UserStatus,
)
from models.consultations import (
    TRANSITIONS,
    Consultation,
    ConsultationEvent,
    ConsultationStatus,
    ConsultationTarget,
)
from models.deliveries import Broadcast, Delivery, DeliveryStatus
from models.users import MUNICIPAL_ROLES

TITLE_MAX = 300
SUMMARY_MAX = 3000  # leaves room for the heading and the deadline in one 4096-character message
NAME_FIELD_MAX = 300
URL_MAX = 1000
# A bot may send files of up to 50 MB.
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
DOCUMENT_SUFFIXES = (
    ".pdf",
    ".doc",
    ".docx",
    ".odt",
    ".rtf",
    ".xls",
    ".xlsx",
    ".ods",
    ".ppt",
    ".pptx",
    ".txt",
)
DEFAULT_DEADLINE_TIME = time(18, 0)
MIN_LEAD = timedelta(hours=1)
MAX_LEAD = timedelta(days=366)

TOPICS = (
    "inter_budget",
    "local_budget",
    "land",
    "water",
    "education",
    "health",
    "infrastructure",
    "social",
    "other",
)
AUDIENCE_KINDS = ("all", "oblasts", "districts", "kinds", "association", "list")
CONSULTATION_KIND = "consultation"

_URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", re.IGNORECASE)
_DEADLINE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})(?:\s+(\d{1,2})[:.](\d{2}))?$")


# ---- validation of the fields ------------------------------------------------------------------


def clean_title(text: str | None) -> str:
    return clean_text(text, max_length=TITLE_MAX, min_length=3)


def clean_summary(text: str | None) -> str:
    return clean_paragraphs(text, max_length=SUMMARY_MAX)


def clean_url(text: str | None) -> str:
    value = (text or "").strip()
    if len(value) > URL_MAX or not _URL.match(value):
        raise InvalidInput(N_("This does not look like a link. Send the full address, starting with https://"))
    return value


def clean_name_field(text: str | None) -> str:
    return clean_text(text, max_length=NAME_FIELD_MAX, min_length=2)


def check_document(file_name: str | None, size: int | None) -> None:
    if not (file_name or "").lower().endswith(DOCUMENT_SUFFIXES):
        raise InvalidInput(N_("Please send the draft as a PDF, Word, Excel or other office document."))
    if (size or 0) > DOCUMENT_MAX_BYTES:
        raise InvalidInput(N_("The file is too large: at most 50 MB. Please send a smaller file or a link."))


def parse_deadline(text: str | None, now: datetime, zone: ZoneInfo) -> datetime:
    """«20.12.2026» (18:00 that day) or «20.12.2026 14:00», in the configured zone; must be ahead."""
    match = _DEADLINE.match(" ".join((text or "").split()))
    if not match:
        raise InvalidInput(
            N_("Please write the deadline as day.month.year, e.g. 20.12.2026 or 20.12.2026 14:00.")
        )
    day, month, year, hour, minute = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), tzinfo=zone)
        at = time(int(hour), int(minute)) if hour else DEFAULT_DEADLINE_TIME
        local = local.replace(hour=at.hour, minute=at.minute)
    except ValueError:
        raise InvalidInput(N_("There is no such date. Please check the day and the month.")) from None
    deadline = local.astimezone(now.tzinfo)
    if deadline < now + MIN_LEAD:
        raise InvalidInput(N_("The deadline has to be in the future, at least an hour from now."))
    if deadline > now + MAX_LEAD:
        raise InvalidInput(N_("The deadline is more than a year away. Please check the year."))
    return deadline


# ---- drafts ------------------------------------------------------------------------------------


async def create_draft(session: AsyncSession, actor: User, now: datetime) -> Consultation:
    require_staff(actor)
    consultation = Consultation(
        status=ConsultationStatus.DRAFT, created_by_id=actor.id, created_at=now, audience={"kind": "all"}
    )
    session.add(consultation)
    await session.flush()
    session.add(
        ConsultationEvent(
            consultation_id=consultation.id,
            from_status=None,
            to_status=ConsultationStatus.DRAFT,
            actor_id=actor.id,
            at=now,
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


# ---- audience ----------------------------------------------------------------------------------


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


def _recipients(municipality_ids: Select[tuple[int]]) -> Select[tuple[int, int]]:
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
    people = await session.scalar(select(func.count()).select_from(_recipients(ids).subquery())) or 0
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
    check_ready(consultation, now)
    # First: of several presses of «Publish» (or processes) only one goes on to write the deliveries.
    await transition(session, consultation, ConsultationStatus.OPEN, actor.id, now)
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
        created_by_id=actor.id,
        created_at=now,
        report_chat_id=report_chat_id,
        report_message_id=report_message_id,
        report_locale=report_locale,
    )
    session.add(broadcast)
    await session.flush()
    recipients = _recipients(targets).subquery()
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
        actor_id=actor.id,
        now=now,
        object_type="consultation",
        object_id=consultation.id,
        recipients=broadcast.total,
    )
    await session.commit()
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


# ---- drafts described in a file (the command line) ---------------------------------------------

DESCRIPTION_FIELDS = {
    "title_ky",
    "title_ru",
    "summary_ky",
    "summary_ru",
    "source_url",
    "initiator",
    "committee",
    "topics",
    "inter_budget",
    "audience",
    "deadline",
    "document_file_id",
    "document_name",
}


async def create_from_description(
    session: AsyncSession, description: dict[str, Any], now: datetime, zone: ZoneInfo
) -> Consultation:
    """A draft from a YAML/JSON description; every problem is reported with its field, nothing is saved."""
    if not isinstance(description, dict):
        raise InvalidInput(N_("The description must be a mapping of fields to values."))
    problems: list[FieldProblem] = []
    unknown = sorted(set(description) - DESCRIPTION_FIELDS)
    if unknown:
        problems.append(FieldProblem(None, N_("Unknown fields: {names}"), {"names": ", ".join(unknown)}))
    values: dict[str, Any] = {}

    def check(field: str, clean: Any) -> None:
        if description.get(field) in (None, ""):
            return
        try:
            values[field] = clean(str(description[field]))
        except InvalidInput as error:
            problems.append(FieldProblem(field, error.key, error.params))

    for field in ("title_ky", "title_ru"):
        check(field, clean_title)
    for field in ("summary_ky", "summary_ru"):
        check(field, clean_summary)
    check("source_url", clean_url)
    for field in ("initiator", "committee", "document_name"):
        check(field, clean_name_field)
    check("deadline", lambda text: parse_deadline(_iso_to_dotted(text), now, zone))
    if description.get("document_file_id"):
        values["document_file_id"] = str(description["document_file_id"])
    topics = description.get("topics") or []
    if not isinstance(topics, list) or any(topic not in TOPICS for topic in topics):
        problems.append(FieldProblem(None, N_("topics: use some of {names}"), {"names": ", ".join(TOPICS)}))
    else:
        values["topics"] = sorted(set(topics))
    values["inter_budget"] = bool(description.get("inter_budget")) or "inter_budget" in values.get(
        "topics", []
    )
    try:
        values["audience"] = await _audience_from_codes(
            session, description.get("audience") or {"kind": "all"}
        )
    except InvalidInput as error:
        problems.append(FieldProblem("audience", error.key, error.params))
    if not (values.get("title_ky") or values.get("title_ru")):
        problems.append(
            FieldProblem(None, N_("The consultation needs a title in at least one language."), {})
        )
    if problems:
        raise InvalidFields(problems)
    consultation = Consultation(status=ConsultationStatus.DRAFT, created_at=now, **values)
    session.add(consultation)
    await session.flush()
    session.add(
        ConsultationEvent(
            consultation_id=consultation.id,
            from_status=None,
            to_status=ConsultationStatus.DRAFT,
            actor_id=None,
            at=now,
            note="command line",
        )
    )
    await session.commit()
    return consultation


def _iso_to_dotted(text: str) -> str:
    """Files may use 2026-12-20 [18:00]; the bot's format is 20.12.2026 [18:00]."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}:\d{2}))?", text.strip())
    if not match:
        return text
    year, month, day, at = match.groups()
    return f"{day}.{month}.{year}" + (f" {at}" if at else "")


async def _audience_from_codes(session: AsyncSession, audience: dict[str, Any]) -> dict[str, Any]:
    """Audience written with СОАТЕ codes and names (readable in a file) turned into row ids."""
    kind = audience.get("kind", "all") if isinstance(audience, dict) else None
    if kind not in AUDIENCE_KINDS:
        raise InvalidInput(N_("kind must be one of {names}"), names=", ".join(AUDIENCE_KINDS))
    if kind == "all":
        return {"kind": "all"}
    if kind == "kinds":
        kinds = audience.get("kinds") or []
        if not kinds or any(k not in {m.value for m in MunicipalityKind} for k in kinds):
            raise InvalidInput(N_("kinds: use some of ayil_aimak, city, town"))
        return {"kind": "kinds", "kinds": sorted(set(kinds))}
    codes = [str(code) for code in audience.get("codes") or []]
    if not codes:
        raise InvalidInput(N_("codes: list the СОАТЕ codes (or, for an association, its name)"))
    table, column = {
        "oblasts": (Oblast, Oblast.soate),
        "districts": (District, District.soate),
        "list": (Municipality, Municipality.soate),
        "association": (Association, Association.name_ru),
    }[kind]
    found = dict((await session.execute(select(column, table.id).where(column.in_(codes)))).all())
    missing = [code for code in codes if code not in found]
    if missing:
        raise InvalidInput(N_("Not found in the registry: {items}."), items=", ".join(missing[:20]))
    return {"kind": kind, "ids": sorted(set(found.values()))}
