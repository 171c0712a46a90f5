"""The chart of a consultation (PNG): the municipalities' stances per oblast."""

from __future__ import annotations

import io
import textwrap

from bot.documents.common import document_title
from bot.i18n import _, format_number, use_locale
from bot.labels import stance_label
from bot.services.export_data import ExportData
from models import Stance

STANCE_COLOURS = {
    Stance.SUPPORT: "#2e7d32",
    Stance.SUPPORT_WITH_AMENDMENTS: "#9ccc65",
    Stance.OPPOSE: "#c62828",
    Stance.NO_OPINION: "#90a4ae",
}
NO_ANSWER_COLOUR = "#eceff1"


def stance_chart(data: ExportData) -> bytes:
    """Stances per oblast as horizontal stacked bars (PNG, 1000 px wide), the silent ones in pale grey."""
    # Imported here: matplotlib takes a while to load and only this chart needs it. Figure with its own
    # Agg canvas (not pyplot) keeps no global state, so charts can be drawn in several threads at once.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with use_locale(data.locale):
        groups = data.summary.by_oblast
        figure = Figure(figsize=(10, 2.8 + 0.6 * max(len(groups), 1)), dpi=100, layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        figure.suptitle(_("Opinions of the municipalities by oblast"), fontsize=14, fontweight="bold")
        axes.set_title(textwrap.shorten(document_title(data), 110, placeholder="…"), fontsize=10)
        if not data.summary.answered:
            axes.set_axis_off()
            axes.text(0.5, 0.5, _("No answers yet."), ha="center", va="center", fontsize=14)
        else:
            places = list(range(len(groups)))
            left = [0] * len(groups)
            segments = [(stance_label(s), STANCE_COLOURS[s], [g.stances[s] for g in groups]) for s in Stance]
            segments.append((_("No answer"), NO_ANSWER_COLOUR, [g.targeted - g.answered for g in groups]))
            for label, colour, counts in segments:
                bars = axes.barh(places, counts, left=left, color=colour, label=label, edgecolor="white")
                axes.bar_label(
                    bars, labels=[format_number(c) if c else "" for c in counts], label_type="center"
                )
                left = [a + b for a, b in zip(left, counts, strict=True)]
            axes.set_yticks(places, [g.name for g in groups])
            axes.invert_yaxis()  # the first oblast on top
            axes.set_xlabel(_("Municipalities"))
            axes.xaxis.get_major_locator().set_params(integer=True)
            figure.legend(loc="outside lower center", ncols=len(segments), frameon=False)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
