"""The bot's timed work as rows: which municipality was reminded when, and which runs were claimed.

A run (an automatic reminder round at one offset, an escalation, a week's digest) is claimed by
inserting its unique key in the same transaction as its deliveries: of two processes, or of a process
before and after a restart, exactly one writes them.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class ReminderChoice(enum.StrEnum):
    """A person's choice of reminders (/settings)."""

    ON = "on"
    LAST = "last"  # only the last one before the deadline
    OFF = "off"  # heads still get the last one: the association must hear from every municipality


class ScheduledRun(Base):
    __tablename__ = "scheduled_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    # e.g. "reminder:12:1440", "escalation:12", "digest:2026-12-07"
    key: Mapped[str] = mapped_column(String(100), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcast.id", ondelete="SET NULL"))


class ReminderMark(Base):
    """A municipality reminded about a consultation: automatically (``offset_minutes``) or by hand."""

    __tablename__ = "reminder_mark"
    __table_args__ = (Index("ix_reminder_mark_recent", "consultation_id", "municipality_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    offset_minutes: Mapped[int | None] = mapped_column(Integer)  # None: «remind now» by a coordinator
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcast.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
