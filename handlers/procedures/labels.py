"""The words for the procedures' values, in the reader's language (the channel's job, not the models')."""

from __future__ import annotations

from bot.i18n import _
from models.procedures import (
    AppealResult,
    ApprovalDecision,
    ApprovalStatus,
    ConciliationResult,
    RemarksAccepted,
    StateBodyKind,
    TermUnit,
)


def body_kind_label(kind: StateBodyKind) -> str:
    return {
        StateBodyKind.MINISTRY: _("a ministry or state agency"),
        StateBodyKind.CABINET: _("the Cabinet of Ministers"),
        StateBodyKind.COMMITTEE: _("a committee of the Jogorku Kenesh"),
        StateBodyKind.DEPUTY: _("a deputy of the Jogorku Kenesh"),
        StateBodyKind.OTHER: _("another state body"),
    }[kind]


def term_unit_label(unit: TermUnit) -> str:
    return {TermUnit.CALENDAR: _("calendar days"), TermUnit.WORKING: _("working days")}[unit]


def decision_label(decision: ApprovalDecision) -> str:
    return {
        ApprovalDecision.APPROVED: _("approved"),
        ApprovalDecision.WITH_REMARKS: _("approved with remarks"),
        ApprovalDecision.NOT_APPROVED: _("not approved"),
    }[decision]


def status_label(status: ApprovalStatus) -> str:
    return {
        ApprovalStatus.AWAITING: _("the answer is not sent yet"),
        ApprovalStatus.ANSWERED: _("the answer is sent"),
        ApprovalStatus.REACTED: _("the state body answered on the remarks"),
        ApprovalStatus.CONCILIATION: _("a conciliation meeting was held"),
        ApprovalStatus.APPEALED: _("an appeal is filed"),
        ApprovalStatus.APPEAL_DECIDED: _("the appeal is decided"),
        ApprovalStatus.ADOPTED_WITHOUT_APPROVAL: _("the act was adopted without approval"),
    }[status]


def remarks_accepted_label(accepted: RemarksAccepted) -> str:
    return {
        RemarksAccepted.ALL: _("all remarks accepted"),
        RemarksAccepted.SOME: _("some remarks accepted"),
        RemarksAccepted.NONE: _("no remarks accepted"),
    }[accepted]


def conciliation_label(result: ConciliationResult) -> str:
    return {
        ConciliationResult.AGREED: _("agreement reached"),
        ConciliationResult.PARTLY: _("partly agreed"),
        ConciliationResult.NOT_AGREED: _("no agreement"),
    }[result]


def appeal_result_label(result: AppealResult) -> str:
    return {
        AppealResult.UPHELD: _("upheld"),
        AppealResult.DISMISSED: _("dismissed"),
    }[result]
