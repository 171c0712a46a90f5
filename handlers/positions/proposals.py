"""The proposals grouped by article: the government's view and the recommended decision for the
disagreement protocol, and what parliament or the government decided on each."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import stale_button
from bot.i18n import _, current_locale
from bot.labels import decision_label
from bot.presentation.articles import article_heading
from bot.services import positions as service
from handlers.callbacks import (
    BudgetProtocolText,
    OutcomeScreen,
    PositionScreen,
    ProposalDecide,
    ProposalList,
    ProposalProtocolText,
    ProposalView,
    ProtocolField,
)
from handlers.filters import not_command
from handlers.positions.views import DECISION_ICONS, GOVERNMENT_STATUSES, shorten
from handlers.states import PositionInput
from handlers.texts import fit_message
from handlers.views.screens import Button, keyboard, replace
from models import ProposalDecision, ProposalGroup, User
from models.consultations import ConsultationStatus

NAMES_SHOWN = 30  # municipality names listed under one proposal before «and N more»
WORDINGS_SHOWN = 5


async def _groups(session: AsyncSession, cid: int) -> list[service.ProposalGroupSummary]:
    return await service.proposal_groups(session, cid, current_locale())


def _group_at(groups: list[service.ProposalGroupSummary], index: int) -> service.ProposalGroupSummary:
    """The group a button points at; a number out of range is a stale press."""
    if index >= len(groups):
        raise stale_button()
    return groups[index]


async def groups_screen(session: AsyncSession, cid: int) -> tuple[str, InlineKeyboardMarkup]:
    """Every article with proposals, the number of municipalities behind it and the decision so far."""
    consultation, _position = await service.get_position(session, cid)
    groups = await _groups(session, cid)
    records = await service.group_records(session, cid)
    lines = [_("<b>Proposals by article</b> (the number of municipalities in brackets):")]
    builder = InlineKeyboardBuilder()
    if consultation.inter_budget and consultation.status in GOVERNMENT_STATUSES:
        builder.button(
            text=_("⚖ The budget: government's position"),
            callback_data=BudgetProtocolText(cid=cid, field=ProtocolField.GOVERNMENT),
        )
        builder.button(
            text=_("🤝 The budget: recommended decision"),
            callback_data=BudgetProtocolText(cid=cid, field=ProtocolField.RECOMMENDATION),
        )
    for index, group in enumerate(groups):
        record = records.get(group.key)
        decision = record.decision if record else None
        mark = DECISION_ICONS[decision] if decision else "·"
        heading = html.quote(article_heading(group.key, group.article))
        lines.append(f"{index + 1}. {mark} {heading} ({group.count})")
        builder.button(text=str(index + 1), callback_data=ProposalView(cid=cid, index=index))
    if not groups:
        lines.append(_("No municipality proposed amendments."))
    builder.adjust(5)
    back = (
        OutcomeScreen(cid=cid)
        if consultation.status is ConsultationStatus.SUBMITTED
        else PositionScreen(cid=cid)
    )
    builder.row(InlineKeyboardButton(text=_("◀ Back"), callback_data=back.pack()))
    return fit_message("\n".join(lines)), builder.as_markup()


def _group_text(chosen: service.ProposalGroupSummary, record: ProposalGroup | None) -> str:
    names = ", ".join(chosen.municipalities[:NAMES_SHOWN])
    if chosen.count > NAMES_SHOWN:
        names += " " + _("and {count} more").format(count=chosen.count - NAMES_SHOWN)
    lines = [
        f"<b>{html.quote(article_heading(chosen.key, chosen.article))}</b>",
        _("Proposed by {count}: {names}.").format(count=chosen.count, names=html.quote(names)),
        "",
    ]
    for proposal in chosen.proposals[:WORDINGS_SHOWN]:
        lines.append(f"• {html.quote(proposal.municipality)}: «{html.quote(shorten(proposal.wording))}»")
    if record is None:
        return "\n".join(lines)
    if record.government_position:
        lines.append(_("Government's position: {text}").format(text=html.quote(record.government_position)))
    if record.recommendation:
        lines.append(_("Recommended decision: {text}").format(text=html.quote(record.recommendation)))
    if record.decision is not None:
        lines.append(_("Decision: {decision}.").format(decision=decision_label(record.decision)))
        if record.reason:
            lines.append(_("Reason: {text}").format(text=html.quote(record.reason)))
    return "\n".join(lines)


def create_router() -> Router:
    router = Router(name="positions.proposals")

    @router.callback_query(ProposalList.filter())
    async def show_groups(query: CallbackQuery, callback_data: ProposalList, session: AsyncSession) -> None:
        """The proposals by article."""
        await replace(query, *await groups_screen(session, callback_data.cid))

    @router.callback_query(ProposalView.filter())
    async def show_group(query: CallbackQuery, callback_data: ProposalView, session: AsyncSession) -> None:
        """One article: who proposed what, the government's view, the decision; the buttons to record them."""
        cid, index = callback_data.cid, callback_data.index
        consultation, _position = await service.get_position(session, cid)
        chosen = _group_at(await _groups(session, cid), index)
        record = (await service.group_records(session, cid)).get(chosen.key)
        buttons: list[Button] = []
        if consultation.status is ConsultationStatus.SUBMITTED:
            buttons += [
                (f"{DECISION_ICONS[d]} {decision_label(d)}", ProposalDecide(cid=cid, index=index, decision=d))
                for d in ProposalDecision
            ]
        if consultation.inter_budget and consultation.status in GOVERNMENT_STATUSES:
            buttons += [
                (
                    _("⚖ Government's position"),
                    ProposalProtocolText(cid=cid, index=index, field=ProtocolField.GOVERNMENT),
                ),
                (
                    _("🤝 Recommended decision"),
                    ProposalProtocolText(cid=cid, index=index, field=ProtocolField.RECOMMENDATION),
                ),
            ]
        buttons.append((_("◀ Back"), ProposalList(cid=cid)))
        await replace(query, _group_text(chosen, record), keyboard(buttons))

    @router.callback_query(ProposalDecide.filter())
    async def decide(
        query: CallbackQuery,
        callback_data: ProposalDecide,
        user: User,
        session: AsyncSession,
        state: FSMContext,
    ) -> None:
        """Record the decision on one article, then ask for its reason (which may be skipped)."""
        cid, index, decision = callback_data.cid, callback_data.index, callback_data.decision
        chosen = _group_at(await _groups(session, cid), index)
        await service.decide_group(session, user, cid, chosen.key, decision)
        await state.set_state(PositionInput.reason)
        await state.set_data({"cid": cid, "index": index, "decision": decision.value})
        text = _(
            "Recorded: {article} — {decision}. Now send the reason as given in the decision, or skip."
        ).format(
            article=html.quote(article_heading(chosen.key, chosen.article)), decision=decision_label(decision)
        )
        await replace(query, text, keyboard([(_("Skip"), ProposalList(cid=cid))]))

    @router.message(StateFilter(PositionInput.reason), not_command)
    async def typed_reason(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """The reason for the decision just recorded."""
        data = await state.get_data()
        cid = int(data["cid"])
        chosen = _group_at(await _groups(session, cid), int(data["index"]))
        await service.decide_group(
            session, user, cid, chosen.key, ProposalDecision(data["decision"]), message.text
        )
        await state.clear()
        await message.answer(_("Saved."))
        text, markup = await groups_screen(session, cid)
        await message.answer(text, reply_markup=markup)

    async def ask_protocol_text(
        query: CallbackQuery,
        session: AsyncSession,
        state: FSMContext,
        cid: int,
        index: int | None,
        field: ProtocolField,
    ) -> None:
        """Ask for a text of the disagreement protocol on an article (``index``) or on the budget (None)."""
        consultation, _position = await service.get_position(session, cid)
        if not consultation.inter_budget or consultation.status not in GOVERNMENT_STATUSES:
            raise stale_button()
        if index is not None:
            _group_at(await _groups(session, cid), index)
        await state.set_state(PositionInput.protocol)
        await state.set_data({"cid": cid, "index": index, "field": field.value})
        prompt = (
            _("Send the government's position on this item, as it stands in its documents.")
            if field is ProtocolField.GOVERNMENT
            else _("Send the recommended balanced decision on this item.")
        )
        await replace(query, prompt)

    @router.callback_query(ProposalProtocolText.filter())
    async def protocol_text(
        query: CallbackQuery, callback_data: ProposalProtocolText, session: AsyncSession, state: FSMContext
    ) -> None:
        """Ask for the government's position or the recommended decision on one article."""
        data = callback_data
        await ask_protocol_text(query, session, state, data.cid, data.index, data.field)

    @router.callback_query(BudgetProtocolText.filter())
    async def budget_text(
        query: CallbackQuery, callback_data: BudgetProtocolText, session: AsyncSession, state: FSMContext
    ) -> None:
        """The same for the budget as a whole."""
        await ask_protocol_text(query, session, state, callback_data.cid, None, callback_data.field)

    @router.message(StateFilter(PositionInput.protocol), not_command)
    async def typed_protocol_text(
        message: Message, user: User, session: AsyncSession, state: FSMContext
    ) -> None:
        """The government's position or the recommended decision, typed."""
        data = await state.get_data()
        cid, index = int(data["cid"]), data["index"]
        key = None if index is None else _group_at(await _groups(session, cid), int(index)).key
        if ProtocolField(data["field"]) is ProtocolField.GOVERNMENT:
            await service.set_government_view(session, user, cid, key, government_position=message.text)
        else:
            await service.set_government_view(session, user, cid, key, recommendation=message.text)
        await state.clear()
        await message.answer(_("Saved."))
        text, markup = await groups_screen(session, cid)
        await message.answer(text, reply_markup=markup)

    return router
