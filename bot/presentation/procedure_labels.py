"""The words for the procedures' values and log entries, in the current locale (screens and documents)."""

from __future__ import annotations

from datetime import date

from babel import dates

from bot.i18n import _, current_locale
from bot.services.procedures import log
from models.procedures import (
    AppealResult,
    ApprovalDecision,
    ApprovalStatus,
    ConciliationResult,
    ExpertVerdict,
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


def long_date(day: date) -> str:
    """A day in the current locale's long form, for screens (letters use ``bot.i18n.format_official_day``)."""
    return dates.format_date(day, "long", locale=current_locale())


def event_text(entry: log.HistoryEntry) -> str:
    """One step of the procedure's log in words (plain text: the screen quotes it for HTML)."""
    d = entry.details

    def day(key: str) -> str:
        return long_date(date.fromisoformat(d[key])) if d.get(key) else "—"

    kind = log.EventKind
    if entry.kind == kind.REGISTERED:
        return _("approval request registered: letter No. {number} of {date} from {body}").format(
            number=str(d.get("number")), date=day("date"), body=str(d.get("body"))
        )
    if entry.kind == kind.LETTER:
        return _("answer letter No. {number} generated").format(number=str(d.get("number")))
    if entry.kind == kind.ANSWERED:
        return _("the answer was sent")
    if entry.kind == kind.REMARKS:
        return remarks_accepted_label(RemarksAccepted(d["accepted"]))
    if entry.kind == kind.CONCILIATION:
        return _("conciliation meeting on {date}: {result}").format(
            date=day("date"), result=conciliation_label(ConciliationResult(d["result"]))
        )
    if entry.kind == kind.APPEAL:
        return _("appeal filed with {to} on {date}").format(to=str(d.get("to")), date=day("date"))
    if entry.kind == kind.APPEAL_RESULT:
        return _("appeal {result}").format(result=appeal_result_label(AppealResult(d["result"])))
    if entry.kind == kind.ADOPTED_WITHOUT:
        return _("the act was adopted without approval on {date}").format(date=day("date"))
    if entry.kind == "expert.asked":
        return _("expert conclusion asked of {name}").format(name=d.get("expert") or "—")
    if entry.kind == "expert.submitted":
        return _("expert conclusion submitted by {name}: {verdict}").format(
            name=d.get("expert") or "—", verdict=verdict_label(ExpertVerdict(d["verdict"]))
        )
    if entry.kind == "sitting.scheduled":
        return _("committee sitting recorded: {committee}").format(committee=d.get("committee") or "—")
    if entry.kind == "sitting.briefed":
        return _("the speakers were briefed for the sitting")
    if entry.kind == "sitting.recorded":
        return _("the minutes of the sitting were recorded")
    if entry.kind == kind.ALERT:
        return _("reminder to the coordinator: {left} working days left").format(left=d.get("left"))
    return entry.kind


def part_title(part: str) -> str:
    return {
        "lsg_law": _("Conformity with the law on local self-government"),
        "budget_law": _("Conformity with the budget legislation"),
        "finance": _("Financial consequences for local budgets"),
        "mandates": _("New mandates without funding"),
        "services": _("Effect on local services"),
        "risks": _("Risks"),
        "recommendations": _("Recommendations"),
    }[part]


def verdict_label(verdict: ExpertVerdict) -> str:
    return {
        ExpertVerdict.POSITIVE: _("positive"),
        ExpertVerdict.WITH_REMARKS: _("positive with remarks"),
        ExpertVerdict.NEGATIVE: _("negative"),
    }[verdict]
