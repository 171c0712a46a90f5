"""What became of a broadcast: progress counts, and the per-municipality delivery report."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy import and_, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.spreadsheets import append_row
from models import District, Municipality, Oblast, User
from models.consultations import ConsultationTarget
from models.deliveries import Broadcast, Delivery, DeliveryStatus


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    blocked: int
    failed: int

    @property
    def waiting(self) -> int:
        return self.total - self.sent - self.blocked - self.failed

    @property
    def done(self) -> bool:
        return self.waiting == 0


async def progress(session: AsyncSession, broadcast_id: int) -> Progress:
    counts = dict(
        (
            await session.execute(
                select(Delivery.status, func.count())
                .where(Delivery.broadcast_id == broadcast_id)
                .group_by(Delivery.status)
            )
        ).all()
    )
    return Progress(
        total=sum(counts.values()),
        sent=counts.get(DeliveryStatus.SENT, 0),
        blocked=counts.get(DeliveryStatus.BLOCKED, 0),
        failed=counts.get(DeliveryStatus.FAILED, 0),
    )


async def mark_finished(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Record the end of a broadcast once; True only for the caller that recorded it."""
    result = await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id, Broadcast.finished_at.is_(None))
        .values(finished_at=now)
    )
    await session.commit()
    return (result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def report_to(
    session: AsyncSession, broadcast_id: int, chat_id: int, message_id: int, locale: str | None
) -> None:
    """The message in which the sender keeps the broadcast's progress up to date."""
    await session.execute(
        update(Broadcast)
        .where(Broadcast.id == broadcast_id)
        .values(report_chat_id=chat_id, report_message_id=message_id, report_locale=locale)
    )
    await session.commit()


@dataclass(frozen=True)
class MunicipalityDelivery:
    oblast: str
    district: str
    municipality: str
    soate: str
    recipients: int
    delivered: int
    blocked: int
    failed: int

    @property
    def outcome(self) -> str:
        """delivered / blocked / failed / pending / no_head, for the report's status column."""
        if self.recipients == 0:
            return "no_head"
        if self.delivered:
            return "delivered"
        if self.blocked == self.recipients:
            return "blocked"
        if self.failed + self.blocked == self.recipients:
            return "failed"
        return "pending"


async def delivery_report(
    session: AsyncSession, broadcast: Broadcast, locale: str
) -> list[MunicipalityDelivery]:
    """One row per targeted municipality, aggregated in the database."""

    def count_status(status: DeliveryStatus):  # type: ignore[no-untyped-def]
        return func.coalesce(func.sum(case((Delivery.status == status, 1), else_=0)), 0)

    name = Municipality.name_ky if locale == "ky" else Municipality.name_ru
    query = (
        select(
            func.coalesce(Oblast.name_ky if locale == "ky" else Oblast.name_ru, Oblast.name_ru),
            func.coalesce(District.name_ky if locale == "ky" else District.name_ru, District.name_ru, ""),
            func.coalesce(name, Municipality.name_ru),
            Municipality.soate,
            func.count(Delivery.id),
            count_status(DeliveryStatus.SENT),
            count_status(DeliveryStatus.BLOCKED),
            count_status(DeliveryStatus.FAILED),
        )
        .select_from(ConsultationTarget)
        .join(Municipality, Municipality.id == ConsultationTarget.municipality_id)
        .join(Oblast, Oblast.id == Municipality.oblast_id)
        .outerjoin(District, District.id == Municipality.district_id)
        .outerjoin(User, User.municipality_id == Municipality.id)
        .outerjoin(Delivery, and_(Delivery.user_id == User.id, Delivery.broadcast_id == broadcast.id))
        .where(ConsultationTarget.consultation_id == broadcast.subject_id)
        .group_by(Municipality.id, Oblast.id, District.id)
        .order_by(Oblast.soate, District.soate, Municipality.name_ru)
    )
    return [MunicipalityDelivery(*row) for row in (await session.execute(query))]


def report_workbook(
    rows: list[MunicipalityDelivery], headers: list[str], outcome_names: dict[str, str]
) -> bytes:
    """The delivery report as an XLSX file: a header row, then one row per municipality."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "report"
    append_row(sheet, headers, bold=True)
    for row in rows:
        # Names come from the registry file: append_row keeps «=HYPERLINK(...)» a plain text.
        append_row(
            sheet,
            [
                row.oblast,
                row.district,
                row.municipality,
                row.soate,
                row.recipients,
                row.delivered,
                row.blocked,
                outcome_names[row.outcome],
            ]
        )
    for column, width in zip("ABCDEFGH", (24, 24, 32, 16, 12, 12, 12, 24), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
