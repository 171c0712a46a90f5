"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from models.answers import Amendment, Answer, AnswerDraft, BudgetImpact, Stance
from models.base import Base
from models.consultations import Consultation, ConsultationEvent, ConsultationStatus, ConsultationTarget
from models.deliveries import Broadcast, Delivery, DeliveryStatus
from models.positions import ActFate, NoAgreementRoute, Position, ProposalDecision, ProposalGroup
from models.registry import (
    Association,
    AssociationMembership,
    District,
    Municipality,
    MunicipalityKind,
    Oblast,
)
from models.reminders import ReminderChoice, ReminderMark, ScheduledRun
from models.users import STAFF_ROLES, AuditEntry, FsmRecord, Invite, Role, User, UserStatus

__all__ = [
    "STAFF_ROLES",
    "ActFate",
    "Amendment",
    "Answer",
    "AnswerDraft",
    "Association",
    "AssociationMembership",
    "AuditEntry",
    "Base",
    "Broadcast",
    "BudgetImpact",
    "Consultation",
    "ConsultationEvent",
    "ConsultationStatus",
    "ConsultationTarget",
    "Delivery",
    "DeliveryStatus",
    "District",
    "FsmRecord",
    "Invite",
    "Municipality",
    "MunicipalityKind",
    "NoAgreementRoute",
    "Oblast",
    "Position",
    "ProposalDecision",
    "ProposalGroup",
    "ReminderChoice",
    "ReminderMark",
    "Role",
    "ScheduledRun",
    "Stance",
    "User",
    "UserStatus",
]
