"""/expertise (staff): ask experts for a structured conclusion on a consultation, see where each stands,
and download the combined expert conclusion (DOCX) in Kyrgyz or Russian."""

from __future__ import annotations

import asyncio

from aiogram import Bot, Router, html
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.documents.expert_conclusion import expert_conclusion
from bot.errors import N_, StaleAction
from bot.i18n import _, current_locale
from bot.outbox import DeliverySender
from bot.presentation.procedure_labels import verdict_label
from bot.services.procedures import expertise
from handlers.keyboards import LANGUAGES
from handlers.procedures.callbacks import ExpertAsk, ExpertCandidates, ExpertDocument, ExpertScreen
from handlers.procedures.views import consultations_to_choose
from handlers.texts import fit_message
from handlers.views.screens import Button, keyboard, replace
from models import Consultation, Role, User, UserStatus
from models.consultations import ConsultationTarget
from models.procedures import ExpertStatus

EXPERTS_LISTED = 30  # people offered as experts


async def _consultation(session: AsyncSession, cid: int) -> Consultation:
    consultation = await session.get(Consultation, cid)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    return consultation


async def expertise_screen(session: AsyncSession, cid: int) -> tuple[str, InlineKeyboardMarkup]:
    consultation = await _consultation(session, cid)
    lines = [
        _("<b>Expert conclusion</b> on «{title}»").format(
            title=html.quote(consultation.title(current_locale())[0] or _("(untitled)"))
        )
    ]
    asked = await expertise.assignments(session, cid)
    for assignment, user in asked:
        if assignment.status is ExpertStatus.SUBMITTED and assignment.verdict is not None:
            state = _("submitted: {verdict}").format(verdict=verdict_label(assignment.verdict))
        else:
            state = _("writing")
        lines.append(f"• {html.quote(user.full_name or user.telegram_name or '—')}: {state}")
    if not asked:
        lines.append(_("No expert has been asked yet."))
    buttons: list[Button] = [(_("➕ Ask an expert"), ExpertCandidates(cid=cid))]
    if any(a.status is ExpertStatus.SUBMITTED for a, _user in asked):
        buttons += [
            (
                _("📄 Expert conclusion (DOCX), {language}").format(language=name),
                ExpertDocument(cid=cid, language=lang),
            )
            for lang, name in LANGUAGES.items()
        ]
    return fit_message("\n".join(lines)), keyboard(buttons)


async def candidates(session: AsyncSession, cid: int) -> list[User]:
    """Active staff, and the heads and deputies of the municipalities the consultation was put before."""
    targeted = select(ConsultationTarget.municipality_id).where(ConsultationTarget.consultation_id == cid)
    staff = select(User).where(
        User.status == UserStatus.ACTIVE, User.role.in_([Role.COORDINATOR, Role.ADMIN])
    )
    heads = select(User).where(
        User.status == UserStatus.ACTIVE,
        User.role.in_([Role.HEAD, Role.DEPUTY]),
        User.municipality_id.in_(targeted.scalar_subquery()),
    )
    people = list(await session.scalars(staff.order_by(User.full_name)))
    people += list(await session.scalars(heads.order_by(User.full_name).limit(EXPERTS_LISTED)))
    return people[:EXPERTS_LISTED]


def create_router() -> Router:
    router = Router(name="procedures.expertise")

    @router.message(Command("expertise"))
    async def choose(message: Message, user: User, session: AsyncSession) -> None:
        """The consultations, to ask experts on one."""
        items = await consultations_to_choose(message, user, session)
        if not items:
            return
        buttons: list[Button] = [
            ((c.title(current_locale())[0] or _("(untitled)"))[:60], ExpertScreen(cid=c.id)) for c in items
        ]
        await message.answer(_("Expert conclusions. Which consultation?"), reply_markup=keyboard(buttons))

    @router.callback_query(ExpertScreen.filter())
    async def show(query: CallbackQuery, callback_data: ExpertScreen, session: AsyncSession) -> None:
        """The experts asked and where each stands."""
        await replace(query, *await expertise_screen(session, callback_data.cid))

    @router.callback_query(ExpertCandidates.filter())
    async def people(query: CallbackQuery, callback_data: ExpertCandidates, session: AsyncSession) -> None:
        """Whom to ask: staff, and the heads of the targeted municipalities."""
        cid = (await _consultation(session, callback_data.cid)).id
        buttons: list[Button] = [
            (
                (person.full_name or person.telegram_name or str(person.telegram_id))[:60],
                ExpertAsk(cid=cid, uid=person.id),
            )
            for person in await candidates(session, cid)
        ]
        buttons.append((_("◀ Back"), ExpertScreen(cid=cid)))
        await replace(
            query, _("Whom should the association ask for an expert conclusion?"), keyboard(buttons)
        )

    @router.callback_query(ExpertAsk.filter())
    async def ask(
        query: CallbackQuery,
        callback_data: ExpertAsk,
        user: User,
        session: AsyncSession,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        """Ask this person; the request goes out through the outbox."""
        await expertise.ask_expert(session, user, callback_data.cid, callback_data.uid, clock.now())
        sender.wake()
        await replace(query, *await expertise_screen(session, callback_data.cid), notice=_("Asked."))

    @router.callback_query(ExpertDocument.filter())
    async def document(
        query: CallbackQuery,
        callback_data: ExpertDocument,
        user: User,
        session: AsyncSession,
        settings: Settings,
        clock: Clock,
        bot: Bot,
    ) -> None:
        """The combined expert conclusion, in the chosen language."""
        cid, language = callback_data.cid, callback_data.language.value
        data = await expertise.conclusion_data(
            session, user, cid, language, settings.position.quorum, clock.now()
        )
        await query.answer(_("Preparing the file…"))
        content = await asyncio.to_thread(expert_conclusion, data, settings.locale.zone)
        name = f"pikir-{cid}-expertise-{language}.docx"
        await bot.send_document(query.from_user.id, BufferedInputFile(content, filename=name))

    return router
