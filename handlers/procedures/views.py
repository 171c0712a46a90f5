"""What the approval screens show: the request and its terms, the letter's parts, what followed the
answer, the procedure's history, and the buttons for the state it is in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.types import InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import _, current_locale, format_date
from bot.presentation.procedure_labels import (
    appeal_result_label,
    body_kind_label,
    conciliation_label,
    decision_label,
    event_text,
    long_date,
    remarks_accepted_label,
    status_label,
    term_unit_label,
)
from bot.services import consultations
from bot.services.procedures import after_answer, approval, log
from bot.services.procedures.calendar import load_calendar
from handlers.procedures.callbacks import (
    ApprovalAppeal,
    ApprovalAppealResult,
    ApprovalConciliation,
    ApprovalLetter,
    ApprovalReaction,
    ApprovalScreen,
    ApprovalWithout,
)
from handlers.texts import fit_message
from handlers.views.screens import Button, keyboard
from models import ApprovalRequest, Consultation, User
from models.procedures import (
    AppealResult,
    ApprovalDecision,
    ApprovalStatus,
    ConciliationResult,
    RemarksAccepted,
)

S = ApprovalStatus
HISTORY_SHOWN = 15

LISTED = 30  # a procedure's list of consultations shows the latest ones


async def latest_consultations(session: AsyncSession, user: User) -> list[Consultation]:
    """The latest consultations the user may see, for a procedure's list."""
    return (await consultations.visible_consultations(session, user))[-LISTED:]


async def consultations_to_choose(message: Message, user: User, session: AsyncSession) -> list[Consultation]:
    """The latest consultations for a procedure's command (/approval, /expertise, /sittings); when there
    are none, the user is told how to make one."""
    items = await latest_consultations(session, user)
    if not items:
        await message.answer(_("There are no consultations yet. /new creates one."))
    return items


def day_text(day: date) -> str:
    return long_date(day)


def back_to_approval(cid: int) -> Button:
    return _("◀ Back to the approval"), ApprovalScreen(cid=cid)


def history_lines(entries: list[log.HistoryEntry], zone: object) -> list[str]:
    lines = []
    for entry in entries[-HISTORY_SHOWN:]:
        when = format_date(entry.at, zone)  # type: ignore[arg-type]
        who = f" — {html.quote(entry.actor)}" if entry.actor else ""
        lines.append(f"• {when}: {html.quote(event_text(entry))}{who}")
    return lines


def request_lines(consultation: Consultation, request: ApprovalRequest, left: int) -> list[str]:
    lines = [
        f"<b>{html.quote(consultation.title(current_locale())[0] or _('(untitled)'))}</b>",
        _("Approval request from {kind}: {body}.").format(
            kind=body_kind_label(request.body_kind), body=html.quote(request.body_name)
        ),
        _("Incoming letter No. {number} of {date}.").format(
            number=html.quote(request.incoming_number), date=day_text(request.incoming_date)
        ),
        _("Term: {days} {unit}; the association answers by {date}.").format(
            days=request.term_days, unit=term_unit_label(request.term_unit), date=day_text(request.due_on)
        ),
        _("Heads answer by {date} ({margin} working days before the term).").format(
            date=day_text(request.heads_due_on), margin=request.margin_days
        ),
        _("Status: {status}.").format(status=status_label(request.status)),
    ]
    if request.status is S.AWAITING:
        if left >= 0:
            lines.append(_("Working days left: {left}.").format(left=left))
        else:
            lines.append("⚠ " + _("The term has passed {days} working days ago.").format(days=-left))
    return lines


def after_lines(request: ApprovalRequest) -> list[str]:
    lines = []
    if request.decision is not None and request.status is not S.AWAITING:
        lines.append(
            _("Decision in the answer: {decision}.").format(decision=decision_label(request.decision))
        )
    if request.remarks_accepted is not None:
        lines.append(
            _("The state body: {what}.").format(what=remarks_accepted_label(request.remarks_accepted))
        )
    if request.conciliation_on is not None and request.conciliation_result is not None:
        line = _("Conciliation meeting on {date}: {result}.").format(
            date=day_text(request.conciliation_on), result=conciliation_label(request.conciliation_result)
        )
        if request.conciliation_protocol:
            line += " " + _("The disagreement protocol is among the position's documents.")
        lines.append(line)
    if request.appeal_on is not None:
        lines.append(
            _("Appeal filed with {to} on {date}.").format(
                to=html.quote(request.appeal_to or "—"), date=day_text(request.appeal_on)
            )
        )
    if request.appeal_result is not None:
        lines.append(
            _("Result of the appeal: {result}.").format(result=appeal_result_label(request.appeal_result))
        )
    if request.adopted_on is not None:
        lines.append(
            "⚠ "
            + _("The act was adopted without approval on {date}.").format(date=day_text(request.adopted_on))
        )
    return lines


def _buttons(request: ApprovalRequest) -> list[Button]:
    cid, status = request.consultation_id, request.status
    buttons: list[Button] = []
    if status is S.AWAITING:
        buttons.append((_("✉ The answer letter"), ApprovalLetter(cid=cid)))
    if status is S.ANSWERED and request.decision is not ApprovalDecision.APPROVED:
        buttons += [
            (_("Remarks: all accepted"), ApprovalReaction(cid=cid, accepted=RemarksAccepted.ALL)),
            (_("Remarks: some accepted"), ApprovalReaction(cid=cid, accepted=RemarksAccepted.SOME)),
            (_("Remarks: none accepted"), ApprovalReaction(cid=cid, accepted=RemarksAccepted.NONE)),
        ]
    if status in (S.ANSWERED, S.REACTED) and after_answer.refused(request):
        buttons += [
            (_("🤝 Conciliation: agreed"), ApprovalConciliation(cid=cid, result=ConciliationResult.AGREED)),
            (_("🤝 Conciliation: partly"), ApprovalConciliation(cid=cid, result=ConciliationResult.PARTLY)),
            (
                _("🤝 Conciliation: not agreed"),
                ApprovalConciliation(cid=cid, result=ConciliationResult.NOT_AGREED),
            ),
        ]
    if status in (S.ANSWERED, S.REACTED, S.CONCILIATION) and after_answer.refused(request):
        buttons.append((_("⚖ An appeal was filed"), ApprovalAppeal(cid=cid)))
    if status is S.APPEALED:
        buttons += [
            (_("⚖ Appeal upheld"), ApprovalAppealResult(cid=cid, result=AppealResult.UPHELD)),
            (_("⚖ Appeal dismissed"), ApprovalAppealResult(cid=cid, result=AppealResult.DISMISSED)),
        ]
    if status is not S.ADOPTED_WITHOUT_APPROVAL and not after_answer.approval_obtained(request):
        buttons.append((_("⚠ Adopted without approval"), ApprovalWithout(cid=cid)))
    return buttons


async def approval_screen(
    session: AsyncSession, cid: int, settings: Settings, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """The approval request: terms, where it stands, what followed, its history and the next steps."""
    consultation, request = await approval.get_approval(session, cid)
    zone = settings.locale.zone
    left = approval.working_days_to_due(await load_calendar(session), request, now, zone)
    lines = request_lines(consultation, request, left)
    if approval.heads_deadline_too_late(consultation, request, zone):
        lines.append("⚠ " + _("The consultation's deadline for heads is later than the heads' deadline."))
    lines += after_lines(request)
    entries = await log.history(session, cid)
    if entries:
        lines += ["", _("<b>History</b>"), *history_lines(entries, zone)]
    return fit_message("\n".join(lines)), keyboard(_buttons(request))


async def drafts_notes(session: AsyncSession, consultation_ids: list[int], zone: ZoneInfo) -> dict[int, str]:
    """For /drafts: « 🏛 where the approval stands; its last step», per consultation that is a request."""
    requests = await session.scalars(
        select(ApprovalRequest).where(ApprovalRequest.consultation_id.in_(consultation_ids))
    )
    notes = {}
    for request in requests:
        note = " 🏛 " + status_label(request.status)
        if request.status is S.AWAITING:
            note += ", " + _("term {date}").format(date=day_text(request.due_on))
        notes[request.consultation_id] = note
    latest = await log.latest_steps(session, list(notes))
    for consultation_id, entry in latest.items():
        notes[consultation_id] += f"; {html.quote(event_text(entry))} ({format_date(entry.at, zone)})"
    return notes
