"""The expert conclusion on a draft (DOCX), in Kyrgyz or Russian: each part with every expert's text,
the heads' figures beside the financial part, each expert's overall conclusion and the combined one."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import docx
from docx.shared import Cm, Pt

from bot.documents.common import answered_line, cost_lines, stance_line
from bot.i18n import _, format_official_day, use_locale
from bot.presentation.procedure_labels import part_title, verdict_label
from bot.services.procedures.expertise import PARTS, ConclusionData
from bot.spreadsheets import xml_text as clean
from models.procedures import ExpertVerdict

# The most cautious conclusion of the experts is the combined one.
SEVERITY = (ExpertVerdict.POSITIVE, ExpertVerdict.WITH_REMARKS, ExpertVerdict.NEGATIVE)


def combined(data: ConclusionData) -> ExpertVerdict:
    return max((e.verdict for e in data.experts), key=SEVERITY.index)


def expert_conclusion(data: ConclusionData, zone: ZoneInfo) -> bytes:
    locale = data.locale
    with use_locale(locale):
        title = data.consultation.title(locale)[0] or _("(untitled)")
        document = docx.Document()
        document.core_properties.language = locale
        normal = document.styles["Normal"]
        normal.font.name = "Times New Roman"  # type: ignore[attr-defined]
        normal.font.size = Pt(12)  # type: ignore[attr-defined]
        section = document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.right_margin = Cm(3), Cm(1.5)
        heading = _("Expert conclusion on the draft «{title}»").format(title=title)
        document.core_properties.title = heading
        document.add_heading(clean(heading), level=0)
        document.add_paragraph(clean(format_official_day(data.generated_at.astimezone(zone).date(), locale)))
        document.add_paragraph(
            clean(_("Experts: {names}.").format(names=", ".join(e.expert for e in data.experts)))
        )
        for part in PARTS:
            document.add_heading(clean(part_title(part)), level=1)
            if part == "finance":
                summary = data.summary
                document.add_paragraph(clean(_("The heads' figures:")))
                for line in (answered_line(summary), stance_line(summary), *cost_lines(summary)):
                    document.add_paragraph(clean(line))
            texts = [(e.expert, e.parts.get(part)) for e in data.experts if e.parts.get(part)]
            if not texts:
                document.add_paragraph(clean(_("The experts wrote nothing on this.")))
            for name, text in texts:
                paragraph = document.add_paragraph()
                paragraph.add_run(clean(f"{name}: ")).bold = True
                paragraph.add_run(clean(text or ""))
        document.add_heading(clean(_("Overall conclusion")), level=1)
        for expert in data.experts:
            document.add_paragraph(clean(f"{expert.expert}: {verdict_label(expert.verdict)}"))
        final = document.add_paragraph()
        final.add_run(
            clean(_("Conclusion of the expertise: {verdict}.").format(verdict=verdict_label(combined(data))))
        ).bold = True
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
