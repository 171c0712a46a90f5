"""The name of a consultation's status, as the screens show it."""

from __future__ import annotations

from bot.i18n import _
from models.consultations import ConsultationStatus


def status_name(status: ConsultationStatus) -> str:
    return {
        ConsultationStatus.DRAFT: _("draft"),
        ConsultationStatus.OPEN: _("open"),
        ConsultationStatus.CLOSED: _("closed"),
        ConsultationStatus.POSITION_ADOPTED: _("position adopted"),
        ConsultationStatus.SUBMITTED: _("submitted"),
        ConsultationStatus.OUTCOME_RECORDED: _("outcome recorded"),
        ConsultationStatus.FOLLOW_UP: _("follow-up"),
    }[status]
