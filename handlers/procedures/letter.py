"""The association's answer letter: its parts (decision, remarks, outgoing number and date, addressee,
language) edited one by one, the DOCX generated, and the answer marked as sent."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Language, Settings
from bot.documents.approval_letter import approval_letter
from bot.errors import N_, stale_button
from bot.i18n import _, error_text, format_number
from bot.presentation.procedure_labels import decision_label
from bot.services.positions import proposal_groups
from bot.services.procedures import approval, letter
from bot.validation import parse_day
from handlers.filters import not_command
from handlers.keyboards import LANGUAGES
from handlers.procedures.callbacks import (
    ApprovalDecide,
    ApprovalEdit,
    ApprovalGenerate,
    ApprovalLanguage,
    ApprovalLetter,
    ApprovalRemarks,
    ApprovalRemarksReset,
    ApprovalRemarkToggle,
    ApprovalSent,
    ApprovalToday,
    LetterField,
)
from handlers.procedures.states import ApprovalInput
from handlers.procedures.views import approval_screen, back_to_approval, day_text
from handlers.texts import fit_message
from handlers.views.screens import Button, keyboard, replace, send
from models import User
from models.procedures import ApprovalDecision, ApprovalStatus

SHOWN = 200  # characters of a remark on the screen


def _mark(chosen: bool) -> str:
    return "✓ " if chosen else ""


async def letter_screen(session: AsyncSession, cid: int) -> tuple[str, InlineKeyboardMarkup]:
    """The letter's parts as they stand, and a button for each."""
    consultation, request = await approval.get_approval(session, cid)
    remarks = await letter.remarks(session, request)
    lines = [
        _("<b>The answer letter</b> on «{title}»").format(
            title=html.quote(consultation.title(request.letter_language)[0] or _("(untitled)"))
        ),
        _("Language of the letter: {language}.").format(
            language=LANGUAGES[Language(request.letter_language)]
        ),
        _("Addressee: {name}.").format(name=html.quote(request.addressee or request.body_name)),
        _("Outgoing No.: {number}; date: {date}.").format(
            number=html.quote(request.outgoing_number or "—"),
            date=day_text(request.outgoing_date) if request.outgoing_date else "—",
        ),
        _("Decision: {decision}.").format(
            decision=decision_label(request.decision) if request.decision else _("not chosen")
        ),
    ]
    if request.decision is not ApprovalDecision.APPROVED:
        lines.append(_("Remarks ({count}):").format(count=format_number(len(remarks))))
        lines += [f"{n}. {html.quote(r[:SHOWN])}" for n, r in enumerate(remarks, start=1)]
    problem = approval.letter_problem(consultation, request)
    if problem is not None:
        lines += ["", "⚠ " + error_text(problem)]
    buttons: list[Button] = [
        (_mark(request.decision is d) + decision_label(d), ApprovalDecide(cid=cid, decision=d))
        for d in ApprovalDecision
    ]
    buttons += [
        (_("📝 Remarks"), ApprovalRemarks(cid=cid)),
        (_("№ Outgoing number"), ApprovalEdit(cid=cid, field=LetterField.NUMBER)),
        (_("📅 Outgoing date"), ApprovalEdit(cid=cid, field=LetterField.DATE)),
        (_("👤 Addressee"), ApprovalEdit(cid=cid, field=LetterField.ADDRESSEE)),
    ]
    buttons += [
        (_mark(request.letter_language == lang) + name, ApprovalLanguage(cid=cid, language=lang))
        for lang, name in LANGUAGES.items()
    ]
    buttons += [
        (_("📄 Generate the letter (DOCX)"), ApprovalGenerate(cid=cid)),
        (_("📨 The answer is sent"), ApprovalSent(cid=cid)),
        back_to_approval(cid),
    ]
    return fit_message("\n".join(lines)), keyboard(buttons)


async def remarks_screen(session: AsyncSession, cid: int) -> tuple[str, InlineKeyboardMarkup]:
    """The proposal groups of the position, each accepted as a remark or not."""
    _consultation, request = await approval.get_approval(session, cid)
    groups = await proposal_groups(session, cid, request.letter_language)
    accepted = set(request.remark_keys or [])
    lines = [_("Which proposals go into the letter as remarks? Press to accept or drop one.")]
    if request.remarks_text:
        lines.append("⚠ " + _("The remarks were rewritten by hand; the letter uses that text."))
    buttons: list[Button] = []
    for index, group in enumerate(groups):
        mark = "✅" if group.key in accepted else "▫"
        lines.append(
            f"{index + 1}. {mark} {html.quote(letter.group_remark(group)[:SHOWN])} "
            + _("({count} municipalities)").format(count=format_number(group.count))
        )
        buttons.append((f"{mark} {index + 1}", ApprovalRemarkToggle(cid=cid, index=index)))
    if not groups:
        lines.append(_("The answers proposed no amendments."))
    extra: list[Button] = [(_("✏ Rewrite the remarks"), ApprovalEdit(cid=cid, field=LetterField.REMARKS))]
    if request.remarks_text:
        extra.append((_("↺ Use the accepted proposals"), ApprovalRemarksReset(cid=cid)))
    extra.append((_("◀ Back to the letter"), ApprovalLetter(cid=cid)))
    markup = keyboard(buttons, 5)
    markup.inline_keyboard += keyboard(extra).inline_keyboard
    return fit_message("\n".join(lines)), markup


PROMPTS = {
    LetterField.NUMBER: N_("The outgoing number of the letter, e.g. 12/07."),
    LetterField.DATE: N_("The date of the letter: day.month.year, e.g. 5.12.2026."),
    LetterField.ADDRESSEE: N_("To whom the letter is addressed, as it is written at the top right."),
    LetterField.REMARKS: N_(
        "The remarks, one per line (numbering is added by itself). This text replaces the list."
    ),
}


def create_router() -> Router:
    router = Router(name="procedures.letter")

    @router.callback_query(ApprovalLetter.filter())
    async def show(query: CallbackQuery, callback_data: ApprovalLetter, session: AsyncSession) -> None:
        """The letter's parts and what can be changed."""
        await replace(query, *await letter_screen(session, callback_data.cid))

    @router.callback_query(ApprovalDecide.filter())
    async def decide(
        query: CallbackQuery,
        callback_data: ApprovalDecide,
        user: User,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The decision: approved, with remarks, or not approved."""
        cid = callback_data.cid
        await approval.set_letter(
            session, user, cid, clock.now(), settings.locale.zone, decision=callback_data.decision
        )
        await replace(query, *await letter_screen(session, cid))

    @router.callback_query(ApprovalLanguage.filter())
    async def language(
        query: CallbackQuery,
        callback_data: ApprovalLanguage,
        user: User,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The state body's language of choice for the letter."""
        cid = callback_data.cid
        await approval.set_letter(
            session, user, cid, clock.now(), settings.locale.zone, language=callback_data.language.value
        )
        await replace(query, *await letter_screen(session, cid))

    @router.callback_query(ApprovalRemarks.filter())
    async def remarks(query: CallbackQuery, callback_data: ApprovalRemarks, session: AsyncSession) -> None:
        """The proposal groups to accept as remarks."""
        await replace(query, *await remarks_screen(session, callback_data.cid))

    @router.callback_query(ApprovalRemarkToggle.filter())
    async def toggle(
        query: CallbackQuery, callback_data: ApprovalRemarkToggle, user: User, session: AsyncSession
    ) -> None:
        """Accept or drop one group; the index is checked against the groups there are now."""
        cid = callback_data.cid
        _consultation, request = await approval.get_approval(session, cid)
        keys = [g.key for g in await proposal_groups(session, cid, request.letter_language)]
        if not 0 <= callback_data.index < len(keys):
            raise stale_button()
        await approval.toggle_remark(session, user, cid, keys[callback_data.index], keys)
        await replace(query, *await remarks_screen(session, cid))

    @router.callback_query(ApprovalRemarksReset.filter())
    async def reset(
        query: CallbackQuery,
        callback_data: ApprovalRemarksReset,
        user: User,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """Back to the accepted groups as the remarks."""
        cid = callback_data.cid
        await approval.set_letter(session, user, cid, clock.now(), settings.locale.zone, reset_remarks=True)
        await replace(query, *await remarks_screen(session, cid))

    @router.callback_query(ApprovalEdit.filter())
    async def edit(
        query: CallbackQuery, callback_data: ApprovalEdit, session: AsyncSession, state: FSMContext
    ) -> None:
        """Ask for one part of the letter as text."""
        cid, field = callback_data.cid, callback_data.field
        _consultation, request = await approval.get_approval(session, cid)
        if request.status is not ApprovalStatus.AWAITING:
            raise stale_button()
        await state.set_state(ApprovalInput.letter)
        await state.set_data({"cid": cid, "field": field.value})
        markup = keyboard([(_("Today"), ApprovalToday(cid=cid))]) if field is LetterField.DATE else None
        await send(query, _(PROMPTS[field]), markup)

    @router.message(ApprovalInput.letter, not_command)
    async def typed(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The part typed: saved (or refused with the reason, and asked again)."""
        data = await state.get_data()
        cid, field, zone = int(data["cid"]), LetterField(data["field"]), settings.locale.zone
        values: dict[str, object] = {}
        if field is LetterField.NUMBER:
            values["outgoing_number"] = message.text
        elif field is LetterField.DATE:
            values["outgoing_date"] = parse_day(message.text, zone).date()
        elif field is LetterField.ADDRESSEE:
            values["addressee"] = message.text
        else:
            values["remarks_text"] = message.text
        await approval.set_letter(session, user, cid, clock.now(), zone, **values)  # type: ignore[arg-type]
        await state.clear()
        text, markup = await letter_screen(session, cid)
        await message.answer(_("Saved.") + "\n\n" + text, reply_markup=markup)

    @router.callback_query(ApprovalGenerate.filter())
    async def generate(
        query: CallbackQuery,
        callback_data: ApprovalGenerate,
        user: User,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
        bot: Bot,
    ) -> None:
        """Check the parts, log the letter, and send it as a DOCX to sign."""
        cid = callback_data.cid
        await approval.record_letter(session, user, cid, clock.now())
        data = await letter.letter_data(session, cid)
        await query.answer(_("Preparing the file…"))
        content = await asyncio.to_thread(approval_letter, data, settings.procedures)
        name = f"pikir-{cid}-letter-{data.locale}.docx"
        await bot.send_document(query.from_user.id, BufferedInputFile(content, filename=name))

    @router.callback_query(ApprovalSent.filter())
    async def sent(
        query: CallbackQuery,
        callback_data: ApprovalSent,
        user: User,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
    ) -> None:
        """The signed letter went out: the answer is on record and the reminders stop."""
        await approval.mark_answered(session, user, callback_data.cid, clock.now())
        text, markup = await approval_screen(session, callback_data.cid, settings, clock.now())
        await replace(query, text, markup, notice=_("The answer is recorded as sent."))

    return router
