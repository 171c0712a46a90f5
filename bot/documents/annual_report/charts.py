"""The report's charts (PNG at print resolution, 300 dpi, 16 cm wide): drawn with matplotlib's Agg
canvas (no pyplot state), in the current locale."""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.i18n import _, format_number
from bot.presentation.formats import percent
from bot.services.indicators import Indicators

PRINT_DPI = 300
WIDTH_INCHES = 6.3  # 16 cm: the text width of an A4 page with the documents' margins
BAR = "#1f5f8b"
DECISION_COLOURS = ("#2e7d32", "#9ccc65", "#c62828", "#b0bec5")


def _figure(height: float):  # type: ignore[no-untyped-def]
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=PRINT_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure, dpi: int = PRINT_DPI) -> bytes:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _rate_bars(title: str, names: Sequence[str], rates: Sequence[float], *, horizontal: bool) -> bytes:
    figure = _figure(1.6 + 0.28 * len(names) if horizontal else 3.0)
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=11, fontweight="bold")
    values = [100 * r for r in rates]
    places = list(range(len(names)))
    if horizontal:
        bars = axes.barh(places, values, color=BAR)
        axes.set_yticks(places, list(names), fontsize=8)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel("%")
    else:
        bars = axes.bar(places, values, color=BAR)
        axes.set_xticks(places, list(names), fontsize=8, rotation=45 if len(names) > 6 else 0)
        axes.set_ylim(0, 100)
        axes.set_ylabel("%")
    axes.bar_label(bars, labels=[percent(r) for r in rates], fontsize=7, padding=2)
    return _png(figure)


def monthly_chart(ind: Indicators) -> bytes:
    return _rate_bars(
        _("Response rate by month of publication"),
        [r.key for r in ind.by_month],
        [r.rate for r in ind.by_month],
        horizontal=False,
    )


def oblast_chart(ind: Indicators) -> bytes:
    return _rate_bars(
        _("Response rate by oblast"),
        [r.name for r in ind.by_oblast],
        [r.rate for r in ind.by_oblast],
        horizontal=True,
    )


def counts_chart(title: str, names: Sequence[str], counts: Sequence[int], colours: Sequence[str]) -> bytes:
    """Counts as horizontal bars, one colour each (stances, the fate of proposals)."""
    figure = _figure(1.4 + 0.35 * len(names))
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=11, fontweight="bold")
    places = list(range(len(names)))
    bars = axes.barh(places, list(counts), color=list(colours))
    axes.set_yticks(places, list(names), fontsize=8)
    axes.invert_yaxis()
    axes.bar_label(bars, labels=[format_number(c) for c in counts], fontsize=8, padding=2)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.margins(x=0.15)
    return _png(figure)
