"""«State of consultations» for coordinators: one PNG page with the response rate month by month and
each open consultation's rate so far."""

from __future__ import annotations

import textwrap
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.documents.annual_report.charts import BAR, _png
from bot.i18n import _, format_date, use_locale
from bot.presentation.formats import percent
from bot.services.indicators import Response

OPEN_SHOWN = 15
SCREEN_DPI = 150  # read on a phone or printed on one page; the report's charts are at 300


def state_chart(
    by_month: list[Response], open_now: list[Response], locale: str, now: datetime, zone: ZoneInfo
) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with use_locale(locale):
        shown = open_now[:OPEN_SHOWN]
        figure = Figure(figsize=(8.3, 11.7), dpi=SCREEN_DPI, layout="constrained")  # an A4 page
        FigureCanvasAgg(figure)
        figure.suptitle(
            _("State of consultations on {date}").format(date=format_date(now, zone, locale)),
            fontsize=15,
            fontweight="bold",
        )
        months, current = figure.subplots(2, 1, height_ratios=(1, 1.4))
        months.set_title(_("Response rate by month of publication"), fontsize=11)
        if by_month:
            bars = months.bar([r.key for r in by_month], [100 * r.rate for r in by_month], color=BAR)
            months.bar_label(bars, labels=[percent(r.rate) for r in by_month], fontsize=8)
            months.set_ylim(0, 100)
            months.set_ylabel("%")
            months.tick_params(axis="x", labelrotation=45, labelsize=8)
        else:
            months.set_axis_off()
            months.text(0.5, 0.5, _("No data for this period."), ha="center", va="center")
        current.set_title(_("Open consultations: answered so far"), fontsize=11)
        if shown:
            places = list(range(len(shown)))
            bars = current.barh(places, [100 * r.rate for r in shown], color=BAR)
            current.bar_label(
                bars, labels=[f"{percent(r.rate)}% ({r.answered}/{r.targeted})" for r in shown], fontsize=8
            )
            current.set_yticks(
                places, [textwrap.shorten(r.name, 45, placeholder="…") for r in shown], fontsize=8
            )
            current.invert_yaxis()
            current.set_xlim(0, 115)
            current.set_xlabel("%")
        else:
            current.set_axis_off()
            current.text(0.5, 0.5, _("There are no open consultations right now."), ha="center", va="center")
        return _png(figure, SCREEN_DPI)
