"""The report's tables, made once in the reader's language: the DOCX prints them, the XLSX holds them
all (numbers stay numbers there). Call inside ``use_locale``."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import _
from bot.labels import decision_label, kind_label, stance_label
from bot.presentation.surveys import group_label
from bot.services.indicators import Indicators, Response
from models import MunicipalityKind, ProposalDecision, Stance

Value = str | int | float


@dataclass(frozen=True)
class ReportTable:
    key: str  # the XLSX sheet's name
    title: str
    headers: list[str]
    rows: list[list[Value]]
    percent_columns: tuple[int, ...] = ()  # shares 0..1, printed as «41,7%»


def topic_label(key: str) -> str:
    """A consultation topic (the wizard's words, so the catalogs already hold them)."""
    return {
        "inter_budget": _("inter-budget relations"),
        "local_budget": _("local budget"),
        "land": _("land"),
        "water": _("water"),
        "education": _("education"),
        "health": _("health care"),
        "infrastructure": _("infrastructure"),
        "social": _("social protection"),
        "other": _("other"),
    }.get(key, key)


def kenesh_label(key: str) -> str:
    return {
        "sessions": _("Sessions held"),
        "decisions": _("Decisions adopted"),
        "public_hearings": _("Public hearings held"),
        "budget_hearings": _("Public budget hearings held"),
        "deputy_reports": _("Deputies' reports to voters"),
        "vacancies": _("Vacant deputy seats"),
    }.get(key, key)


def _rate_rows(responses: list[Response], name: bool = True) -> list[list[Value]]:
    return [[r.name if name else r.key, r.targeted, r.answered, r.rate] for r in responses]


def _rate_headers(first: str) -> list[str]:
    return [first, _("Consulted"), _("Answered"), _("Response rate")]


def _kind_name(key: str) -> str:
    try:
        return kind_label(MunicipalityKind(key))
    except ValueError:
        return key


def report_tables(ind: Indicators) -> dict[str, ReportTable]:
    """Every table of the report, by key, in the order the XLSX lists them."""
    tables = [
        ReportTable(
            "topics",
            _("Consultations by topic"),
            [_("Topic"), _("Consultations")],
            [[topic_label(t.key), t.count] for t in ind.by_topic],
        ),
        ReportTable(
            "initiators",
            _("Consultations by initiator"),
            [_("Initiator"), _("Consultations")],
            [[t.key or _("not stated"), t.count] for t in ind.by_initiator],
        ),
        ReportTable(
            "oblasts",
            _("Response rate by oblast"),
            _rate_headers(_("Oblast")),
            _rate_rows(ind.by_oblast),
            (3,),
        ),
        ReportTable(
            "districts",
            _("Response rate by district"),
            _rate_headers(_("District")),
            _rate_rows(ind.by_district),
            (3,),
        ),
        ReportTable(
            "kinds",
            _("Response rate by kind of municipality"),
            _rate_headers(_("Kind")),
            [[_kind_name(r.key), r.targeted, r.answered, r.rate] for r in ind.by_kind],
            (3,),
        ),
        ReportTable(
            "months",
            _("Response rate by month of publication"),
            _rate_headers(_("Month")),
            _rate_rows(ind.by_month, name=False),
            (3,),
        ),
        _stances(ind),
        _proposals(ind),
        _budget(ind),
        ReportTable(
            "kenesh",
            _("Local keneshes: the year's figures"),
            [_("Figure"), _("Municipalities that gave it"), _("In all"), _("Average per municipality")],
            [[kenesh_label(f.key), f.answered, f.total, f.mean or 0] for f in ind.kenesh.figures],
        ),
        ReportTable(
            "impacts",
            _("Acts followed up"),
            [
                _("Act"),
                _("Months after entry into force"),
                _("Consulted"),
                _("Answered"),
                _("Change of local budgets, som a year"),
                _("Services, average from 1 to 5"),
                _("New duties without funding"),
            ],
            [
                [
                    i.act_title,
                    i.months or 0,
                    i.targeted,
                    i.answered,
                    i.budget_change.total,
                    round(i.services_mean, 2) if i.services_mean is not None else "—",
                    i.unfunded_yes,
                ]
                for i in ind.impacts
            ],
        ),
        ReportTable(
            "participation",
            _("Participation of municipalities"),
            ["СОАТЕ", _("Municipality"), _("Consulted"), _("Answered"), _("Response rate")],
            [[r.key, r.name, r.targeted, r.answered, r.rate] for r in ind.participation],
            (4,),
        ),
    ]
    return {t.key: t for t in tables}


def _stances(ind: Indicators) -> ReportTable:
    counts = {t.key: t.count for t in ind.stances}
    total = sum(counts.values())
    return ReportTable(
        "stances",
        _("Positions of the municipalities"),
        [_("Position"), _("Answers"), _("Share")],
        [
            [stance_label(s), counts.get(s.value, 0), counts.get(s.value, 0) / total if total else 0]
            for s in Stance
        ],
        (2,),
    )


def _proposals(ind: Indicators) -> ReportTable:
    p = ind.proposals
    rows: list[list[Value]] = [
        [decision_label(d), n, p.share(n)]
        for d, n in (
            (ProposalDecision.ACCEPTED, p.accepted),
            (ProposalDecision.PARTLY_ACCEPTED, p.partly),
            (ProposalDecision.REJECTED, p.rejected),
            (None, p.undecided),
        )
    ]
    rows.append([_("Proposals in all (grouped by article)"), p.grouped, 1 if p.grouped else 0])
    return ReportTable(
        "proposals",
        _("Proposals and what became of them"),
        [_("Decision"), _("Proposals"), _("Share")],
        rows,
        (2,),
    )


def _budget(ind: Indicators) -> ReportTable:
    b = ind.budget
    return ReportTable(
        "budget",
        _("Budget impact reported"),
        [_("Figure"), _("Value")],
        [
            [_("Answers on draft laws"), b.answers],
            [_("Answers with an estimated cost"), b.with_cost],
            [_("Estimated extra cost, som a year in all"), b.total_cost],
            [_("New duties without funding reported"), b.unfunded],
        ],
    )


def groups_table(groups: dict[str, int]) -> ReportTable:
    return ReportTable(
        "groups",
        _("Groups of residents most affected"),
        [_("Group"), _("Municipalities")],
        [[group_label(k), n] for k, n in sorted(groups.items(), key=lambda item: -item[1])],
    )
