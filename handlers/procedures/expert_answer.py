"""The expert's side: the request from the association (through the outbox), then the conclusion part by
part (each typed, or skipped), the overall conclusion, a review and «Submit». Anyone may press these
buttons; the service lets through only the expert who was asked (and who is still active)."""

from __future__ import annotations

from aiogram import Bot, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import _, use_locale
from bot.outbox import Renderer
from bot.presentation.procedure_labels import part_title, verdict_label
from bot.services.procedures import expertise
from handlers.filters import not_command
from handlers.procedures.callbacks import (
    ExpertPartName,
    ExpertRestart,
    ExpertSkip,
    ExpertStart,
    ExpertSubmit,
    ExpertVerdictChoice,
)
from handlers.procedures.states import ExpertInput
from handlers.texts import fit_message
from handlers.views.screens import Button, keyboard, replace, send
from models import Consultation, ExpertAssignment, User
from models.deliveries import Broadcast, Delivery
from models.procedures import ExpertVerdict


def step_screen(assignment: ExpertAssignment) -> tuple[str, InlineKeyboardMarkup]:
    """The part being asked, the overall conclusion, or the review before submitting."""
    cid, step = assignment.consultation_id, assignment.step
    if step in expertise.PARTS:
        number = expertise.PARTS.index(step) + 1
        text = _("Part {number} of {total}. <b>{part}</b>: write your assessment as one message.").format(
            number=number, total=len(expertise.PARTS), part=part_title(step)
        )
        written = (assignment.parts or {}).get(step)
        if written:
            text += "\n\n" + _("Written so far:") + "\n" + html.quote(written)
        return fit_message(text), keyboard([(_("Skip"), ExpertSkip(cid=cid, part=ExpertPartName(step)))])
    if step == expertise.VERDICT_STEP:
        buttons: list[Button] = [
            (verdict_label(v), ExpertVerdictChoice(cid=cid, verdict=v)) for v in ExpertVerdict
        ]
        return _("The overall conclusion:"), keyboard(buttons)
    lines = [_("<b>Your expert conclusion</b>, before it is submitted:")]
    for part in expertise.PARTS:
        value = (assignment.parts or {}).get(part)
        lines.append(f"<b>{part_title(part)}</b>: {html.quote(value) if value else '—'}")
    if assignment.verdict is not None:
        lines.append(_("Overall conclusion: {verdict}.").format(verdict=verdict_label(assignment.verdict)))
    buttons = [
        (_("✅ Submit"), ExpertSubmit(cid=cid)),
        (_("↺ Start again"), ExpertRestart(cid=cid)),
    ]
    return fit_message("\n".join(lines)), keyboard(buttons)


def create_router() -> Router:
    router = Router(name="procedures.expert")

    @router.callback_query(ExpertStart.filter())
    async def start(
        query: CallbackQuery, callback_data: ExpertStart, user: User, session: AsyncSession, state: FSMContext
    ) -> None:
        """Begin, or resume where the expert stopped (the parts are kept in the database); the request
        stays on screen with its button, to come back to later."""
        assignment = await expertise.own_assignment(session, user, callback_data.cid)
        await state.set_state(ExpertInput.part)
        await state.set_data({"cid": assignment.consultation_id})
        await send(query, *step_screen(assignment))

    @router.message(ExpertInput.part, not_command)
    async def typed(message: Message, user: User, session: AsyncSession, state: FSMContext) -> None:
        """The part being asked, typed."""
        cid = int((await state.get_data())["cid"])
        assignment = await expertise.own_assignment(session, user, cid)
        if assignment.step not in expertise.PARTS:
            await message.answer(_("Please use the buttons above."))
            return
        assignment = await expertise.save_part(session, user, cid, assignment.step, message.text)
        text, markup = step_screen(assignment)
        await message.answer(text, reply_markup=markup)

    @router.callback_query(ExpertSkip.filter())
    async def skip(
        query: CallbackQuery, callback_data: ExpertSkip, user: User, session: AsyncSession
    ) -> None:
        """Nothing to say on this part."""
        assignment = await expertise.save_part(
            session, user, callback_data.cid, callback_data.part.value, None
        )
        await replace(query, *step_screen(assignment))

    @router.callback_query(ExpertVerdictChoice.filter())
    async def verdict(
        query: CallbackQuery, callback_data: ExpertVerdictChoice, user: User, session: AsyncSession
    ) -> None:
        """The overall conclusion; then the review."""
        assignment = await expertise.choose_verdict(session, user, callback_data.cid, callback_data.verdict)
        await replace(query, *step_screen(assignment))

    @router.callback_query(ExpertRestart.filter())
    async def restart(
        query: CallbackQuery,
        callback_data: ExpertRestart,
        user: User,
        session: AsyncSession,
        state: FSMContext,
    ) -> None:
        """From the first part again; what was written is shown, to keep or rewrite."""
        assignment = await expertise.restart(session, user, callback_data.cid)
        await state.set_state(ExpertInput.part)
        await state.set_data({"cid": assignment.consultation_id})
        await replace(query, *step_screen(assignment))

    @router.callback_query(ExpertSubmit.filter())
    async def submit(
        query: CallbackQuery,
        callback_data: ExpertSubmit,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
    ) -> None:
        """The conclusion is submitted to the association."""
        await expertise.submit(session, user, callback_data.cid, clock.now())
        await state.clear()
        await replace(query, _("Thank you: your expert conclusion is submitted to the association."))

    return router


def expert_request_renderer(settings: Settings) -> Renderer:
    """To the expert: what is asked, and the button to begin."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        broadcast = await session.get(Broadcast, delivery.broadcast_id)
        consultation = await session.get(Consultation, broadcast.subject_id)  # type: ignore[union-attr,arg-type]
        recipient = await session.get(User, delivery.user_id)
        locale = (recipient.language if recipient else None) or settings.locale.default_locale
        with use_locale(locale):
            title = (consultation.title(locale)[0] if consultation else "") or _("(untitled)")
            text = _(
                "🧑‍⚖️ The association asks for your expert conclusion on the draft «{title}»: conformity with "
                "the laws on local self-government and on the budget, financial consequences, new mandates "
                "without funding, local services, risks, the overall conclusion and recommendations."
            ).format(title=html.quote(title))
            markup = keyboard([(_("✍ Give the expert conclusion"), ExpertStart(cid=broadcast.subject_id))])  # type: ignore[union-attr,arg-type]
            message = await bot.send_message(delivery.chat_id, text, reply_markup=markup)
        return message.message_id

    return render
