"""People who use the bot, the invitations that bring them in, and the audit log of what they did."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column
from models.registry import Municipality
from models.reminders import ReminderChoice


class Role(enum.StrEnum):
    NONE = "none"  # has pressed /start, nothing more
    HEAD = "head"
    DEPUTY = "deputy"
    OBSERVER = "observer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})
MUNICIPAL_ROLES = frozenset({Role.HEAD, Role.DEPUTY})


class UserStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    REJECTED = "rejected"
    BLOCKED = "blocked"
    REVOKED = "revoked"  # had a role and lost it: revoked by staff or the command line, or left ADMIN_IDS


class AdminSource(enum.StrEnum):
    """Where an admin's rights came from: only those from ADMIN_IDS end when the id leaves the list."""

    SETTINGS = "settings"
    COMMAND_LINE = "command_line"


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str | None] = mapped_column(String(5))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.NONE)
    status: Mapped[UserStatus] = mapped_column(enum_column(UserStatus), default=UserStatus.PENDING)
    municipality_id: Mapped[int | None] = mapped_column(
        ForeignKey("municipality.id", ondelete="SET NULL"), index=True
    )
    full_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    telegram_name: Mapped[str | None] = mapped_column(String(200))
    telegram_username: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    admin_source: Mapped[AdminSource | None] = mapped_column(enum_column(AdminSource))
    # Personal choices (/settings): the weekly digest, and which reminders before a deadline.
    digest_weekly: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    reminders: Mapped[ReminderChoice] = mapped_column(
        enum_column(ReminderChoice, 8), default=ReminderChoice.ON, server_default=ReminderChoice.ON.value
    )

    municipality: Mapped[Municipality | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    def has_role(self, *roles: Role) -> bool:
        """An active user holding one of these roles; admins can do everything a coordinator can."""
        if not self.is_active:
            return False
        if self.role is Role.ADMIN and Role.COORDINATOR in roles:
            return True
        return self.role in roles

    @property
    def is_staff(self) -> bool:
        return self.has_role(Role.COORDINATOR, Role.ADMIN)


class Invite(Base):
    """A single-use, expiring sign-up link, made by staff for one municipality's head or for a coordinator."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    municipality: Mapped[Municipality | None] = relationship(lazy="joined")


class AuditEntry(Base):
    """Who did what and when; written by the services, never edited."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[int | None] = mapped_column(BigInteger)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FsmRecord(Base):
    """A conversation's FSM state and data, so that a half-finished dialogue survives a restart."""

    __tablename__ = "fsm_state"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ApplicationCopy(Base):
    """A sign-up application's card as sent to one staff member, so that once someone decides, every
    other copy is edited to say who did (and loses its buttons)."""

    __tablename__ = "application_copy"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
