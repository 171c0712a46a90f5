"""The coordinator's wizard (/new, reopened from /drafts): a button or a message moves the flow.

The steps and their rules are ``bot.flows.wizard``; the draft is the consultation row, saved after every
accepted input, so nothing typed is lost; the FSM only remembers which draft and where the wizard stands.
A button press edits its message into the next step; typed input gets the next step as a new message.
Here: starting, reopening, typed input, cancelling and publishing; the step buttons are in ``buttons``,
what they share in ``moves``, how each step looks in ``views``.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import stale_button
from bot.flows.wizard import Draft, Step, Wizard
from bot.i18n import _, current_locale
from bot.outbox import DeliverySender
from bot.services import consultations as service
from bot.services import deliveries
from bot.services.users import require_staff
from handlers.callbacks import ConsultationAction, WizCancel, WizPublish
from handlers.consultation_wizard.buttons import add_step_buttons
from handlers.consultation_wizard.moves import load, remember, settle, show, typed
from handlers.consultation_wizard.views import send_preview
from handlers.filters import not_command
from handlers.states import ConsultationWizard
from models import User


def create_router() -> Router:
    router = Router(name="consultation_wizard")
    # StateFilter, not the bare state: aiogram runs a bare State (a synchronous filter) in a thread.
    in_wizard = StateFilter(ConsultationWizard.step)

    @router.message(Command("new"))
    async def new_consultation(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Start a new draft."""
        consultation = await service.create_draft(session, user, clock.now())
        wizard = Wizard.start(Draft.from_row(consultation), clock.now(), settings.locale.zone)
        await remember(state, consultation, wizard)
        await message.answer(
            _(
                "A new consultation. Buttons under each step: «Back», «Skip», «Cancel». "
                "Everything is saved as you go."
            )
        )
        await show(message, session, consultation, wizard, settings, came_from=wizard.step, edit=False)

    @router.callback_query(ConsultationAction.filter(F.action == "edit"))
    async def edit_draft(
        query: CallbackQuery,
        callback_data: ConsultationAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Reopen a saved draft (from /drafts) at its preview; «Back» walks through the steps."""
        consultation = await service.get_draft(session, user, callback_data.id)
        wizard = Wizard.resume(Draft.from_row(consultation), None, clock.now(), settings.locale.zone)
        await remember(state, consultation, wizard)
        await query.answer()
        message: Message = query.message  # type: ignore[assignment]
        await send_preview(message, session, consultation, settings.locale.zone, edit=False)

    @router.message(in_wizard, not_command)
    async def field_given(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """A typed value (or the document) for the current step."""
        consultation, wizard, stored = await load(session, state, user, clock, settings)
        came_from = wizard.step
        outcome = wizard.apply(came_from, await typed(message, session, came_from))
        await settle(session, state, stored, consultation, wizard, outcome)
        await show(message, session, consultation, wizard, settings, came_from=came_from, edit=False)

    add_step_buttons(router)

    @router.callback_query(WizCancel.filter())
    async def cancel(query: CallbackQuery, user: User, state: FSMContext) -> None:
        """Stop; the draft stays and can be found in /drafts."""
        require_staff(user)  # like every wizard button; /cancel works for anyone
        await state.clear()
        await query.answer()
        await query.message.edit_text(_("Stopped. The draft is saved; /drafts lists it."))  # type: ignore[union-attr]

    @router.callback_query(WizPublish.filter())
    async def publish(
        query: CallbackQuery,
        callback_data: WizPublish,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        """Send it to everyone in the audience; a repeated press is told it is already published."""
        # The button names its consultation, so that a press after the wizard ended can still be told
        # that it went out (get_draft says so) rather than that the button is stale.
        consultation = await service.get_draft(session, user, callback_data.id)
        data = await state.get_data()
        if (
            await state.get_state() != ConsultationWizard.step.state
            or data.get("consultation_id") != consultation.id
            or data.get("step") != Step.PREVIEW.value
        ):
            raise stale_button()
        # Published first (compare-and-set in the service), so that only the press that published it
        # gets as far as the messages below.
        broadcast = await service.publish(session, user, consultation.id, clock.now())
        # The deliveries are written: the sender starts now, while this handler talks to Telegram.
        sender.wake()
        await state.clear()
        await query.answer()
        message: Message = query.message  # type: ignore[assignment]
        # The preview's last message (with «Publish») becomes the progress message: one call, not two.
        if broadcast.total == 0:
            await message.edit_text(_("Published, but nobody in this audience uses the bot yet."))
            return
        await message.edit_text(_("Published. Sending…"))
        await deliveries.report_to(
            session, broadcast.id, message.chat.id, message.message_id, current_locale()
        )
        # From here on the sender keeps the progress message up to date; it may have sent some already.
        sender.touch(broadcast.id)

    return router
