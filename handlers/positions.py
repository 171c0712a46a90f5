"""The coordinator's work after the answers: close, edit and adopt the position, submit it, export the
documents, record the outcome; and the two notices the outbox sends (the drafted position, the outcome).
"""

from __future__ import annotations

import asyncio
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import StaleAction, stale_button
from bot.i18n import _, current_locale, format_number, use_locale
from bot.labels import act_fate_label, decision_label, route_label, stance_label
from bot.outbox import DeliverySender, Renderer
from bot.services import exports
from bot.services import positions as service
from bot.services.users import require_staff
from bot.validation import parse_day
from handlers.callbacks import PositionAction
from handlers.consultations import status_name
from handlers.filters import not_command
from handlers.keyboards import LANGUAGES
from handlers.states import PositionInput
from handlers.texts import fit_message
from models import ActFate, NoAgreementRoute, Position, ProposalDecision, User
from models.consultations import Consultation, ConsultationStatus
from models.deliveries import Broadcast, Delivery

NAMES_SHOWN = 30  # municipality names listed under one proposal before «and N more»
WORDINGS_SHOWN = 5
WORDING_SHOWN = 300
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


def _button(text: str, cid: int, action: str, value: str = "") -> dict[str, Any]:
    return {"text": text, "callback_data": PositionAction(cid=cid, action=action, value=value)}


def _shorten(text: str, limit: int = WORDING_SHOWN) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _keyboard(buttons: list[dict[str, Any]], width: int = 1) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for button in buttons:
        builder.button(**button)
    builder.adjust(width)
    return builder.as_markup()


# ---- texts ---------------------------------------------------------------------------------------


def numbers_text(consultation: Consultation, summary: service.PositionSummary) -> str:
    """The position's numbers, as the coordinator reads them before adopting it."""
    pct = service.percent
    lines = [
        f"<b>{html.quote(consultation.title(current_locale())[0])}</b>",
        _("Status: {status}.").format(status=status_name(consultation.status)),
        _("Answered: {answered} of {targeted} ({rate}%).").format(
            answered=format_number(summary.answered),
            targeted=format_number(summary.targeted),
            rate=pct(summary.rate),
        ),
        (
            _("Quorum of {quorum}%: reached.")
            if summary.quorum_met
            else _("Quorum of {quorum}%: not reached.")
        ).format(quorum=pct(summary.quorum)),
        "",
    ]
    for share in summary.stances:
        line = f"• {stance_label(share.stance)}: {format_number(share.count)} ({pct(share.share)}%)"
        if share.population_share is not None:
            line += " — " + _("{share}% of the population").format(share=pct(share.population_share))
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
                name=html.quote(group.name), rate=pct(group.rate), overall=pct(summary.rate)
            )
        )
    return fit_message("\n".join(lines))


def _position_lines(position: Position, settings: Settings) -> list[str]:
    locale = current_locale()
    lines = []
    if position.adopted_at is not None:
        lines.append(_("The position was adopted."))
    if position.submitted_on is not None:
        lines.append(html.quote(service.submitted_line(position, settings.locale.zone, locale)))
    if position.act_fate is not None:
        lines.append(_("Fate of the act: {fate}.").format(fate=act_fate_label(position.act_fate)))
    return lines + _route_and_note(position)


def _route_and_note(position: Position) -> list[str]:
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


def _screen_keyboard(consultation: Consultation) -> InlineKeyboardMarkup:
    """What can be done with the position in the consultation's current state."""
    cid, status = consultation.id, consultation.status
    buttons = [
        _button(_("📄 Text in Kyrgyz"), cid, "text", "ky"),
        _button(_("📄 Text in Russian"), cid, "text", "ru"),
    ]
    if status is ConsultationStatus.CLOSED:
        buttons.append(_button(_("✅ Adopt the position"), cid, "adopt"))
    elif status is ConsultationStatus.POSITION_ADOPTED:
        buttons.append(_button(_("📨 Mark as submitted"), cid, "submit"))
    elif status is ConsultationStatus.SUBMITTED:
        buttons.append(_button(_("🏛 Record the outcome"), cid, "outcome"))
    if consultation.inter_budget and status in GOVERNMENT_STATUSES:
        buttons.append(_button(_("⚖ Government's positions"), cid, "groups"))
    buttons.append(_button(_("📤 Documents"), cid, "docs"))
    return _keyboard(buttons, 2)


# ---- the router ----------------------------------------------------------------------------------


def create_router() -> Router:
    router = Router(name="positions")

    @router.callback_query(PositionAction.filter(F.action.in_({"close", "close!"})))
    async def close_early(
        query: CallbackQuery,
        callback_data: PositionAction,
        user: User,
        session: AsyncSession,
        clock: Clock,
        settings: Settings,
        sender: DeliverySender,
    ) -> None:
        """Close before the deadline, after a confirmation: answers are frozen from then on."""
        require_staff(user)
        message: Message = query.message  # type: ignore[assignment]
        if callback_data.action == "close":
            await query.answer()
            await message.answer(
                _("Close the consultation now? Answers will no longer be accepted."),
                reply_markup=_keyboard([_button(_("⏹ Yes, close it now"), callback_data.cid, "close!")]),
            )
            return
        # Answered only after closing: a repeated press gets «already closed» as the button's alert.
        await service.close(session, callback_data.cid, clock.now(), settings.position.quorum, actor=user)
        await query.answer()
        sender.wake()  # the drafted position goes out through the outbox, like any notice
        await message.edit_text(
            _("The consultation is closed. The drafted position will follow in a moment.")
        )

    @router.callback_query(PositionAction.filter())
    async def act(
        query: CallbackQuery,
        callback_data: PositionAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
        bot: Bot,
        sender: DeliverySender,
    ) -> None:
        """Every other button of the position screens; each checks the role and the state again."""
        require_staff(user)
        if await state.get_state() == PositionInput.text.state:
            # A button pressed instead of typing abandons the pending input (its data stays, for «Today»).
            await state.set_state(None)
        handler = ACTIONS.get(callback_data.action)
        if handler is None:
            raise stale_button()
        await handler(
            Press(query, callback_data, user, session, state, clock, settings, bot, sender)  # type: ignore[operator]
        )

    @router.message(PositionInput.text, not_command)
    async def typed(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """The text the coordinator was asked for: a position text, a reason, an addressee, a date…"""
        require_staff(user)
        data = await state.get_data()
        cid, what = int(data["cid"]), data["what"]
        text = message.text
        if what in ("text_ky", "text_ru"):
            locale = what[-2:]
            position = await service.edit_text(session, user, cid, locale, text)
            await state.clear()
            await message.answer(_("Saved. The text now reads:"))
            await message.answer(
                html.quote(position.text_ky if locale == "ky" else position.text_ru),
                reply_markup=_keyboard([_button(_("◀ Back to the position"), cid, "show")]),
            )
            return
        if what == "addressee":
            await state.update_data(what="date", addressee=service.clean_addressee(text))
            await _ask_date(message, cid)
            return
        if what == "date":
            day = parse_day(text, settings.locale.zone)
            await service.mark_submitted(session, user, cid, data["addressee"], day, clock.now())
            await state.clear()
            await _show(message, session, cid, settings)
            return
        if what == "reason":
            groups = await _groups(session, cid)
            key = _group_at(groups, data["index"]).key
            await service.decide_group(session, user, cid, key, ProposalDecision(data["decision"]), text)
        elif what in ("gov", "rec"):
            key = (
                None
                if data["index"] == "budget"
                else _group_at(await _groups(session, cid), data["index"]).key
            )
            field = "government_position" if what == "gov" else "recommendation"
            await service.set_government_view(session, user, cid, key, **{field: text})
        elif what == "note":
            await service.set_outcome(session, user, cid, note=text)
        else:
            raise stale_button()
        await state.clear()
        await message.answer(_("Saved."))
        if what == "note":
            await _outcome_screen(message, session, cid, settings)
        else:
            await _groups_screen(message, session, cid)

    return router


# ---- the screens ---------------------------------------------------------------------------------


class Press:
    """One button press with what its handler needs."""

    def __init__(
        self,
        query: CallbackQuery,
        data: PositionAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
        bot: Bot,
        sender: DeliverySender,
    ) -> None:
        self.query, self.data, self.user, self.session = query, data, user, session
        self.state, self.clock, self.settings, self.bot, self.sender = state, clock, settings, bot, sender
        self.cid = data.cid
        self.message: Message = query.message  # type: ignore[assignment]


async def _show(message: Message, session: AsyncSession, cid: int, settings: Settings) -> None:
    consultation, position = await service.get_position(session, cid)
    summary = await service.summarise(session, cid, current_locale(), settings.position.quorum)
    text = numbers_text(consultation, summary)
    extra = _position_lines(position, settings)
    if extra:
        text = fit_message(text + "\n\n" + "\n".join(extra))
    await message.answer(text, reply_markup=_screen_keyboard(consultation))


async def show(press: Press) -> None:
    await press.query.answer()
    await _show(press.message, press.session, press.cid, press.settings)


async def show_text(press: Press) -> None:
    consultation, position = await service.get_position(press.session, press.cid)
    locale = press.data.value if press.data.value in LANGUAGES else "ky"
    await press.query.answer()
    buttons = []
    if consultation.status is ConsultationStatus.CLOSED:
        buttons.append(_button(_("✏ Edit this text"), press.cid, "edit", locale))
    buttons.append(_button(_("◀ Back to the position"), press.cid, "show"))
    heading = _("<b>The position, in {language}:</b>").format(language=LANGUAGES[locale])
    body = position.text_ky if locale == "ky" else position.text_ru
    await press.message.answer(
        fit_message(f"{heading}\n\n{html.quote(body)}"), reply_markup=_keyboard(buttons)
    )


async def edit(press: Press) -> None:
    consultation, _position = await service.get_position(press.session, press.cid)
    if consultation.status is not ConsultationStatus.CLOSED or press.data.value not in LANGUAGES:
        raise StaleAction(_("The position is adopted; its text can no longer be changed."))
    await press.query.answer()
    await press.state.set_state(PositionInput.text)
    await press.state.update_data(cid=press.cid, what=f"text_{press.data.value}")
    await press.message.answer(
        _(
            "Send the whole text in {language} as one message (at most {limit} characters). "
            "It replaces the current one; /cancel keeps it."
        ).format(language=LANGUAGES[press.data.value], limit=format_number(service.POSITION_TEXT_MAX))
    )


async def adopt(press: Press) -> None:
    await service.adopt(press.session, press.user, press.cid, press.clock.now())
    await press.query.answer(_("The position is adopted."))
    await _show(press.message, press.session, press.cid, press.settings)


async def submit(press: Press) -> None:
    consultation, _position = await service.get_position(press.session, press.cid)
    if consultation.status is not ConsultationStatus.POSITION_ADOPTED:
        raise stale_button()
    await press.query.answer()
    await press.state.set_state(PositionInput.text)
    await press.state.update_data(cid=press.cid, what="addressee")
    buttons = []
    if consultation.committee:
        buttons.append(_button(consultation.committee[:60], press.cid, "addressee"))
    await press.message.answer(
        _("To whom was the position sent? E.g. the committee of the Jogorku Kenesh or the ministry."),
        reply_markup=_keyboard(buttons) if buttons else None,
    )


async def addressee_is_committee(press: Press) -> None:
    consultation, _position = await service.get_position(press.session, press.cid)
    if not consultation.committee or consultation.status is not ConsultationStatus.POSITION_ADOPTED:
        raise stale_button()
    await press.query.answer()
    await press.state.set_state(PositionInput.text)
    await press.state.update_data(cid=press.cid, what="date", addressee=consultation.committee)
    await _ask_date(press.message, press.cid)


async def _ask_date(message: Message, cid: int) -> None:
    await message.answer(
        _("On which day was it sent? Write day.month.year, e.g. 5.12.2026."),
        reply_markup=_keyboard([_button(_("Today"), cid, "today")]),
    )


async def submitted_today(press: Press) -> None:
    addressee = (await press.state.get_data()).get("addressee")
    if not addressee:
        raise stale_button()
    await service.mark_submitted(
        press.session, press.user, press.cid, addressee, press.clock.now(), press.clock.now()
    )
    await press.state.set_data({})
    await press.query.answer()
    await _show(press.message, press.session, press.cid, press.settings)


# ---- grouped proposals: the government's view and the decisions ----------------------------------


async def _groups(session: AsyncSession, cid: int) -> list[service.ProposalGroupSummary]:
    return await service.proposal_groups(session, cid, current_locale())


def _group_at(groups: list[service.ProposalGroupSummary], index: Any) -> service.ProposalGroupSummary:
    """The group a button points at; a number out of range is a forged or stale press."""
    try:
        return groups[int(index)]
    except (ValueError, IndexError):
        raise stale_button() from None


async def _groups_screen(message: Message, session: AsyncSession, cid: int) -> None:
    consultation, _position = await service.get_position(session, cid)
    groups = await _groups(session, cid)
    records = await service.group_records(session, cid)
    lines = [_("<b>Proposals by article</b> (the number of municipalities in brackets):")]
    buttons = []
    if consultation.inter_budget and consultation.status in GOVERNMENT_STATUSES:
        buttons.append(_button(_("⚖ The budget: government's position"), cid, "gov", "budget"))
        buttons.append(_button(_("🤝 The budget: recommended decision"), cid, "rec", "budget"))
    for index, group in enumerate(groups):
        record = records.get(group.key)
        decision = record.decision if record else None
        mark = DECISION_ICONS.get(decision, "·") if decision else "·"  # type: ignore[arg-type]
        lines.append(f"{index + 1}. {mark} {html.quote(group.article)} ({group.count})")
        buttons.append(_button(str(index + 1), cid, "group", str(index)))
    if not groups:
        lines.append(_("No municipality proposed amendments."))
    back = "outcome" if consultation.status is ConsultationStatus.SUBMITTED else "show"
    builder = InlineKeyboardBuilder()
    for button in buttons:
        builder.button(**button)
    builder.adjust(5)
    builder.row(
        InlineKeyboardButton(text=_("◀ Back"), callback_data=PositionAction(cid=cid, action=back).pack())
    )
    await message.answer(fit_message("\n".join(lines)), reply_markup=builder.as_markup())


async def groups(press: Press) -> None:
    await press.query.answer()
    await _groups_screen(press.message, press.session, press.cid)


async def group(press: Press) -> None:
    consultation, _position = await service.get_position(press.session, press.cid)
    chosen = _group_at(await _groups(press.session, press.cid), press.data.value)
    record = (await service.group_records(press.session, press.cid)).get(chosen.key)
    await press.query.answer()
    names = ", ".join(chosen.municipalities[:NAMES_SHOWN])
    if chosen.count > NAMES_SHOWN:
        names += " " + _("and {count} more").format(count=chosen.count - NAMES_SHOWN)
    lines = [
        f"<b>{html.quote(chosen.article)}</b>",
        _("Proposed by {count}: {names}.").format(count=chosen.count, names=html.quote(names)),
        "",
    ]
    for proposal in chosen.proposals[:WORDINGS_SHOWN]:
        lines.append(f"• {html.quote(proposal.municipality)}: «{html.quote(_shorten(proposal.wording))}»")
    if record is not None and record.government_position:
        lines.append(_("Government's position: {text}").format(text=html.quote(record.government_position)))
    if record is not None and record.recommendation:
        lines.append(_("Recommended decision: {text}").format(text=html.quote(record.recommendation)))
    if record is not None and record.decision is not None:
        lines.append(_("Decision: {decision}.").format(decision=decision_label(record.decision)))
        if record.reason:
            lines.append(_("Reason: {text}").format(text=html.quote(record.reason)))
    index = press.data.value
    buttons = []
    if consultation.status is ConsultationStatus.SUBMITTED:
        buttons += [
            _button(f"{DECISION_ICONS[d]} {decision_label(d)}", press.cid, "decide", f"{index}.{d.value}")
            for d in ProposalDecision
        ]
    if consultation.inter_budget and consultation.status in GOVERNMENT_STATUSES:
        buttons += [
            _button(_("⚖ Government's position"), press.cid, "gov", index),
            _button(_("🤝 Recommended decision"), press.cid, "rec", index),
        ]
    buttons.append(_button(_("◀ Back"), press.cid, "groups"))
    await press.message.answer(fit_message("\n".join(lines)), reply_markup=_keyboard(buttons))


async def decide(press: Press) -> None:
    index, _dot, value = press.data.value.partition(".")
    try:
        decision = ProposalDecision(value)
    except ValueError:
        raise stale_button() from None
    chosen = _group_at(await _groups(press.session, press.cid), index)
    await service.decide_group(press.session, press.user, press.cid, chosen.key, decision)
    await press.query.answer()
    await press.state.set_state(PositionInput.text)
    await press.state.update_data(cid=press.cid, what="reason", index=index, decision=decision.value)
    await press.message.answer(
        _("Recorded: {article} — {decision}. Now send the reason as given in the decision, or skip.").format(
            article=html.quote(chosen.article), decision=decision_label(decision)
        ),
        reply_markup=_keyboard([_button(_("Skip"), press.cid, "groups")]),
    )


async def government_view(press: Press) -> None:
    consultation, _position = await service.get_position(press.session, press.cid)
    if not consultation.inter_budget or consultation.status not in GOVERNMENT_STATUSES:
        raise stale_button()
    if press.data.value != "budget":
        _group_at(await _groups(press.session, press.cid), press.data.value)
    await press.query.answer()
    await press.state.set_state(PositionInput.text)
    await press.state.update_data(cid=press.cid, what=press.data.action, index=press.data.value)
    prompt = (
        _("Send the government's position on this item, as it stands in its documents.")
        if press.data.action == "gov"
        else _("Send the recommended balanced decision on this item.")
    )
    await press.message.answer(prompt)


# ---- the outcome ---------------------------------------------------------------------------------


async def _outcome_screen(message: Message, session: AsyncSession, cid: int, settings: Settings) -> None:
    consultation, position = await service.get_position(session, cid)
    if consultation.status is not ConsultationStatus.SUBMITTED:
        raise stale_button()
    groups_ = await _groups(session, cid)
    records = await service.group_records(session, cid)
    decided = sum(1 for g in groups_ if records.get(g.key) and records[g.key].decision is not None)
    lines = [
        _("<b>The outcome</b>"),
        _("Fate of the act: {fate}.").format(
            fate=act_fate_label(position.act_fate) if position.act_fate else _("not entered yet")
        ),
        _("Where no agreement was reached: {route}.").format(
            route=route_label(position.no_agreement_route or NoAgreementRoute.NONE)
        ),
        _("Proposals decided: {decided} of {total}.").format(decided=decided, total=len(groups_)),
    ]
    if position.outcome_note:
        lines.append(html.quote(position.outcome_note))
    buttons = [
        _button(_("📋 Decisions on the proposals"), cid, "groups"),
        _button(_("📜 Fate of the act"), cid, "fates"),
        _button(_("⚖ No agreement: protocol or appeal"), cid, "routes"),
        _button(_("📝 A note on the outcome"), cid, "note"),
        _button(_("✅ Record and tell the municipalities"), cid, "record"),
        _button(_("◀ Back to the position"), cid, "show"),
    ]
    await message.answer(fit_message("\n".join(lines)), reply_markup=_keyboard(buttons))


async def outcome(press: Press) -> None:
    await press.query.answer()
    await _outcome_screen(press.message, press.session, press.cid, press.settings)


async def fates(press: Press) -> None:
    await press.query.answer()
    await press.message.answer(
        _("What became of the act?"),
        reply_markup=_keyboard([_button(act_fate_label(f), press.cid, "fate", f.value) for f in ActFate]),
    )


async def routes(press: Press) -> None:
    await press.query.answer()
    await press.message.answer(
        _("Where the decision and the association's position did not meet, what was done?"),
        reply_markup=_keyboard(
            [_button(route_label(r), press.cid, "route", r.value) for r in NoAgreementRoute]
        ),
    )


async def set_fate_or_route(press: Press) -> None:
    try:
        if press.data.action == "fate":
            await service.set_outcome(
                press.session, press.user, press.cid, act_fate=ActFate(press.data.value)
            )
        else:
            route = NoAgreementRoute(press.data.value)
            await service.set_outcome(press.session, press.user, press.cid, route=route)
    except ValueError:
        raise stale_button() from None
    await press.query.answer(_("Saved."))
    await _outcome_screen(press.message, press.session, press.cid, press.settings)


async def note(press: Press) -> None:
    await service.get_position(press.session, press.cid)
    await press.query.answer()
    await press.state.set_state(PositionInput.text)
    await press.state.update_data(cid=press.cid, what="note")
    await press.message.answer(
        _("Send a short note on the outcome: e.g. the number and date of the decision, or the appeal.")
    )


async def record(press: Press) -> None:
    count = await service.record_outcome(press.session, press.user, press.cid, press.clock.now())
    await press.query.answer()
    await press.message.answer(
        _("The outcome is recorded. {count} people of the municipalities that answered will be told.").format(
            count=format_number(count)
        )
    )
    press.sender.wake()


# ---- documents -----------------------------------------------------------------------------------

FORMATS = ("paper", "protocol", "xlsx", "csv", "chart")


async def documents(press: Press) -> None:
    """First the language of the documents, then the document."""
    consultation, _position = await service.get_position(press.session, press.cid)
    await press.query.answer()
    if press.data.value not in LANGUAGES:
        await press.message.answer(
            _("In which language should the documents be?"),
            reply_markup=_keyboard(
                [_button(name, press.cid, "docs", code) for code, name in LANGUAGES.items()], 2
            ),
        )
        return
    locale = press.data.value
    names = {
        "paper": _("📄 Position paper (DOCX)"),
        "protocol": _("⚖ Disagreement protocol (DOCX)"),
        "xlsx": _("📊 Answers and tallies (XLSX)"),
        "csv": _("🗂 Answers (CSV)"),
        "chart": _("📈 Chart of stances by oblast (PNG)"),
    }
    if not consultation.inter_budget:
        del names["protocol"]
    await press.message.answer(
        _("Documents in {language}:").format(language=LANGUAGES[locale]),
        reply_markup=_keyboard(
            [_button(name, press.cid, "file", f"{fmt}.{locale}") for fmt, name in names.items()]
        ),
    )


async def send_file(press: Press) -> None:
    fmt, _dot, locale = press.data.value.partition(".")
    consultation, _position = await service.get_position(press.session, press.cid)
    if fmt not in FORMATS or locale not in LANGUAGES or (fmt == "protocol" and not consultation.inter_budget):
        raise stale_button()
    await press.query.answer(_("Preparing the file…"))
    data = await exports.export_data(
        press.session,
        press.cid,
        locale,
        press.settings.position.quorum,
        press.settings.locale.zone,
        press.clock.now(),
    )
    build = {
        "paper": exports.position_paper,
        "protocol": exports.disagreement_protocol,
        "xlsx": exports.answers_workbook,
        "csv": exports.answers_csv,
        "chart": exports.stance_chart,
    }[fmt]
    # Documents and charts take a moment of CPU: keep the bot answering others meanwhile.
    content = await asyncio.to_thread(build, data)
    suffix = {"paper": "docx", "protocol": "docx", "xlsx": "xlsx", "csv": "csv", "chart": "png"}[fmt]
    name = f"pikir-{press.cid}-{fmt}-{locale}.{suffix}"
    chat = press.query.from_user.id
    if fmt == "chart":
        await press.bot.send_photo(chat, BufferedInputFile(content, filename=name))
    else:
        await press.bot.send_document(chat, BufferedInputFile(content, filename=name))


ACTIONS = {
    "show": show,
    "text": show_text,
    "edit": edit,
    "adopt": adopt,
    "submit": submit,
    "addressee": addressee_is_committee,
    "today": submitted_today,
    "groups": groups,
    "group": group,
    "decide": decide,
    "gov": government_view,
    "rec": government_view,
    "outcome": outcome,
    "fates": fates,
    "routes": routes,
    "fate": set_fate_or_route,
    "route": set_fate_or_route,
    "note": note,
    "record": record,
    "docs": documents,
    "file": send_file,
}


# ---- what the outbox sends -----------------------------------------------------------------------


async def _recipient_locale(
    session: AsyncSession, delivery: Delivery, default_locale: str
) -> tuple[User | None, str]:
    recipient = await session.get(User, delivery.user_id)
    return recipient, (recipient.language if recipient else None) or default_locale


def position_draft_renderer(settings: Settings) -> Renderer:
    """To the coordinator when a consultation closes: the numbers, the drafted text, the way to adopt."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        broadcast = await session.get(Broadcast, delivery.broadcast_id)
        consultation, position = await service.get_position(session, broadcast.subject_id)  # type: ignore[union-attr,arg-type]
        _user, locale = await _recipient_locale(session, delivery, settings.locale.default_locale)
        with use_locale(locale):
            summary = await service.summarise(session, consultation.id, locale, settings.position.quorum)
            text = (
                _("⏹ The consultation is closed; the answers are counted.")
                + "\n\n"
                + numbers_text(consultation, summary)
                + "\n\n"
                + _("<b>Drafted position</b> (edit it if needed, then adopt it):")
                + "\n\n"
                + html.quote(position.text_ky if locale == "ky" else position.text_ru)
            )
            markup = _keyboard([_button(_("📝 Open the position"), consultation.id, "show")])
            message = await bot.send_message(delivery.chat_id, fit_message(text), reply_markup=markup)
        return message.message_id

    return render


def outcome_text(
    consultation: Consultation,
    position: Position,
    own: list[service.OwnProposal],
    locale: str,
    zone: ZoneInfo,
) -> str:
    """What became of the act and of this municipality's own proposals."""
    lines = [
        _("🏛 <b>Outcome of the consultation</b> «{title}»").format(
            title=html.quote(consultation.title(locale)[0])
        ),
        html.quote(service.submitted_line(position, zone, locale)),
        _("Fate of the act: {fate}.").format(fate=act_fate_label(position.act_fate or ActFate.PENDING)),
        *_route_and_note(position),
        "",
    ]
    if own:
        lines.append(_("Your municipality's proposals:"))
        for proposal in own:
            wording = html.quote(_shorten(proposal.wording))
            line = f"• {html.quote(proposal.article)}: «{wording}» — {decision_label(proposal.decision)}"
            if proposal.reason:
                line += ". " + _("Reason: {text}").format(text=html.quote(proposal.reason))
            lines.append(line)
    else:
        lines.append(_("Your municipality proposed no amendments; its opinion was counted in the position."))
    lines.append(_("Thank you for your answer."))
    return fit_message("\n".join(lines))


def outcome_renderer(settings: Settings) -> Renderer:
    """To each municipality that answered: the outcome, with its own proposals only."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        broadcast = await session.get(Broadcast, delivery.broadcast_id)
        consultation, position = await service.get_position(session, broadcast.subject_id)  # type: ignore[union-attr,arg-type]
        recipient, locale = await _recipient_locale(session, delivery, settings.locale.default_locale)
        own = await service.own_proposals(session, consultation.id, recipient.municipality_id)  # type: ignore[union-attr,arg-type]
        with use_locale(locale):
            text = outcome_text(consultation, position, own, locale, settings.locale.zone)
            message = await bot.send_message(delivery.chat_id, text)
        return message.message_id

    return render
