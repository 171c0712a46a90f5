"""An answer's fields as lines of a message: for the head checking it and for the coordinator reading it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiogram import html

from bot.i18n import _, format_number
from bot.labels import impact_label, service_label
from models.answers import Stance


def stance_name(stance: str) -> str:
    return {
        Stance.SUPPORT: _("👍 Support"),
        Stance.SUPPORT_WITH_AMENDMENTS: _("✏ Support with amendments"),
        Stance.OPPOSE: _("👎 Oppose"),
        Stance.NO_OPINION: _("🤷 No opinion"),
    }[Stance(stance)]


def answer_lines(values: dict[str, Any], shown: Callable[[str], str]) -> list[str]:
    """An answer's fields, a line each; ``values`` keyed as in the draft, long texts through ``shown``."""
    stance = values.get("stance")
    lines = [_("Position: {value}").format(value=stance_name(stance) if stance else "—")]
    if values.get("impact"):
        lines.append(_("Local budget: {value}").format(value=impact_label(values["impact"])))
    if values.get("cost") is not None:
        lines.append(_("Estimated annual cost: {value} som").format(value=format_number(values["cost"])))
    if values.get("mandate") is not None:
        lines.append(
            _("New mandate without funding: {value}").format(value=_("Yes") if values["mandate"] else _("No"))
        )
    if values.get("services"):
        lines.append(
            _("Local services: {value}").format(value=", ".join(service_label(s) for s in values["services"]))
        )
    if values.get("comment"):
        lines.append(_("Comment: {value}").format(value=shown(values["comment"])))
    for number, amendment in enumerate(values.get("amendments", []), start=1):
        lines += [
            "",
            _("Amendment {number}: {article}").format(
                number=number, article=html.quote(amendment["article"])
            ),
            _("Proposed wording: {value}").format(value=shown(amendment["wording"])),
        ]
        if amendment.get("justification"):
            lines.append(_("Justification: {value}").format(value=shown(amendment["justification"])))
    if values.get("attachments"):
        lines.append(_("Attachments: {count}").format(count=len(values["attachments"])))
    return lines
