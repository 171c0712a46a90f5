"""Formal procedures around a consultation: an approval request from a state body, the association's
answer letter and what followed it, the procedure's log, and the working-day calendar's decree days."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, enum_column


class StateBodyKind(enum.StrEnum):
    MINISTRY = "ministry"
    CABINET = "cabinet"  # the Cabinet of Ministers
    COMMITTEE = "committee"  # a Jogorku Kenesh committee
    DEPUTY = "deputy"  # a deputy of the Jogorku Kenesh
    OTHER = "other"


class TermUnit(enum.StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class ApprovalDecision(enum.StrEnum):
    APPROVED = "approved"
    WITH_REMARKS = "remarks"
    NOT_APPROVED = "not_approved"


class ApprovalStatus(enum.StrEnum):
    """Where the approval stands; each move is compare-and-set (``bot.services.procedures.approval``)."""

    AWAITING = "awaiting"  # registered, the association's answer not sent yet
    ANSWERED = "answered"  # the answer letter was sent
    REACTED = "reacted"  # the state body said which remarks it accepted
    CONCILIATION = "conciliation"  # a conciliation meeting was held
    APPEALED = "appealed"  # an appeal was filed
    APPEAL_DECIDED = "appeal_decided"
    ADOPTED_WITHOUT_APPROVAL = "adopted_without"  # the consequence the law asks to be recorded


class RemarksAccepted(enum.StrEnum):
    ALL = "all"
    SOME = "some"
    NONE = "none"


class ConciliationResult(enum.StrEnum):
    AGREED = "agreed"
    PARTLY = "partly"
    NOT_AGREED = "not_agreed"


class AppealResult(enum.StrEnum):
    UPHELD = "upheld"  # the association's view prevailed
    DISMISSED = "dismissed"


class ApprovalRequest(Base):
    """A consultation marked as a state body's request for the association's approval (согласование)."""

    __tablename__ = "approval_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[ApprovalStatus] = mapped_column(enum_column(ApprovalStatus, 24), index=True)
    body_kind: Mapped[StateBodyKind] = mapped_column(enum_column(StateBodyKind, 16))
    body_name: Mapped[str] = mapped_column(String(300))
    incoming_number: Mapped[str] = mapped_column(String(64))
    incoming_date: Mapped[date] = mapped_column(Date)
    term_days: Mapped[int] = mapped_column(Integer)
    term_unit: Mapped[TermUnit] = mapped_column(enum_column(TermUnit, 16))
    due_on: Mapped[date] = mapped_column(Date, index=True)  # the association's own term
    heads_due_on: Mapped[date] = mapped_column(Date)  # the heads' deadline, a margin before it
    margin_days: Mapped[int] = mapped_column(Integer)  # working days, as configured when registered
    # The answer letter: each part editable until the answer is sent.
    letter_language: Mapped[str] = mapped_column(String(5))
    addressee: Mapped[str | None] = mapped_column(String(300))
    outgoing_number: Mapped[str | None] = mapped_column(String(64))
    outgoing_date: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[ApprovalDecision | None] = mapped_column(enum_column(ApprovalDecision, 16))
    # The article keys of the proposal groups the coordinator accepted as the association's remarks.
    remark_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The remarks as the coordinator rewrote them, one per line; None: drafted from the groups.
    remarks_text: Mapped[str | None] = mapped_column(Text)
    letter_generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerts_sent: Mapped[list[int]] = mapped_column(JSON, default=list)  # working days left, once each
    # After the answer.
    remarks_accepted: Mapped[RemarksAccepted | None] = mapped_column(enum_column(RemarksAccepted, 8))
    conciliation_on: Mapped[date | None] = mapped_column(Date)
    conciliation_result: Mapped[ConciliationResult | None] = mapped_column(
        enum_column(ConciliationResult, 16)
    )
    conciliation_protocol: Mapped[bool] = mapped_column(Boolean, default=False)
    appeal_to: Mapped[str | None] = mapped_column(String(300))
    appeal_on: Mapped[date | None] = mapped_column(Date)
    appeal_result: Mapped[AppealResult | None] = mapped_column(enum_column(AppealResult, 16))
    adopted_on: Mapped[date | None] = mapped_column(Date)  # adopted without approval
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcedureEvent(Base):
    """One step of a formal procedure, in the consultation's log: what, who, when, with its details."""

    __tablename__ = "procedure_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CalendarDay(Base):
    """A day the Cabinet moved by decree: a weekday made a day off, or a weekend day made a working day."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExpertVerdict(enum.StrEnum):
    POSITIVE = "positive"
    WITH_REMARKS = "remarks"
    NEGATIVE = "negative"


class ExpertStatus(enum.StrEnum):
    ASKED = "asked"  # the expert is writing (the parts so far are kept: a restart loses nothing)
    SUBMITTED = "submitted"


class ExpertAssignment(Base):
    """One expert asked for a structured conclusion on a consultation, and the parts written so far.
    A consultation with any assignment is one that needs expertise."""

    __tablename__ = "expert_assignment"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    status: Mapped[ExpertStatus] = mapped_column(enum_column(ExpertStatus, 16))
    step: Mapped[str] = mapped_column(String(24))  # the part being asked
    parts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    verdict: Mapped[ExpertVerdict | None] = mapped_column(enum_column(ExpertVerdict, 16))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Reading(enum.StrEnum):
    FIRST = "first"
    SECOND = "second"
    THIRD = "third"
    OTHER = "other"  # a hearing, a working group


class SittingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    RECORDED = "recorded"  # the minutes are on record, the heads told


class MinutesEntry(enum.StrEnum):
    """Whether the association's opinion was entered in the sitting's minutes."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class CommitteeSitting(Base):
    """A Jogorku Kenesh committee sitting where a consultation is on the agenda, and who speaks for the
    association; after it, whether the opinion entered the minutes and what the committee decided."""

    __tablename__ = "committee_sitting"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SittingStatus] = mapped_column(enum_column(SittingStatus, 16), index=True)
    committee: Mapped[str] = mapped_column(String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    place: Mapped[str] = mapped_column(String(300))
    reading: Mapped[Reading] = mapped_column(enum_column(Reading, 16))
    speaker_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Further consultations on the same sitting's agenda (ids), named in the briefing.
    agenda_ids: Mapped[list[int]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    briefing_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attended: Mapped[bool | None] = mapped_column(Boolean)
    opinion: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[MinutesEntry | None] = mapped_column(enum_column(MinutesEntry, 8))
    minutes_number: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
