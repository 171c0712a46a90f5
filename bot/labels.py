"""Names of the domain's values as documents and messages print them, in the current locale."""

from __future__ import annotations

from bot.i18n import _, pgettext
from models import ActFate, BudgetImpact, MunicipalityKind, NoAgreementRoute, ProposalDecision, Stance


def stance_label(stance: Stance) -> str:
    return {
        Stance.SUPPORT: _("Support"),
        Stance.SUPPORT_WITH_AMENDMENTS: _("Support with amendments"),
        Stance.OPPOSE: _("Oppose"),
        Stance.NO_OPINION: _("No opinion"),
    }[stance]


def kind_label(kind: MunicipalityKind, *, one: bool = False) -> str:
    """A kind of municipality as the label of a group («айыл аймактары»), or with ``one`` as the kind
    of a single municipality, e.g. in its row of a table («айыл аймагы»)."""
    if one:
        return {
            MunicipalityKind.AYIL_AIMAK: pgettext("one municipality", "ayil aimak"),
            MunicipalityKind.CITY: pgettext("one municipality", "city"),
            MunicipalityKind.TOWN: pgettext("one municipality", "town"),
        }[kind]
    return {
        MunicipalityKind.AYIL_AIMAK: pgettext("group of municipalities", "ayil aimak"),
        MunicipalityKind.CITY: pgettext("group of municipalities", "city"),
        MunicipalityKind.TOWN: pgettext("group of municipalities", "town"),
    }[kind]


def decision_label(decision: ProposalDecision | None) -> str:
    if decision is None:
        return _("not decided yet")
    return {
        ProposalDecision.ACCEPTED: _("accepted"),
        ProposalDecision.PARTLY_ACCEPTED: _("partly accepted"),
        ProposalDecision.REJECTED: pgettext("a proposal", "rejected"),
    }[decision]


def act_fate_label(fate: ActFate) -> str:
    return {
        ActFate.ADOPTED: _("adopted"),
        ActFate.ADOPTED_AMENDED: _("adopted with changes"),
        ActFate.REJECTED: pgettext("an act", "rejected"),
        ActFate.PENDING: _("still under consideration"),
        ActFate.WITHDRAWN: _("withdrawn by the initiator"),
    }[fate]


def route_label(route: NoAgreementRoute) -> str:
    return {
        NoAgreementRoute.NONE: _("not needed"),
        NoAgreementRoute.DISAGREEMENT_PROTOCOL: _("a disagreement protocol"),
        NoAgreementRoute.APPEAL: _("an appeal"),
    }[route]


def impact_label(impact: BudgetImpact | str) -> str:
    return {
        BudgetImpact.NONE: _("No effect on the local budget"),
        BudgetImpact.EXTRA_COSTS: _("Extra costs"),
        BudgetImpact.LOST_REVENUE: _("Lost revenue"),
        BudgetImpact.BOTH: _("Both extra costs and lost revenue"),
    }[BudgetImpact(impact)]


def service_label(code: str) -> str:
    """A local service of models.answers.LOCAL_SERVICES; a code no longer offered is shown as it is."""
    return {
        "water": _("drinking water"),
        "roads": _("local roads"),
        "waste": _("waste collection"),
        "schools": _("schools"),
        "kindergartens": _("kindergartens"),
        "health": _("health posts"),
        "culture": _("culture and sports"),
        "pastures": _("pastures"),
        "land": _("land"),
        "social": _("social support"),
        "transport": _("public transport"),
        "other": _("other services"),
    }.get(code, code)
