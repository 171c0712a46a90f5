"""The one-page summary of the period in numbers, as (label, value) lines; call inside ``use_locale``."""

from __future__ import annotations

from bot.i18n import _, format_number
from bot.labels import stance_label
from bot.presentation.formats import percent
from bot.services.indicators import Indicators, Within
from models import Stance


def _of(part: int, whole: int) -> str:
    return _("{part} of {whole} ({rate}%)").format(
        part=format_number(part), whole=format_number(whole), rate=percent(part / whole if whole else 0)
    )


def _within(value: Within | None) -> str:
    if value is None:
        return _("not recorded in Pikir")
    if not value.total:
        return _("none in the period")
    text = _of(value.within, value.total)
    if value.partly:
        text += "; " + _("in part: {count}").format(count=format_number(value.partly))
    return text


def summary_lines(ind: Indicators) -> list[tuple[str, str]]:
    counts = {t.key: t.count for t in ind.stances}
    p, b, k = ind.proposals, ind.budget, ind.kenesh
    median = ind.median_days_to_position
    return [
        (_("Consultations on draft acts"), format_number(ind.consultations)),
        (_("Surveys"), format_number(ind.surveys)),
        (_("Answers of municipalities to consultations"), _of(ind.overall.answered, ind.overall.targeted)),
        (
            _("Positions"),
            "; ".join(f"{stance_label(s)}: {format_number(counts.get(s.value, 0))}" for s in Stance),
        ),
        (_("Proposals (grouped by article)"), format_number(p.grouped)),
        (_("Proposals accepted in full or in part"), _of(p.accepted + p.partly, p.grouped)),
        (_("Estimated extra cost reported, som a year"), format_number(b.total_cost)),
        (_("New duties without funding reported"), format_number(b.unfunded)),
        (_("Acts followed up after entry into force"), format_number(len(ind.impacts))),
        (_("Local kenesh survey: municipalities that answered"), _of(k.answered, k.targeted)),
        (
            _("Median time from publication to an adopted position, days"),
            format_number(round(median, 1)) if median is not None else "—",
        ),
        (_("Approval requests answered within term"), _within(ind.approvals_in_term)),
        (
            _("Committee sittings where the association's opinion entered the minutes"),
            _within(ind.committee_minutes),
        ),
    ]
