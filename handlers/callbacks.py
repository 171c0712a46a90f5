"""Callback data of every inline button; parsing them is the first check against forged presses."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from models.answers import BudgetImpact, Stance


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


class ResponsesAction(CallbackData, prefix="resp"):
    """The coordinator's live view of one consultation's answers."""

    cid: int
    what: str  # "stats", "silent", "answered", "view"
    mid: int = 0
    page: int = 0


class PositionAction(CallbackData, prefix="pos"):
    """The coordinator's work on a closed consultation: the position, exports and the outcome.

    ``value`` depends on the action: a language, a file format, a proposal's number in the list.
    """

    cid: int
    action: str
    value: str = ""
