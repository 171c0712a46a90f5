"""Texts shown in more than one place, rendered in the current locale."""

from __future__ import annotations

from aiogram import html

from bot.i18n import _, current_locale
from models import Role, User


def role_name(role: Role) -> str:
    names = {
        Role.NONE: _("not registered"),
        Role.HEAD: _("head of the municipality"),
        Role.DEPUTY: _("deputy (staff member of the municipality)"),
        Role.OBSERVER: _("observer"),
        Role.COORDINATOR: _("association coordinator"),
        Role.ADMIN: _("administrator"),
    }
    return names[role]


def help_text(user: User) -> str:
    """What this user's role can do, with the commands for it."""
    lines = [_("<b>Pikir</b>: the voice of local self-government in law-making."), ""]
    if user.is_active and user.role is not Role.NONE:
        lines.append(_("You are registered as: {role}.").format(role=role_name(user.role)))
        if user.municipality is not None:
            lines.append(
                _("Municipality: {name}.").format(
                    name=html.quote(user.municipality.full_name(current_locale()))
                )
            )
        lines.append("")
    if user.has_role(Role.HEAD, Role.DEPUTY):
        lines.append(
            _("You will receive draft laws for your municipality's opinion, with the deadline for answering.")
        )
    lines.append(_("/drafts: draft laws under consultation, with the days left"))
    if user.is_staff:
        lines += [
            _("/new: put a new draft law before the municipalities"),
            _("/responses: who has answered and what; closing, the position, documents, the outcome"),
            _("/applications: sign-up applications waiting for a decision"),
            _("/invite: an invitation link for the head of a municipality"),
            _("/import: update the municipal registry from a CSV or XLSX file"),
            _("/revoke: take back the rights of a head or deputy who left (admins: also of coordinators)"),
        ]
    if user.has_role(Role.ADMIN):
        lines.append(_("/coordinator: an invitation link for a new coordinator"))
    if not user.is_active or user.role is Role.NONE:
        lines.append(_("/start: register as the head or a staff member of a municipality"))
    lines += [
        _("/lang: change the language"),
        _("/settings: the weekly digest, reminders and language"),
        _("/cancel: stop the current step"),
        _("/help: this help"),
    ]
    return "\n".join(lines)


MESSAGE_LIMIT = 4096  # Telegram's limit for one message


def fit_message(text: str) -> str:
    """Shorten a long generated text (e.g. a list of problems) so that it still goes out as one message."""
    if len(text) <= MESSAGE_LIMIT:
        return text
    return text[: MESSAGE_LIMIT - 2].rsplit("\n", 1)[0] + "\n…"
