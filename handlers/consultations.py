"""Consultations seen from the chat: the /drafts list, «read more», the delivery progress and report."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.errors import StaleAction, stale_button
from bot.i18n import _, current_locale, format_date, ngettext, use_locale
from bot.outbox import ProgressListener
from bot.services import consultations as service
from bot.services import deliveries
from bot.services.users import not_allowed, require_staff
from handlers.callbacks import ConsultationAction, ConsultationIntent
from handlers.procedures.views import drafts_notes
from handlers.views.consultation import card_text
from handlers.views.consultation_status import status_name
from models import Role, User
from models.consultations import Consultation, ConsultationStatus
from models.deliveries import Broadcast

log = logging.getLogger(__name__)


def time_left(deadline: datetime | None, now: datetime, settings: Settings) -> str:
    if deadline is None:
        return _("no deadline yet")
    if deadline <= now:
        return _("the deadline has passed")
    days = (deadline - now).days
    until = format_date(deadline, settings.locale.zone)
    if days == 0:
        return _("last day, until {date}").format(date=until)
    return ngettext("{count} day left, until {date}", "{count} days left, until {date}", days).format(
        count=days, date=until
    )


def create_router() -> Router:
    router = Router(name="consultations")

    @router.message(Command("drafts"))
    async def list_consultations(
        message: Message, user: User, session: AsyncSession, clock: Clock, settings: Settings
    ) -> None:
        """Open consultations with the days left; staff also see drafts and closed ones."""
        items = await service.visible_consultations(session, user)
        if not items:
            await message.answer(_("There are no open consultations right now."))
            return
        locale = current_locale()
        lines = [_("<b>Consultations</b>")]
        # Staff also see where a formal procedure (an approval request) stands and its last step.
        procedures = (
            await drafts_notes(session, [c.id for c in items], settings.locale.zone) if user.is_staff else {}
        )
        builder = InlineKeyboardBuilder()
        for consultation in items:
            title = html.quote(consultation.title(locale)[0] or _("(untitled)"))
            line = f"• {title} — {time_left(consultation.deadline, clock.now(), settings)}"
            if user.is_staff:
                line += f" [{status_name(consultation.status)}]" + procedures.get(consultation.id, "")
            lines.append(line)
            if consultation.status is ConsultationStatus.DRAFT:
                builder.button(
                    text=f"✏ {consultation.title(locale)[0][:40] or _('(untitled)')}",
                    callback_data=ConsultationAction(action=ConsultationIntent.EDIT, id=consultation.id),
                )
            else:
                builder.button(
                    text=f"📖 {consultation.title(locale)[0][:40]}",
                    callback_data=ConsultationAction(action=ConsultationIntent.MORE, id=consultation.id),
                )
        builder.adjust(1)
        await message.answer("\n".join(lines), reply_markup=builder.as_markup())

    @router.callback_query(ConsultationAction.filter(F.action == ConsultationIntent.MORE))
    async def read_more(
        query: CallbackQuery,
        callback_data: ConsultationAction,
        user: User,
        session: AsyncSession,
        settings: Settings,
    ) -> None:
        """The whole summary and the source link."""
        consultation = await _visible(session, user, callback_data.id)
        await query.answer()
        await query.message.answer(  # type: ignore[union-attr]
            card_text(consultation, current_locale(), settings.locale.zone, full=True)
        )

    @router.callback_query(ConsultationAction.filter(F.action == ConsultationIntent.REPORT))
    async def report(
        query: CallbackQuery, callback_data: ConsultationAction, user: User, session: AsyncSession, bot: Bot
    ) -> None:
        """The per-municipality delivery report as an XLSX file."""
        require_staff(user)
        broadcast = await session.get(Broadcast, callback_data.id)
        if broadcast is None:
            raise stale_button()
        await query.answer()
        locale = current_locale()
        rows = await deliveries.delivery_report(session, broadcast, locale)
        content = deliveries.report_workbook(rows, report_headers(), outcome_names(), _("Delivery report"))
        await bot.send_document(
            query.from_user.id,
            BufferedInputFile(content, filename=f"delivery-{broadcast.subject_id}-{locale}.xlsx"),
            caption=_("Delivery report"),
        )

    return router


async def _visible(session: AsyncSession, user: User, consultation_id: int) -> Consultation:
    """The consultation if this user may see it: staff and observers always, heads when sent to them."""
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None or (consultation.status is ConsultationStatus.DRAFT and not user.is_staff):
        raise StaleAction(_("This consultation no longer exists."))
    if user.is_staff or user.has_role(Role.OBSERVER):
        return consultation
    if not user.has_role(Role.HEAD, Role.DEPUTY) or not await service.is_target(
        session, consultation.id, user.municipality_id
    ):
        raise not_allowed(user, _("This consultation was not sent to your municipality."))
    return consultation


def report_headers() -> list[str]:
    return [
        _("Oblast"),
        _("District"),
        _("Municipality"),
        _("СОАТЕ code"),
        _("Recipients"),
        _("Delivered"),
        _("Blocked the bot"),
        _("Result"),
    ]


def outcome_names() -> dict[str, str]:
    return {
        "delivered": _("delivered"),
        "blocked": _("blocked the bot"),
        "failed": _("not delivered"),
        "pending": _("still sending"),
        "no_head": _("no registered head"),
    }


def progress_reporter(
    bot: Bot, session_factory: async_sessionmaker[AsyncSession], clock: Clock
) -> ProgressListener:
    """Keeps each broadcast's progress message up to date, and sends the report when it is done."""

    async def report(broadcast_ids: set[int]) -> None:
        for broadcast_id in broadcast_ids:
            async with session_factory() as session:
                broadcast = await session.get(Broadcast, broadcast_id)
                if broadcast is None or broadcast.report_chat_id is None or broadcast.finished_at is not None:
                    continue
                counts = await deliveries.progress(session, broadcast_id)
                finished = counts.done and await deliveries.mark_finished(session, broadcast_id, clock.now())
                with use_locale(broadcast.report_locale or "ky"):
                    await _show_progress(bot, broadcast, counts, finished)

    return report


async def _show_progress(bot: Bot, broadcast: Broadcast, counts: deliveries.Progress, finished: bool) -> None:
    text = _("Sent {sent} of {total}, {blocked} blocked the bot, {failed} not delivered.").format(
        sent=counts.sent, total=counts.total, blocked=counts.blocked, failed=counts.failed
    )
    markup = None
    if finished:
        text = _("Sending finished.") + " " + text
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("📊 Delivery report (XLSX)"),
            callback_data=ConsultationAction(action=ConsultationIntent.REPORT, id=broadcast.id),
        )
        markup = builder.as_markup()
    try:
        await bot.edit_message_text(
            text,
            chat_id=broadcast.report_chat_id,
            message_id=broadcast.report_message_id,
            reply_markup=markup,
        )
    except TelegramAPIError as error:
        if "not modified" not in str(error):
            log.warning("progress of broadcast %s: %s", broadcast.id, error)
