"""Callback data of every inline button; parsing them is the first check against forged presses."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from pydantic import NonNegativeInt

from models import ActFate, NoAgreementRoute, ProposalDecision


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


class PickPlace(CallbackData, prefix="pick"):
    """A step of the municipality picker: level is oblasts, oblast, district, municipality or search."""

    level: str
    id: int = 0
    page: int = 0


class RoleChoice(CallbackData, prefix="role"):
    role: str


class SignUpAction(CallbackData, prefix="signup"):
    action: str  # "submit", "restart", "register"


class ApplicationDecision(CallbackData, prefix="app"):
    action: str  # "approve" or "reject"
    user_id: int


class PersonAction(CallbackData, prefix="person"):
    """/revoke: "ask" (to confirm), "do" or "keep" on one user; "place" opens the municipality picker."""

    action: str
    user_id: int = 0


class RegistryAction(CallbackData, prefix="reg"):
    action: str  # "apply" or "cancel"


class ConsultationAction(CallbackData, prefix="cons"):
    action: str  # "more", "answer", "report"
    id: int


class WizardAction(CallbackData, prefix="wiz"):
    """A button of the consultation wizard; ``value`` depends on the action."""

    action: str
    value: str = ""


class AnswerAction(CallbackData, prefix="ans"):
    """A button of the answer flow; ``step`` ties it to the step it was shown for, catching old presses."""

    cid: int
    step: str
    action: str
    value: str = ""


# ---- the coordinator's live view of the answers (/responses) ------------------------------------


class ResponsesStats(CallbackData, prefix="resp"):
    """How many answered, by oblast."""

    cid: int


class ResponsesSilent(CallbackData, prefix="respsilent"):
    """The municipalities that have not answered."""

    cid: int


class ResponsesAnswered(CallbackData, prefix="respanswered"):
    """One page of the municipalities that answered."""

    cid: int
    page: NonNegativeInt = 0


class ResponsesAnswer(CallbackData, prefix="respanswer"):
    """One municipality's current answer."""

    cid: int
    mid: int


# ---- the position: closing, its text, the proposals, the outcome, the documents ------------------


class Language(StrEnum):
    KY = "ky"
    RU = "ru"


class ExportFormat(StrEnum):
    PAPER = "docx"
    PROTOCOL = "protocol"
    WORKBOOK = "xlsx"
    CSV = "csv"
    CHART = "png"


class ProtocolField(StrEnum):
    """The two texts the coordinator types for an item of the disagreement protocol."""

    GOVERNMENT = "gov"
    RECOMMENDATION = "rec"


class PositionClose(CallbackData, prefix="posclose"):
    """Close before the deadline: asks for a confirmation first."""

    cid: int


class PositionCloseNow(CallbackData, prefix="poscloseok"):
    """The confirmation: close now."""

    cid: int


class PositionScreen(CallbackData, prefix="pos"):
    """The position's numbers and what can be done with it."""

    cid: int


class PositionText(CallbackData, prefix="postext"):
    cid: int
    language: Language


class PositionTextEdit(CallbackData, prefix="posedit"):
    cid: int
    language: Language


class PositionAdopt(CallbackData, prefix="posadopt"):
    cid: int


class PositionSubmit(CallbackData, prefix="possubmit"):
    """Mark the position as sent: asks to whom, then on which day."""

    cid: int


class PositionSentToCommittee(CallbackData, prefix="posto"):
    """The addressee is the consultation's committee (instead of typing it)."""

    cid: int


class PositionSentToday(CallbackData, prefix="postoday"):
    cid: int


class ProposalList(CallbackData, prefix="posprops"):
    """The proposals grouped by article."""

    cid: int


class ProposalView(CallbackData, prefix="posprop"):
    """One group of proposals, by its place in the list."""

    cid: int
    index: NonNegativeInt


class ProposalDecide(CallbackData, prefix="posdecide"):
    cid: int
    index: NonNegativeInt
    decision: ProposalDecision


class ProposalProtocolText(CallbackData, prefix="posprotocol"):
    """Type the government's position or the recommended decision on one group of proposals."""

    cid: int
    index: NonNegativeInt
    field: ProtocolField


class BudgetProtocolText(CallbackData, prefix="posbudget"):
    """The same for the budget as a whole, the protocol's first item."""

    cid: int
    field: ProtocolField


class OutcomeScreen(CallbackData, prefix="posoutcome"):
    cid: int


class OutcomeFates(CallbackData, prefix="posfates"):
    """The choice of what became of the act."""

    cid: int


class OutcomeFate(CallbackData, prefix="posfate"):
    cid: int
    fate: ActFate


class OutcomeRoutes(CallbackData, prefix="posroutes"):
    """The choice of what was done where no agreement was reached."""

    cid: int


class OutcomeRoute(CallbackData, prefix="posroute"):
    cid: int
    route: NoAgreementRoute


class OutcomeNote(CallbackData, prefix="posnote"):
    cid: int


class OutcomeRecord(CallbackData, prefix="posrecord"):
    """The outcome is final: tell the municipalities."""

    cid: int


class DocumentLanguages(CallbackData, prefix="posdocs"):
    """The documents: first their language."""

    cid: int


class DocumentList(CallbackData, prefix="posdoclist"):
    cid: int
    language: Language


class DocumentFile(CallbackData, prefix="posfile"):
    cid: int
    format: ExportFormat
    language: Language
