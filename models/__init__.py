"""SQLAlchemy models; importing this package registers every table on ``Base.metadata``."""

from models.answers import Amendment, Answer, AnswerDraft, BudgetImpact, Stance
from models.base import Base
from models.consultations import (
    Consultation,
    ConsultationEvent,
    ConsultationKind,
    ConsultationStatus,
    ConsultationTarget,
)
from models.deliveries import Broadcast, Delivery, DeliveryStatus
from models.positions import ActFate, NoAgreementRoute, Position, ProposalDecision, ProposalGroup
from models.procedures import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    CalendarDay,
    CommitteeSitting,
    ExpertAssignment,
    ProcedureEvent,
)
from models.registry import (
    Association,
    AssociationMembership,
    District,
    Municipality,
    MunicipalityKind,
    Oblast,
)
from models.reminders import ReminderChoice, ReminderMark, ScheduledRun
from models.surveys import FollowUp
from models.users import STAFF_ROLES, ApplicationCopy, AuditEntry, FsmRecord, Invite, Role, User, UserStatus

__all__ = [
    "STAFF_ROLES",
    "ActFate",
    "Amendment",
    "Answer",
    "AnswerDraft",
    "ApplicationCopy",
    "ApprovalDecision",
    "ApprovalRequest",
    "ApprovalStatus",
    "Association",
    "AssociationMembership",
    "AuditEntry",
    "Base",
    "Broadcast",
    "BudgetImpact",
    "CalendarDay",
    "CommitteeSitting",
    "Consultation",
    "ConsultationEvent",
    "ConsultationKind",
    "ConsultationStatus",
    "ConsultationTarget",
    "Delivery",
    "DeliveryStatus",
    "District",
    "ExpertAssignment",
    "FollowUp",
    "FsmRecord",
    "Invite",
    "Municipality",
    "MunicipalityKind",
    "NoAgreementRoute",
    "Oblast",
    "Position",
    "ProcedureEvent",
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
