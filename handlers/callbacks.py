"""Callback data of every inline button; parsing them is the first check against forged presses."""

from __future__ import annotations

import enum

from aiogram.filters.callback_data import CallbackData

from bot.flows.signup import ApplicantRole, Language
from bot.flows.signup import Step as SignUpStep


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
