"""The annual report to the Jogorku Kenesh (DOCX) in Kyrgyz or Russian: a title page, the year in
numbers on one page, a section per group of indicators with tables and charts, a section per act
followed up, and the annex of municipalities' participation."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from bot.documents.annual_report import charts
from bot.documents.annual_report.summary import summary_lines
from bot.documents.annual_report.tables import ReportTable, groups_table, report_tables
from bot.documents.docx_parts import add_table, to_bytes
from bot.i18n import _, format_date, format_number, use_locale
from bot.labels import decision_label, stance_label
from bot.presentation.formats import percent
from bot.services.indicators import ActImpact, Indicators
from bot.spreadsheets import xml_text as clean
from models import ProposalDecision, Stance

IMAGE_WIDTH = Cm(16)
TOP = 10  # municipalities named as most and least engaged
COMMENTS = 10  # comments quoted per act
STANCE_COLOURS = ("#2e7d32", "#9ccc65", "#c62828", "#90a4ae")


def report_title() -> str:
    return _("Annual report to the Jogorku Kenesh of the Kyrgyz Republic")


def period_text(ind: Indicators, locale: str) -> str:
    if ind.period.year is not None:
        return _("Year {year}").format(year=ind.period.year)
    return _("From {first} to {last}").format(
        first=format_date(ind.period.start, ind.period.zone, locale),
        last=format_date(
            datetime.combine(ind.period.last_day, datetime.min.time(), ind.period.zone),
            ind.period.zone,
            locale,
        ),
    )


def _new_document(locale: str) -> Document:
    document = docx.Document()
    document.core_properties.title = report_title()
    document.core_properties.language = locale
    for name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = "Times New Roman"  # type: ignore[attr-defined]
        if name != "Normal":
            style.font.color.rgb = RGBColor(0, 0, 0)  # type: ignore[attr-defined]
    document.styles["Normal"].font.size = Pt(12)  # type: ignore[attr-defined]
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2)
    return document


def _cell(value: object, as_percent: bool) -> str:
    if as_percent and isinstance(value, int | float):
        return f"{percent(float(value))}%"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return format_number(round(value, 1))
    if isinstance(value, int):
        return format_number(value)
    return str(value)


def _table(document: Document, table: ReportTable, *, rows: list | None = None, heading: bool = True) -> None:
    if heading:
        document.add_heading(clean(table.title), level=2)
    body = table.rows if rows is None else rows
    if not body:
        document.add_paragraph(_("No data for this period."))
        return
    add_table(
        document,
        table.headers,
        [[_cell(v, i in table.percent_columns) for i, v in enumerate(row)] for row in body],
    )


def _picture(document: Document, png: bytes) -> None:
    document.add_picture(io.BytesIO(png), width=IMAGE_WIDTH)
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def build_report(
    ind: Indicators, locale: str, *, generated_at: datetime, zone: ZoneInfo, association: str | None = None
) -> bytes:
    """The report as DOCX bytes, in ``locale``; a period without data says so instead of failing."""
    with use_locale(locale):
        document = _new_document(locale)
        tables = report_tables(ind)
        _title_page(document, ind, locale, generated_at, zone, association)
        document.add_page_break()
        document.add_heading(_("The period in numbers"), level=1)
        if ind.empty:
            document.add_paragraph(
                _("No consultations or surveys were held in this period, so there is nothing to report yet.")
            )
            return to_bytes(document)
        add_table(
            document, [_("Indicator"), _("Value")], [[label, value] for label, value in summary_lines(ind)]
        )
        document.add_page_break()
        _consultations(document, ind, tables)
        _participation(document, ind, tables)
        _positions(document, ind, tables)
        _proposals(document, ind, tables)
        document.add_heading(_("5. Budget impact"), level=1)
        _table(document, tables["budget"], heading=False)
        _procedures(document, ind)
        document.add_heading(_("7. The work of local keneshes"), level=1)
        document.add_paragraph(
            _(
                "Local kenesh surveys: {surveys}; municipalities that answered: {answered} of {targeted}."
            ).format(
                surveys=format_number(ind.kenesh.surveys),
                answered=format_number(ind.kenesh.answered),
                targeted=format_number(ind.kenesh.targeted),
            )
        )
        _table(document, tables["kenesh"], heading=False)
        _acts(document, ind)
        document.add_page_break()
        document.add_heading(_("Annex. Participation of municipalities"), level=1)
        _table(document, tables["participation"], heading=False)
        return to_bytes(document)


def _title_page(
    document: Document,
    ind: Indicators,
    locale: str,
    generated_at: datetime,
    zone: ZoneInfo,
    association: str | None,
) -> None:
    for _index in range(6):
        document.add_paragraph()
    title = document.add_heading(report_title(), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    lines = [
        _(
            "On how laws and decisions of the Cabinet of Ministers affected local communities, "
            "and on the work of local keneshes, by objective indicators"
        ),
        period_text(ind, locale),
    ]
    if association:
        lines.append(association)
    lines.append(_("Prepared with Pikir: {date}").format(date=format_date(generated_at, zone, locale)))
    for line in lines:
        paragraph = document.add_paragraph(clean(line))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _consultations(document: Document, ind: Indicators, tables: dict[str, ReportTable]) -> None:
    document.add_heading(_("1. Consultations held"), level=1)
    document.add_paragraph(
        _("Consultations on draft acts: {consultations}; surveys: {surveys}.").format(
            consultations=format_number(ind.consultations), surveys=format_number(ind.surveys)
        )
    )
    _table(document, tables["topics"])
    _table(document, tables["initiators"])


def _participation(document: Document, ind: Indicators, tables: dict[str, ReportTable]) -> None:
    document.add_heading(_("2. Participation of municipalities"), level=1)
    document.add_paragraph(
        _("Municipalities answered {answered} of {targeted} times they were consulted ({rate}%).").format(
            answered=format_number(ind.overall.answered),
            targeted=format_number(ind.overall.targeted),
            rate=percent(ind.overall.rate),
        )
    )
    _table(document, tables["oblasts"])
    if ind.by_oblast:
        _picture(document, charts.oblast_chart(ind))
    _table(document, tables["districts"])
    _table(document, tables["kinds"])
    _table(document, tables["months"])
    if ind.by_month:
        _picture(document, charts.monthly_chart(ind))
    participation = tables["participation"]
    top = ReportTable("most", _("The most engaged municipalities"), participation.headers, [], (4,))
    _table(
        document, top, rows=[[r.key, r.name, r.targeted, r.answered, r.rate] for r in ind.most_engaged(TOP)]
    )
    bottom = ReportTable("least", _("The least engaged municipalities"), participation.headers, [], (4,))
    _table(
        document,
        bottom,
        rows=[[r.key, r.name, r.targeted, r.answered, r.rate] for r in ind.least_engaged(TOP)],
    )


def _positions(document: Document, ind: Indicators, tables: dict[str, ReportTable]) -> None:
    document.add_heading(_("3. Positions of the municipalities"), level=1)
    _table(document, tables["stances"], heading=False)
    counts = {t.key: t.count for t in ind.stances}
    if counts:
        _picture(
            document,
            charts.counts_chart(
                _("Positions of the municipalities"),
                [stance_label(s) for s in Stance],
                [counts.get(s.value, 0) for s in Stance],
                STANCE_COLOURS,
            ),
        )
    median = ind.median_days_to_position
    document.add_paragraph(
        _(
            "Positions adopted: {count}; median time from publication to an adopted position: {days} days."
        ).format(
            count=format_number(ind.positions_adopted),
            days=format_number(round(median, 1)) if median is not None else "—",
        )
    )


def _proposals(document: Document, ind: Indicators, tables: dict[str, ReportTable]) -> None:
    p = ind.proposals
    document.add_heading(_("4. Proposals and what became of them"), level=1)
    document.add_paragraph(
        _("Amendments proposed: {amendments}, grouped by article: {grouped}.").format(
            amendments=format_number(p.amendments), grouped=format_number(p.grouped)
        )
    )
    _table(document, tables["proposals"], heading=False)
    if p.grouped:
        _picture(
            document,
            charts.counts_chart(
                _("Proposals and what became of them"),
                _decision_names(),
                [p.accepted, p.partly, p.rejected, p.undecided],
                charts.DECISION_COLOURS,
            ),
        )


def _decision_names() -> list[str]:
    return [
        decision_label(ProposalDecision.ACCEPTED),
        decision_label(ProposalDecision.PARTLY_ACCEPTED),
        decision_label(ProposalDecision.REJECTED),
        decision_label(None),
    ]


def _procedures(document: Document, ind: Indicators) -> None:
    document.add_heading(_("6. Approval and committee sittings"), level=1)
    lines = summary_lines(ind)[-2:]
    for label, value in lines:
        document.add_paragraph(clean(f"{label}: {value}"))


def _acts(document: Document, ind: Indicators) -> None:
    document.add_heading(_("8. Acts followed up"), level=1)
    if not ind.impacts:
        document.add_paragraph(_("No act was followed up in this period."))
        return
    for impact in ind.impacts:
        _act(document, impact)


def _act(document: Document, impact: ActImpact) -> None:
    document.add_heading(clean(impact.act_title or "—"), level=2)
    document.add_paragraph(
        _("{months} months after entry into force: {answered} of {targeted} municipalities answered.").format(
            months=format_number(impact.months or 0),
            answered=format_number(impact.answered),
            targeted=format_number(impact.targeted),
        )
    )
    budget = impact.budget_change
    services = impact.services_mean
    add_table(
        document,
        [_("Indicator"), _("Value")],
        [
            [_("Change of local budgets, som a year in all"), format_number(round(budget.total))],
            [
                _("Change per municipality that answered, som a year"),
                _cell(budget.mean, False) if budget.mean is not None else "—",
            ],
            [
                _("Services, average from 1 (much worse) to 5 (much better)"),
                _cell(services, False) if services is not None else "—",
            ],
            [
                _("New duties without funding"),
                _("{part} of {whole}").format(part=impact.unfunded_yes, whole=impact.unfunded_answered),
            ],
        ],
    )
    groups = groups_table(impact.groups)
    _table(document, groups, rows=[row for row in groups.rows if row[1]])
    if impact.comments:
        document.add_paragraph(_("What the municipalities wrote:"))
        for comment in impact.comments[:COMMENTS]:
            document.add_paragraph(clean(comment), style="List Bullet")
