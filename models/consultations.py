"""Consultations: a draft act put before municipalities, its lifecycle, its audience and its targets."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, enum_column


class ConsultationStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    POSITION_ADOPTED = "position_adopted"
    SUBMITTED = "submitted"
    OUTCOME_RECORDED = "outcome_recorded"
    FOLLOW_UP = "follow_up"


# The lifecycle of DESIGN.md section 3: each status and the statuses it may move to.
TRANSITIONS: dict[ConsultationStatus, frozenset[ConsultationStatus]] = {
    ConsultationStatus.DRAFT: frozenset({ConsultationStatus.OPEN}),
    ConsultationStatus.OPEN: frozenset({ConsultationStatus.CLOSED}),
    ConsultationStatus.CLOSED: frozenset({ConsultationStatus.POSITION_ADOPTED}),
    ConsultationStatus.POSITION_ADOPTED: frozenset({ConsultationStatus.SUBMITTED}),
    ConsultationStatus.SUBMITTED: frozenset({ConsultationStatus.OUTCOME_RECORDED}),
    ConsultationStatus.OUTCOME_RECORDED: frozenset({ConsultationStatus.FOLLOW_UP}),
    ConsultationStatus.FOLLOW_UP: frozenset(),
}


class ConsultationKind(enum.StrEnum):
    """A consultation on a draft act, or a survey: questions only, no bill (DESIGN.md section 3)."""

    BILL = "bill"
    SURVEY = "survey"


class Consultation(Base):
    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[ConsultationStatus] = mapped_column(
        enum_column(ConsultationStatus, 24), default=ConsultationStatus.DRAFT, index=True
    )
    title_ky: Mapped[str | None] = mapped_column(String(300))
    title_ru: Mapped[str | None] = mapped_column(String(300))
    summary_ky: Mapped[str | None] = mapped_column(Text)
    summary_ru: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(String(1000))
    document_file_id: Mapped[str | None] = mapped_column(String(300))
    document_name: Mapped[str | None] = mapped_column(String(300))
    document_size: Mapped[int | None] = mapped_column(BigInteger)
    initiator: Mapped[str | None] = mapped_column(String(300))
    committee: Mapped[str | None] = mapped_column(String(300))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    inter_budget: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"kind": "all" | "oblasts" | "districts" | "kinds" | "association" | "list", "ids": [..], "kinds": [..]}
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    extra_questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kind: Mapped[ConsultationKind] = mapped_column(
        enum_column(ConsultationKind, 16), default=ConsultationKind.BILL, server_default="bill"
    )
    # A survey made from a ready template (bot.services.surveys.TEMPLATES), and the act it follows up.
    template: Mapped[str | None] = mapped_column(String(32))
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("consultation.id", ondelete="SET NULL"))

    @property
    def is_survey(self) -> bool:
        return self.kind is ConsultationKind.SURVEY

    def title(self, locale: str) -> tuple[str, bool]:
        """The title in ``locale``, or in the other language; the flag says the fallback was used."""
        return _pick(self.title_ky, self.title_ru, locale)

    def summary(self, locale: str) -> tuple[str, bool]:
        return _pick(self.summary_ky, self.summary_ru, locale)


def _pick(kyrgyz: str | None, russian: str | None, locale: str) -> tuple[str, bool]:
    wanted, other = (kyrgyz, russian) if locale == "ky" else (russian, kyrgyz)
    if wanted:
        return wanted, False
    return other or "", bool(other)


class ConsultationEvent(Base):
    """One lifecycle transition: who moved the consultation from which status to which, and when."""

    __tablename__ = "consultation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[ConsultationStatus | None] = mapped_column(enum_column(ConsultationStatus, 24))
    to_status: Mapped[ConsultationStatus] = mapped_column(enum_column(ConsultationStatus, 24))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)


class ConsultationTarget(Base):
    """A municipality the consultation was put before, fixed when it is published."""

    __tablename__ = "consultation_target"
    __table_args__ = (UniqueConstraint("consultation_id", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
