"""The agenda of a scheduled committee sitting: besides its own consultation, further ones the committee
takes up the same day (issue 13), each one press to put on or take off; the briefing names them."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.types import CallbackQuery, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.errors import stale_button
from bot.i18n import _, current_locale, format_datetime
from bot.services.procedures import sittings as service
from handlers.procedures.callbacks import SittingAgenda, SittingAgendaSet, SittingScreen
from handlers.procedures.views import latest_consultations
from handlers.views.screens import Button, keyboard, replace
from models import CommitteeSitting, Consultation, User
from models.procedures import SittingStatus

TITLE_SHOWN = 55


async def agenda_screen(
    session: AsyncSession, user: User, sitting: CommitteeSitting, settings: Settings
) -> tuple[str, InlineKeyboardMarkup]:
    locale = current_locale()
    own = await session.get(Consultation, sitting.consultation_id)
    agenda = list(sitting.agenda_ids or [])
    titles = {
        c.id: c.title(locale)[0] or _("(untitled)")
        for c in await session.scalars(select(Consultation).where(Consultation.id.in_(agenda)))
    }
    lines = [
        _("<b>Agenda of the sitting {when}</b>, {committee}:").format(
            when=format_datetime(sitting.starts_at, settings.locale.zone),
            committee=html.quote(sitting.committee),
        ),
        "• " + html.quote((own.title(locale)[0] if own else "") or _("(untitled)")),
        *("• " + html.quote(titles[cid]) for cid in agenda if cid in titles),
        "",
        _("Press a consultation to put it on the agenda or take it off."),
    ]
    buttons: list[Button] = []
    for consultation in await latest_consultations(session, user):
        if consultation.id == sitting.consultation_id:
            continue
        on = consultation.id in agenda
        title = (consultation.title(locale)[0] or _("(untitled)"))[:TITLE_SHOWN]
        buttons.append(
            (
                ("✅ " if on else "➕ ") + title,
                SittingAgendaSet(sid=sitting.id, cid=consultation.id, on=not on),
            )
        )
    buttons.append((_("◀ Back"), SittingScreen(cid=sitting.consultation_id)))
    return "\n".join(lines), keyboard(buttons)


def create_router() -> Router:
    router = Router(name="procedures.sitting_agenda")

    @router.callback_query(SittingAgenda.filter())
    async def show(
        query: CallbackQuery,
        callback_data: SittingAgenda,
        user: User,
        session: AsyncSession,
        settings: Settings,
    ) -> None:
        """The sitting's agenda and the consultations that may be put on it."""
        sitting = await session.get(CommitteeSitting, callback_data.sid)
        if sitting is None or sitting.status is not SittingStatus.SCHEDULED:
            raise stale_button()
        await replace(query, *await agenda_screen(session, user, sitting, settings))

    @router.callback_query(SittingAgendaSet.filter())
    async def toggle(
        query: CallbackQuery,
        callback_data: SittingAgendaSet,
        user: User,
        session: AsyncSession,
        settings: Settings,
    ) -> None:
        """On the agenda or off it (the press says which, so pressing twice changes nothing)."""
        await service.set_on_agenda(session, user, callback_data.sid, callback_data.cid, on=callback_data.on)
        sitting = await session.get(CommitteeSitting, callback_data.sid)
        assert sitting is not None
        await replace(query, *await agenda_screen(session, user, sitting, settings))

    return router
