"""The disagreement protocol for the budget committee's conciliation sitting (DOCX), per disputed item."""

from __future__ import annotations

from bot.documents.common import (
    answered_line,
    cost_lines,
    document_title,
    quorum_line,
    stance_line,
    wordings,
)
from bot.documents.docx_parts import Cell, add_draft_details, add_footer, add_table, new_document, to_bytes
from bot.i18n import _, format_number, use_locale
from bot.services.export_data import ExportData
from bot.services.positions import BUDGET_KEY, ProposalGroupSummary
from models import ProposalGroup


def _budget_item(data: ExportData) -> list[Cell]:
    """The first item of the protocol: what the draft costs the local budgets, by the answers."""
    summary = data.summary
    municipalities = [answered_line(summary), stance_line(summary), *cost_lines(summary)]
    estimates = sorted((r for r in data.answers if r.annual_cost), key=lambda r: -(r.annual_cost or 0))
    municipalities += [
        _("{municipality}: {cost} som a year").format(
            municipality=r.municipality, cost=format_number(r.annual_cost or 0)
        )
        for r in estimates
    ]
    record = data.groups.get(BUDGET_KEY)
    return [
        "1",
        _("The budget as a whole"),
        (record.government_position if record else None) or _("not entered"),
        municipalities,
        (record.recommendation if record else None) or _("not entered"),
    ]


def _group_item(number: int, group: ProposalGroupSummary, record: ProposalGroup | None) -> list[Cell]:
    municipalities = [
        _("Proposed by {count}: {names}.").format(
            count=format_number(group.count), names=", ".join(group.municipalities)
        ),
        *wordings(group.proposals),
    ]
    return [
        str(number),
        group.article,
        (record.government_position if record else None) or _("not entered"),
        municipalities,
        (record.recommendation if record else None) or _("not entered"),
    ]


def disagreement_protocol(data: ExportData) -> bytes:
    """The disagreement protocol for the budget committee's conciliation sitting (DOCX), per disputed item."""
    with use_locale(data.locale):
        title = _("Disagreement protocol on the draft «{title}»").format(title=document_title(data))
        document = new_document(data, title, landscape=True)
        add_draft_details(document, data)
        document.add_paragraph(answered_line(data.summary))
        document.add_paragraph(quorum_line(data.summary))
        rows = [_budget_item(data)] + [
            _group_item(number, group, data.groups.get(group.key))
            for number, group in enumerate(data.summary.proposals, start=2)
        ]
        headers = [
            _("No."),
            _("Item of disagreement"),
            _("Position of the government"),
            _("Position of the municipalities"),
            _("Recommended balanced decision"),
        ]
        add_table(document, headers, rows, widths=[1.0, 3.5, 6.5, 8.5, 6.0])
        add_footer(document, data)
        return to_bytes(document)

