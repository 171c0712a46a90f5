"""What the position screens show: the numbers, where the position stands, and the buttons for its state."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import _, current_locale, format_number
from bot.labels import act_fate_label, route_label, stance_label
from bot.presentation.formats import percent, submitted_line
from bot.services import positions as service
from handlers.callbacks import (
    DocumentLanguages,
    Language,
    OutcomeScreen,
    PositionAdopt,
    PositionScreen,
    PositionSubmit,
    PositionText,
    ProposalList,
)
from handlers.texts import fit_message
from handlers.views.consultation_status import status_name
from handlers.views.screens import Button, keyboard
from models import NoAgreementRoute, Position, ProposalDecision
from models.consultations import Consultation, ConsultationStatus

WORDING_SHOWN = 300
# The disagreement protocol's government views can be entered from closing until the outcome.
GOVERNMENT_STATUSES = (
    ConsultationStatus.CLOSED,
    ConsultationStatus.POSITION_ADOPTED,
    ConsultationStatus.SUBMITTED,
)
DECISION_ICONS = {
    ProposalDecision.ACCEPTED: "✅",
    ProposalDecision.PARTLY_ACCEPTED: "◐",
    ProposalDecision.REJECTED: "❌",
}


def shorten(text: str, limit: int = WORDING_SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def back_to_position(cid: int) -> Button:
    return _("◀ Back to the position"), PositionScreen(cid=cid)


def numbers_text(consultation: Consultation, summary: service.PositionSummary) -> str:
    """The position's numbers, as the coordinator reads them before adopting it."""
    lines = [
        f"<b>{html.quote(consultation.title(current_locale())[0])}</b>",
        _("Status: {status}.").format(status=status_name(consultation.status)),
        _("Answered: {answered} of {targeted} ({rate}%).").format(
            answered=format_number(summary.answered),
            targeted=format_number(summary.targeted),
            rate=percent(summary.rate),
        ),
        (
            _("Quorum of {quorum}%: reached.")
            if summary.quorum_met
            else _("Quorum of {quorum}%: not reached.")
        ).format(quorum=percent(summary.quorum)),
        "",
    ]
    for share in summary.stances:
        line = f"• {stance_label(share.stance)}: {format_number(share.count)} ({percent(share.share)}%)"
        if share.population_share is not None:
            line += " — " + _("{share}% of the population").format(share=percent(share.population_share))
        lines.append(line)
    if summary.costs_reported:
        lines.append(
            _("Extra cost: {total} som a year in all, median {median} som ({count} estimates).").format(
                total=format_number(summary.total_cost),
                median=format_number(round(summary.median_cost or 0)),
                count=format_number(summary.costs_reported),
            )
        )
    lines.append(
        _("New duties without funding: {count}.").format(count=format_number(summary.unfunded_mandates))
    )
    lines.append(_("Articles with amendments: {count}.").format(count=format_number(len(summary.proposals))))
    for group in summary.warnings:
        lines.append(
            "⚠ "
            + _("Few answers from {name}: {rate}% against {overall}% overall.").format(
                name=html.quote(group.name), rate=percent(group.rate), overall=percent(summary.rate)
            )
        )
    return fit_message("\n".join(lines))


def route_and_note(position: Position) -> list[str]:
    """The no-agreement route (when one was needed) and the coordinator's note on the outcome."""
    lines = []
    if position.no_agreement_route not in (None, NoAgreementRoute.NONE):
        lines.append(
            _("Where no agreement was reached: {route}.").format(
                route=route_label(position.no_agreement_route)  # type: ignore[arg-type]
            )
        )
    if position.outcome_note:
        lines.append(html.quote(position.outcome_note))
    return lines


def _position_lines(position: Position, settings: Settings) -> list[str]:
    lines = []
    if position.adopted_at is not None:
        lines.append(_("The position was adopted."))
    if position.submitted_on is not None:
        lines.append(html.quote(submitted_line(position, settings.locale.zone, current_locale())))
    if position.act_fate is not None:
        lines.append(_("Fate of the act: {fate}.").format(fate=act_fate_label(position.act_fate)))
    return lines + route_and_note(position)


def _screen_keyboard(consultation: Consultation) -> InlineKeyboardMarkup:
    """What can be done with the position in the consultation's current state."""
    cid, status = consultation.id, consultation.status
    buttons: list[Button] = [
        (_("📄 Text in Kyrgyz"), PositionText(cid=cid, language=Language.KY)),
        (_("📄 Text in Russian"), PositionText(cid=cid, language=Language.RU)),
    ]
    if status is ConsultationStatus.CLOSED:
        buttons.append((_("✅ Adopt the position"), PositionAdopt(cid=cid)))
    elif status is ConsultationStatus.POSITION_ADOPTED:
        buttons.append((_("📨 Mark as submitted"), PositionSubmit(cid=cid)))
    elif status is ConsultationStatus.SUBMITTED:
        buttons.append((_("🏛 Record the outcome"), OutcomeScreen(cid=cid)))
    if consultation.inter_budget and status in GOVERNMENT_STATUSES:
        buttons.append((_("⚖ Government's positions"), ProposalList(cid=cid)))
    buttons.append((_("📤 Documents"), DocumentLanguages(cid=cid)))
    return keyboard(buttons, 2)


async def position_screen(
    session: AsyncSession, cid: int, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    """The position's screen: its numbers, where it stands, and what can be done next."""
    consultation, position = await service.get_position(session, cid)
    summary = await service.summarise(session, cid, current_locale(), settings.position.quorum)
    text = numbers_text(consultation, summary)
    extra = _position_lines(position, settings)
    if extra:
        text = fit_message(text + "\n\n" + "\n".join(extra))
    return text, _screen_keyboard(consultation)
