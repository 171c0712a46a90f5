"""The position's text as the bot drafts it from the numbers, in Kyrgyz or Russian.

Closing a consultation stores this text in both languages (the coordinator edits it, adopts it, and the
documents print it), so it is written here, apart from any channel, and handed to the service that
closes: ``positions.close(..., drafter=draft_text)``.
"""

from __future__ import annotations

from bot.i18n import _, format_number, use_locale
from bot.labels import stance_label
from bot.presentation.articles import article_heading
from bot.presentation.formats import answered_sentence, group_name, percent
from bot.presentation.surveys import survey_text
from bot.services.positions import PositionSummary, Verdict
from models.consultations import Consultation

TOP_ARTICLES = 5  # the most supported articles named in the text



def draft_text(summary: PositionSummary, consultation: Consultation, locale: str) -> str:
    """The position as the numbers put it, in ``locale``; the coordinator edits it before adopting."""
    if consultation.is_survey:
        return survey_text(summary, consultation, locale)
    with use_locale(locale):
        title = consultation.title(locale)[0]
        lines = [
            _("The association consulted the municipalities on «{title}».").format(title=title)
            + " "
            + answered_sentence(summary.answered, summary.targeted, summary.rate)
        ]
        if summary.answered:
            lines.append(
                "; ".join(
                    f"{stance_label(s.stance)}: {format_number(s.count)} ({percent(s.share)}%)"
                    for s in summary.stances
                )
                + "."
            )
            if summary.population_known:
                lines.append(
                    _("Weighted by population: {shares}.").format(
                        shares="; ".join(
                            f"{stance_label(s.stance)} {percent(s.population_share or 0)}%"
                            for s in summary.stances
                        )
                    )
                )
        if summary.costs_reported:
            lines.append(
                _(
                    "The municipalities estimate the extra cost at {total} som a year in all "
                    "(median {median} som)."
                ).format(
                    total=format_number(summary.total_cost),
                    median=format_number(round(summary.median_cost or 0)),
                )
            )
        if summary.unfunded_mandates:
            lines.append(
                _("{count} municipalities report a new duty without funding.").format(
                    count=format_number(summary.unfunded_mandates)
                )
            )
        if summary.proposals:
            top = "; ".join(
                f"{article_heading(g.key, g.article)} ({g.count})" for g in summary.proposals[:TOP_ARTICLES]
            )
            lines.append(_("Amendments were proposed above all to: {articles}.").format(articles=top))
        lines.append(verdict_text(summary.verdict))
        if not summary.quorum_met:
            lines.append(
                _("The quorum of {quorum}% was not reached: the position is preliminary.").format(
                    quorum=percent(summary.quorum)
                )
            )
        if summary.warnings:
            lines.append(
                _("Few answers came from: {groups}; the position may not reflect them.").format(
                    groups=", ".join(f"{group_name(g)} ({percent(g.rate)}%)" for g in summary.warnings)
                )
            )
    return "\n\n".join(lines)


def verdict_text(verdict: Verdict) -> str:
    """The sentence that states the association's position, in the current locale."""
    return {
        Verdict.NO_ANSWERS: _("No municipality answered, so the association has no position on the draft."),
        Verdict.OPPOSE: _("Position of the association: not to support the draft in its present form."),
        Verdict.SUPPORT_IF_AMENDED: _(
            "Position of the association: to support the draft, provided the amendments are made."
        ),
        Verdict.SUPPORT: _("Position of the association: to support the draft."),
        Verdict.DIVIDED: _(
            "The municipalities are divided; the association asks for the draft to be reworked with them."
        ),
    }[verdict]
