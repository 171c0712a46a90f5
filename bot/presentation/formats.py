"""Small formats shared by the screens, the stored position texts and the documents."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import _, format_number, format_official_date, ngettext
from bot.labels import kind_label
from bot.services.positions import GroupResponse
from models import Position


def percent(share: float) -> str:
    """A share as a percentage with one decimal, in the current locale: 0.4167 -> «41,7»."""
    return format_number(round(100 * share, 1))


def submitted_line(position: Position, zone: ZoneInfo, locale: str) -> str:
    """«Submitted to X on 5 December 2026», for the screens and the documents."""
    if position.submitted_on is None:
        return ""
    return _("Submitted to {addressee} on {date}").format(
        addressee=position.addressee or "—", date=format_official_date(position.submitted_on, zone, locale)
    )


def group_name(group: GroupResponse) -> str:
    """An oblast by its name, a kind of municipality in the current locale."""
    return kind_label(group.kind) if group.kind else group.name


def answered_sentence(answered: int, targeted: int, rate: float) -> str:
    """«21 of 25 municipalities answered (84%).» in the current locale."""
    # Russian «из 21 муниципалитета», «из 25 муниципалитетов»: the form follows the total.
    return ngettext(
        "{answered} of {targeted} municipality answered ({rate}%).",
        "{answered} of {targeted} municipalities answered ({rate}%).",
        targeted,
    ).format(answered=format_number(answered), targeted=format_number(targeted), rate=percent(rate))
