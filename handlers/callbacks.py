"""Callback data of every inline button; parsing them is the first check against forged presses."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


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
