"""The state of consultations right now, for the coordinators' one-page picture: each open
consultation's response rate (the months come from ``responses.by_month``)."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators.results import Response
from models import Answer
from models.consultations import Consultation, ConsultationStatus, ConsultationTarget


async def open_consultations(session: AsyncSession, locale: str) -> list[Response]:
    """Open consultations and surveys, the soonest deadline first: targeted and answered so far."""
    rows = await session.execute(
        select(Consultation, func.count(ConsultationTarget.id), func.count(Answer.id))
        .join(ConsultationTarget, ConsultationTarget.consultation_id == Consultation.id)
        .outerjoin(
            Answer,
            and_(
                Answer.consultation_id == ConsultationTarget.consultation_id,
                Answer.municipality_id == ConsultationTarget.municipality_id,
                Answer.is_current.is_(True),
            ),
        )
        .where(Consultation.status == ConsultationStatus.OPEN)
        .group_by(Consultation.id)
        .order_by(Consultation.deadline, Consultation.id)
    )
    return [
        Response(str(consultation.id), consultation.title(locale)[0], targeted, answered)
        for consultation, targeted, answered in rows
    ]
