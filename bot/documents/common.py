"""Pieces every document of a consultation shares: its title, percentages, the lines of the summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.i18n import _, format_number
from bot.labels import stance_label
from bot.presentation.formats import percent
from bot.services.export_data import ExportData
from bot.services.positions import PositionSummary, Proposal
from bot.services.question_tallies import OptionTally, tallies


def document_title(data: ExportData) -> str:
    return data.consultation.title(data.locale)[0] or _("(untitled)")


def pct(share: float) -> str:
    return f"{percent(share)}%"


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def answered_by(by_deputy: bool) -> str:
    return _("deputy (staff member of the municipality)") if by_deputy else _("head of the municipality")


def answered_line(summary: PositionSummary) -> str:
    return _("Answered: {answered} of {targeted} ({rate}%).").format(
        answered=format_number(summary.answered),
        targeted=format_number(summary.targeted),
        rate=percent(summary.rate),
    )


def quorum_line(summary: PositionSummary) -> str:
    text = (
        _("Quorum of {quorum}%: reached.") if summary.quorum_met else _("Quorum of {quorum}%: not reached.")
    )
    return text.format(quorum=percent(summary.quorum))


def cost_lines(summary: PositionSummary) -> list[str]:
    if summary.costs_reported:
        cost = _("Extra cost: {total} som a year in all, median {median} som ({count} estimates).").format(
            total=format_number(summary.total_cost),
            median=format_number(round(summary.median_cost or 0)),
            count=format_number(summary.costs_reported),
        )
    else:
        cost = _("No municipality estimated the cost.")
    unfunded = _("New duties without funding: {count}.").format(
        count=format_number(summary.unfunded_mandates)
    )
    return [cost, unfunded]


def stance_line(summary: PositionSummary) -> str:
    return "; ".join(
        f"{stance_label(s.stance)}: {format_number(s.count)} ({pct(s.share)})" for s in summary.stances
    )


def _attributed(pairs: list[tuple[str, str | None]]) -> list[str]:
    """Texts with their municipality's name, or the text alone when every municipality wrote the same."""
    texts = [text for _name, text in pairs if text]
    if not texts:
        return ["—"]
    if len(texts) == len(pairs) and len(set(texts)) == 1:
        return [texts[0]]
    return [f"{name}: {text}" for name, text in pairs if text]


def wordings(proposals: list[Proposal]) -> list[str]:
    return _attributed([(p.municipality, p.wording) for p in proposals])


def justifications(proposals: list[Proposal]) -> list[str]:
    return _attributed([(p.municipality, p.justification) for p in proposals])


def question_tallies(data: ExportData) -> list[OptionTally]:
    """The consultation's own questions counted over the current answers, in the document's locale."""
    extras = (row.extra_answers for row in data.answers)
    return tallies(data.consultation.extra_questions, extras, data.locale)


def attachment_name(attachment: Mapping[str, Any]) -> str:
    """A file by its name; a photo (or a file sent without a name) by what it is."""
    if attachment.get("name"):
        return str(attachment["name"])
    return _("photo") if attachment.get("kind") == "photo" else _("document")
