"""The position paper for the committee (DOCX): the draft, the numbers, the position, the proposals."""

from __future__ import annotations

from docx.document import Document

from bot.documents.common import (
    answered_by,
    answered_line,
    cost_lines,
    document_title,
    justifications,
    pct,
    quorum_line,
    wordings,
)
from bot.documents.docx_parts import (
    Cell,
    add_draft_details,
    add_footer,
    add_paragraphs,
    add_table,
    new_document,
    to_bytes,
)
from bot.i18n import _, format_date, format_number, use_locale
from bot.labels import stance_label
from bot.presentation.formats import group_name, percent, submitted_line
from bot.services.export_data import ExportData
from bot.services.positions import GroupResponse, PositionSummary, ProposalGroupSummary
from bot.spreadsheets import xml_text as clean
from models import Stance


def _response_rows(groups: list[GroupResponse]) -> list[list[Cell]]:
    return [
        [
            ("⚠ " if g.underrepresented else "") + group_name(g),
            format_number(g.targeted),
            format_number(g.answered),
            pct(g.rate),
            *(format_number(g.stances[stance]) for stance in Stance),
        ]
        for g in groups
    ]


def _numbers(document: Document, summary: PositionSummary) -> None:
    """Response, quorum, stances (by head count and by population), costs, and representativeness."""
    document.add_heading(_("The answers in numbers"), level=1)
    document.add_paragraph(answered_line(summary))
    document.add_paragraph(quorum_line(summary))
    weighted = summary.population_known > 0
    headers = [_("Opinion"), _("Municipalities"), _("Share")]
    if weighted:
        headers += [_("Population"), _("Share of the population")]
    rows: list[list[Cell]] = []
    for s in summary.stances:
        row: list[Cell] = [stance_label(s.stance), format_number(s.count), pct(s.share)]
        if weighted:
            row += [format_number(s.population), pct(s.population_share or 0)]
        rows.append(row)
    add_table(document, headers, rows)
    if weighted and summary.population_known < summary.answered:
        document.add_paragraph(
            _(
                "Population is known for {known} of the {answered} municipalities that answered; "
                "the population shares count only them."
            ).format(known=format_number(summary.population_known), answered=format_number(summary.answered))
        )
    document.add_paragraph()
    for line in cost_lines(summary):
        document.add_paragraph(line)

    stance_headers = [stance_label(stance) for stance in Stance]
    counts = [_("Asked"), _("Answered"), _("Response rate"), *stance_headers]
    document.add_heading(_("By oblast"), level=2)
    add_table(document, [_("Oblast"), *counts], _response_rows(summary.by_oblast))
    document.add_heading(_("By kind of municipality"), level=2)
    add_table(document, [_("Kind of municipality"), *counts], _response_rows(summary.by_kind))
    document.add_paragraph()
    if summary.warnings:
        for group in summary.warnings:
            document.add_paragraph(
                "⚠ "
                + _("Few answers from {name}: {rate}% against {overall}% overall.").format(
                    name=group_name(group), rate=percent(group.rate), overall=percent(summary.rate)
                )
            )
    elif summary.answered:
        document.add_paragraph(_("The answers come evenly from the oblasts and kinds of municipalities."))


def _position_text(document: Document, data: ExportData) -> None:
    document.add_heading(_("The position of the association"), level=1)
    position = data.position
    if position is None:
        document.add_paragraph().add_run(
            _("The consultation is still open: the numbers are preliminary and there is no position yet.")
        ).bold = True
        return
    text = (
        (position.text_ky or position.text_ru)
        if data.locale == "ky"
        else (position.text_ru or position.text_ky)
    )
    add_paragraphs(document, text)
    if position.adopted_at is not None:
        document.add_paragraph(
            _("Adopted: {date}").format(date=format_date(position.adopted_at, data.zone, data.locale))
        )
    if position.submitted_on is not None:
        document.add_paragraph(clean(submitted_line(position, data.zone, data.locale)))


def _proposal_table(document: Document, proposals: list[ProposalGroupSummary]) -> None:
    document.add_heading(_("Summary table of proposals"), level=1)
    if not proposals:
        document.add_paragraph(_("No municipality proposed amendments."))
        return
    rows: list[list[Cell]] = [
        [
            str(number),
            group.article,
            wordings(group.proposals),
            justifications(group.proposals),
            [format_number(group.count), ", ".join(group.municipalities)],
        ]
        for number, group in enumerate(proposals, start=1)
    ]
    headers = [_("No."), _("Article"), _("Proposed wording"), _("Justification"), _("Municipalities")]
    add_table(document, headers, rows, widths=[1.0, 2.5, 5.5, 4.0, 3.5])


def _annex(document: Document, data: ExportData) -> None:
    document.add_heading(_("Annex. Municipalities that answered"), level=1)
    rows: list[list[Cell]] = [
        [
            str(number),
            row.municipality,
            row.oblast,
            stance_label(row.stance),
            format_date(row.submitted_at, data.zone, data.locale),
            answered_by(row.by_deputy),
        ]
        for number, row in enumerate(data.answers, start=1)
    ]
    headers = [
        _("No."),
        _("Municipality"),
        _("Oblast"),
        _("Opinion"),
        _("Date of the answer"),
        _("Answered by"),
    ]
    add_table(document, headers, rows, widths=[1.0, 4.0, 3.5, 3.0, 2.5, 2.5])


def position_paper(data: ExportData) -> bytes:
    """The position paper for the committee (DOCX): the draft, the numbers, the position, the proposals."""
    with use_locale(data.locale):
        document = new_document(
            data, _("Position of the association on the draft «{title}»").format(title=document_title(data))
        )
        if data.position is not None and data.position.adopted_at is None:
            # On every page too: a draft must not pass for the adopted position when printed.
            draft = _("DRAFT: the position has not been adopted yet.")
            document.sections[0].header.paragraphs[0].text = draft
            document.add_paragraph().add_run(draft).bold = True
        document.add_heading(_("The draft act"), level=1)
        add_draft_details(document, data)
        _numbers(document, data.summary)
        _position_text(document, data)
        _proposal_table(document, data.summary.proposals)
        _annex(document, data)
        add_footer(document, data)
        return to_bytes(document)

