"""The association's position on a consultation, what became of it, and each grouped proposal's fate."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, enum_column


class ActFate(enum.StrEnum):
    ADOPTED = "adopted"
    ADOPTED_AMENDED = "amended"
    REJECTED = "rejected"
    PENDING = "pending"  # still under consideration
    WITHDRAWN = "withdrawn"


class NoAgreementRoute(enum.StrEnum):
    """What the association did where its position and the decision did not meet."""

    NONE = "none"
    DISAGREEMENT_PROTOCOL = "protocol"
    APPEAL = "appeal"


class ProposalDecision(enum.StrEnum):
    ACCEPTED = "accepted"
    PARTLY_ACCEPTED = "partly"
    REJECTED = "rejected"


class Position(Base):
    """Drafted by the bot when the consultation closes; edited, adopted, submitted, then answered."""

    __tablename__ = "position"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), unique=True
    )
    text_ky: Mapped[str] = mapped_column(Text, default="")
    text_ru: Mapped[str] = mapped_column(Text, default="")
    # Which texts the coordinator has rewritten; the other is still the bot's draft (see «adopt»).
    text_ky_edited: Mapped[bool] = mapped_column(default=False, server_default=false())
    text_ru_edited: Mapped[bool] = mapped_column(default=False, server_default=false())
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    addressee: Mapped[str | None] = mapped_column(String(300))
    submitted_on: Mapped[datetime | None] = mapped_column(UTCDateTime())
    act_fate: Mapped[ActFate | None] = mapped_column(enum_column(ActFate, 16))
    no_agreement_route: Mapped[NoAgreementRoute | None] = mapped_column(enum_column(NoAgreementRoute, 16))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The act's entry into force (midnight in Bishkek), from which impact follow-ups are counted.
    in_force_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ProposalGroup(Base):
    """The amendments of one article, as a group: the government's view and the decision on them.
    The key ``""`` holds the government's view of the budget as a whole."""

    __tablename__ = "proposal_group"
    __table_args__ = (UniqueConstraint("consultation_id", "article_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    article_key: Mapped[str] = mapped_column(String(200))
    government_position: Mapped[str | None] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[ProposalDecision | None] = mapped_column(enum_column(ProposalDecision, 16))
    reason: Mapped[str | None] = mapped_column(Text)
