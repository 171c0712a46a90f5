"""Callback data of every inline button; parsing them is the first check against forged presses."""

from __future__ import annotations

import enum
from enum import IntEnum, StrEnum

from aiogram.filters.callback_data import CallbackData
from pydantic import NonNegativeInt

from bot.config import Language
from bot.flows.signup import ApplicantRole
from bot.flows.signup import Step as SignUpStep
from bot.flows.wizard import AudienceKind, QuestionType, Topic
from models import ActFate, MunicipalityKind, NoAgreementRoute, ProposalDecision, ReminderChoice
from models.answers import BudgetImpact, Stance


class LanguageChoice(CallbackData, prefix="lang"):
    code: Language


class PlaceLevel(enum.StrEnum):
    OBLASTS = "oblasts"  # back to the list of oblasts
    OBLAST = "oblast"
    DISTRICT = "district"  # a page of the district's municipalities
    MUNICIPALITY = "municipality"  # the final choice
    SEARCH = "search"  # a page of the search results


class PickPlace(CallbackData, prefix="pick"):
    """A step of the municipality picker."""

    level: PlaceLevel
    id: int = 0
    page: int = 0


class RoleChoice(CallbackData, prefix="role"):
    role: ApplicantRole


class SignUpIntent(enum.StrEnum):
    SUBMIT = "submit"
    RESTART = "restart"
    BACK = "back"
    REGISTER = "register"  # after a bad invitation link: register by choosing the municipality


class SignUpAction(CallbackData, prefix="signup"):
    """``step`` is the sign-up step the button was shown at, so a press from an older message is refused."""

    action: SignUpIntent
    step: SignUpStep | None = None


class Decision(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class ApplicationDecision(CallbackData, prefix="app"):
    action: Decision
    user_id: int


class PersonIntent(enum.StrEnum):
    ASK = "ask"  # show what revoking means, and ask to confirm
    DO = "do"
    KEEP = "keep"
    PLACE = "place"  # open the municipality picker


class PersonAction(CallbackData, prefix="person"):
    """/revoke on one user, or choosing the municipality whose people to list."""

    action: PersonIntent
    user_id: int = 0


class RegistryIntent(enum.StrEnum):
    APPLY = "apply"
    CANCEL = "cancel"


class RegistryAction(CallbackData, prefix="reg"):
    action: RegistryIntent


class ConsultationIntent(enum.StrEnum):
    MORE = "more"
    ANSWER = "answer"
    EDIT = "edit"
    REPORT = "report"  # ``id`` is then the broadcast's


class ConsultationAction(CallbackData, prefix="cons"):
    action: ConsultationIntent
    id: int


# The consultation wizard: one class per intent, so a forged or outdated value fails the filter.


class WizSkip(CallbackData, prefix="wzskip"):
    """Leave the step's field as it is."""


class WizBack(CallbackData, prefix="wzback"):
    """The previous step."""


class WizCancel(CallbackData, prefix="wzcancel"):
    """Stop; the draft stays in /drafts."""


class WizNext(CallbackData, prefix="wznext"):
    """«Next» after the topics and the questions, «Done» after choosing places."""


class WizTopic(CallbackData, prefix="wztopic"):
    topic: Topic


class WizInterBudget(CallbackData, prefix="wzbudget"):
    yes: bool


class WizAudience(CallbackData, prefix="wzaudience"):
    kind: AudienceKind


class WizPlace(CallbackData, prefix="wzplace"):
    """Tick an oblast, district or association; ``page`` is the page of the list it is on."""

    id: int
    page: int = 0


class WizKind(CallbackData, prefix="wzkind"):
    kind: MunicipalityKind


class WizPage(CallbackData, prefix="wzpage"):
    page: int


class QuickDeadline(IntEnum):
    """The deadline buttons: so many days from today, at the usual hour."""

    WEEK = 7
    TWO_WEEKS = 14
    MONTH = 30


class WizDeadline(CallbackData, prefix="wzdeadline"):
    days: QuickDeadline


class WizAddQuestion(CallbackData, prefix="wzquestion"):
    """Start writing an extra question."""


class WizQuestionType(CallbackData, prefix="wzqtype"):
    type: QuestionType


class WizPublish(CallbackData, prefix="wzpublish"):
    """«Publish» names its consultation, so a press after the wizard ended is told what happened."""

    id: int


# The answer flow: one class per intent. Each carries the consultation and the draft's version when
# the button was shown; every write raises the version, so a press from an earlier step (or from an
# old message) is refused.


class AnswerStance(CallbackData, prefix="astance"):
    cid: int
    v: int
    stance: Stance


class AnswerImpact(CallbackData, prefix="aimpact"):
    cid: int
    v: int
    impact: BudgetImpact


class AnswerMandate(CallbackData, prefix="amandate"):
    cid: int
    v: int
    yes: bool


class AnswerService(CallbackData, prefix="aservice"):
    cid: int
    v: int
    index: int  # in models.answers.LOCAL_SERVICES


class AnswerOption(CallbackData, prefix="aoption"):
    """An option of a single-choice extra question, or a value of a scale question."""

    cid: int
    v: int
    value: int


class AnswerMulti(CallbackData, prefix="amulti"):
    """An option of a multiple-choice extra question, pressed on or off."""

    cid: int
    v: int
    index: int


class AnswerSkip(CallbackData, prefix="askip"):
    cid: int
    v: int


class AnswerNext(CallbackData, prefix="anext"):
    cid: int
    v: int


class AnswerBack(CallbackData, prefix="aback"):
    cid: int
    v: int


class AnswerAddAmendment(CallbackData, prefix="aamend"):
    cid: int
    v: int


class AnswerSubmit(CallbackData, prefix="asubmit"):
    cid: int
    v: int


class AnswerContinue(CallbackData, prefix="aresume"):
    cid: int
    v: int


class AnswerRestart(CallbackData, prefix="arestart"):
    cid: int
    v: int


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


class ResponsesFile(CallbackData, prefix="respfile"):
    """One attachment of an answer (by the answer version's id), sent back to the coordinator."""

    aid: int
    index: NonNegativeInt


# ---- the position: closing, its text, the proposals, the outcome, the documents ------------------


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


class PositionAdoptAnyway(CallbackData, prefix="posadoptok"):
    """Adopt although only one text was edited: the coordinator has been warned."""

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


# ---- surveys, impact follow-ups and the annual report (handlers/surveys.py, handlers/reports.py) ----


class SurveyTemplate(StrEnum):
    KENESH = "kenesh"


class SurveySend(CallbackData, prefix="survey"):
    """Send a ready survey to every municipality in one press."""

    template: SurveyTemplate


class FollowUpScreen(CallbackData, prefix="fup"):
    """An act whose outcome is recorded: its entry into force and its impact follow-ups."""

    cid: int


class FollowUpDate(CallbackData, prefix="fupdate"):
    """Type the date the act took effect."""

    cid: int


class FollowUpMonths(IntEnum):
    SIX = 6
    TWELVE = 12


class FollowUpSchedule(CallbackData, prefix="fupsched"):
    cid: int
    months: FollowUpMonths


class ReportPeriod(CallbackData, prefix="report"):
    """The year of the annual report; the language is asked next."""

    year: int


class ReportBuild(CallbackData, prefix="reportbuild"):
    year: int
    language: Language


class ReportState(CallbackData, prefix="reportstate"):
    """The one-page «state of consultations» picture, in the coordinator's language."""


# ---- reminders now (under /responses) and personal settings (/settings) -------------------------


class RemindStart(CallbackData, prefix="rmd"):
    """«Remind the silent»: choose whom."""

    cid: int


class RemindScope(CallbackData, prefix="rmdscope"):
    """All the silent (``oblast`` 0) or those of one oblast; then the optional message."""

    cid: int
    oblast: NonNegativeInt = 0


class RemindPlain(CallbackData, prefix="rmdplain"):
    """No message of one's own: straight to the preview."""

    cid: int


class RemindSend(CallbackData, prefix="rmdsend"):
    cid: int


class SettingsDigest(CallbackData, prefix="setdigest"):
    weekly: bool


class SettingsReminders(CallbackData, prefix="setremind"):
    choice: ReminderChoice


class SettingsLanguage(CallbackData, prefix="setlang"):
    """Offer the two languages (the choice itself is a ``lang`` button)."""
