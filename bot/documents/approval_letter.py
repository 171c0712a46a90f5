"""The association's formal answer to a state body's approval request (DOCX), as an office signs it:
the letterhead, the outgoing number and date with the reference to the incoming letter, the addressee,
the subject, the decision, the remarks as a numbered list, and the signature block."""

from __future__ import annotations

import io

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from bot.config import ProcedureSettings
from bot.i18n import _, format_official_day, use_locale
from bot.services.procedures.letter import LetterData
from bot.spreadsheets import xml_text as clean
from models.procedures import ApprovalDecision


def _page(title: str, locale: str) -> Document:
    """A4, Times New Roman 14 as Kyrgyz and Russian official letters are typed, bound on the left."""
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.language = locale
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"  # type: ignore[attr-defined]
    normal.font.size = Pt(14)  # type: ignore[attr-defined]
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2)
    return document


def _rule(paragraph: object) -> None:
    """A line under the letterhead (a bottom border of its last paragraph)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)  # type: ignore[attr-defined]


def _letterhead(document: Document, settings: ProcedureSettings, locale: str) -> None:
    name, address, contacts = settings.letterhead(locale)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(clean(name).upper()).bold = True
    last = heading
    for line in (address, contacts):
        if line:
            last = document.add_paragraph(clean(line))
            last.alignment = WD_ALIGN_PARAGRAPH.CENTER
            last.runs[0].font.size = Pt(11)
    _rule(last)


def _references(document: Document, data: LetterData, locale: str) -> None:
    approval = data.approval
    assert approval.outgoing_date is not None
    document.add_paragraph(
        clean(
            _("No. {number} of {date}").format(
                number=approval.outgoing_number, date=format_official_day(approval.outgoing_date, locale)
            )
        )
    )
    document.add_paragraph(
        clean(
            _("In reply to No. {number} of {date}").format(
                number=approval.incoming_number, date=format_official_day(approval.incoming_date, locale)
            )
        )
    )


def _addressee(document: Document, data: LetterData) -> None:
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.add_run(clean(data.approval.addressee or data.approval.body_name)).bold = True


def _decision_text(decision: ApprovalDecision) -> str:
    if decision is ApprovalDecision.APPROVED:
        return _("The draft is approved without remarks.")
    if decision is ApprovalDecision.WITH_REMARKS:
        return _("The draft is approved subject to the following remarks:")
    return _("The draft is not approved, for the following reasons:")


def _body(document: Document, data: LetterData, title: str, locale: str) -> None:
    approval = data.approval
    subject = document.add_paragraph()
    subject.add_run(clean(_("On the approval of the draft «{title}»").format(title=title))).italic = True
    body = _(
        "Having considered the draft «{title}» sent with your letter No. {number} of {date}, together with "
        "the opinions of the local self-government bodies, we inform you of the following."
    ).format(
        title=title,
        number=approval.incoming_number,
        date=format_official_day(approval.incoming_date, locale),
    )
    paragraph = document.add_paragraph(clean(body))
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1.25)
    assert approval.decision is not None
    decision = document.add_paragraph()
    decision.paragraph_format.first_line_indent = Cm(1.25)
    decision.add_run(clean(_decision_text(approval.decision))).bold = True
    if approval.decision is not ApprovalDecision.APPROVED:
        for number, remark in enumerate(data.remarks, start=1):
            item = document.add_paragraph(clean(f"{number}. {remark}"))
            item.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            item.paragraph_format.first_line_indent = Cm(1.25)


def _signature(document: Document, settings: ProcedureSettings, locale: str) -> None:
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Cm(9), Cm(7.5)
    left.paragraphs[0].add_run(clean(settings.signatory_title(locale))).bold = True
    signed = right.paragraphs[0]
    signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signed.add_run("_______________ " + clean(settings.signatory_name or "_______________")).bold = True


def approval_letter(data: LetterData, settings: ProcedureSettings) -> bytes:
    """The answer letter in the state body's language, ready to print, sign and send."""
    locale = data.locale
    with use_locale(locale):
        title = data.consultation.title(locale)[0] or _("(untitled)")
        document = _page(_("On the approval of the draft «{title}»").format(title=title), locale)
        _letterhead(document, settings, locale)
        _references(document, data, locale)
        _addressee(document, data)
        _body(document, data, title, locale)
        _signature(document, settings, locale)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
