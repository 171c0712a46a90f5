"""How a consultation looks to a head, and the delivery of it through the outbox."""

from __future__ import annotations

from collections import OrderedDict
from zoneinfo import ZoneInfo

from aiogram import Bot, html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _, format_datetime, use_locale
from bot.outbox import Renderer
from handlers.callbacks import ConsultationAction, ConsultationIntent
from models import User
from models.consultations import Consultation
from models.deliveries import Broadcast, Delivery

CAPTION_LIMIT = 1024  # Telegram's limit for a document's caption
SHORT_SUMMARY = 600


def _title_line(consultation: Consultation, locale: str) -> str:
    title, fallback = consultation.title(locale)
    line = f"📄 <b>{html.quote(title)}</b>"
    if fallback:
        line += "\n" + _("(not yet available in your language; shown in the other one)")
    return line


def card_text(consultation: Consultation, locale: str, zone: ZoneInfo, *, full: bool = False) -> str:
    """The consultation as a head reads it; ``full`` adds the whole summary instead of its beginning."""
    lines = [_title_line(consultation, locale)]
    summary, fallback = consultation.summary(locale)
    if summary:
        if not full and len(summary) > SHORT_SUMMARY:
            summary = summary[:SHORT_SUMMARY].rsplit(" ", 1)[0] + "…"
        lines += ["", html.quote(summary)]
        if fallback and not consultation.title(locale)[1]:
            lines.append(_("(the summary is not yet available in your language; shown in the other one)"))
    lines.append("")
    if consultation.initiator:
        lines.append(_("Initiator: {name}").format(name=html.quote(consultation.initiator)))
    if consultation.committee:
        lines.append(_("Committee: {name}").format(name=html.quote(consultation.committee)))
    if consultation.deadline is not None:
        lines.append(
            _("⏳ Answer by: {deadline}").format(
                deadline=format_datetime(consultation.deadline, zone, locale)
            )
        )
    if full and consultation.source_url:
        lines.append(_("Source: {url}").format(url=html.quote(consultation.source_url)))
    return "\n".join(lines)


def caption_text(consultation: Consultation, locale: str, zone: ZoneInfo) -> str:
    """A card short enough for a document caption: without the summary if need be."""
    text = card_text(consultation, locale, zone)
    if len(text) <= CAPTION_LIMIT - 50:  # the markup is counted loosely; keep a margin
        return text
    without_summary = Consultation(
        title_ky=consultation.title_ky,
        title_ru=consultation.title_ru,
        initiator=consultation.initiator,
        committee=consultation.committee,
        deadline=consultation.deadline,
    )
    return card_text(without_summary, locale, zone)[: CAPTION_LIMIT - 50]


def card_keyboard(consultation: Consultation, *, preview: bool = False) -> InlineKeyboardMarkup:
    """«Read more», «Answer» and the source; a preview for the coordinator has no «Answer» to press."""
    builder = InlineKeyboardBuilder()
    more = ConsultationAction(action=ConsultationIntent.MORE, id=consultation.id)
    builder.button(text=_("📖 Read more"), callback_data=more)
    if not preview:
        answer = ConsultationAction(action=ConsultationIntent.ANSWER, id=consultation.id)
        builder.button(text=_("✍ Answer"), callback_data=answer)
    if consultation.source_url:
        builder.button(text=_("🔗 Source"), url=consultation.source_url)
    builder.adjust(2, 1)
    return builder.as_markup()


async def send_card(
    bot: Bot, chat_id: int, consultation: Consultation, locale: str, zone: ZoneInfo, *, preview: bool = False
) -> int:
    """The document with a caption when there is one, a text message otherwise; returns its id."""
    markup = card_keyboard(consultation, preview=preview)
    if consultation.document_file_id:
        message = await bot.send_document(
            chat_id,
            consultation.document_file_id,
            caption=caption_text(consultation, locale, zone),
            reply_markup=markup,
        )
    else:
        message = await bot.send_message(chat_id, card_text(consultation, locale, zone), reply_markup=markup)
    return message.message_id


def consultation_renderer(zone: ZoneInfo, default_locale: str) -> Renderer:
    """The outbox renderer for published consultations: each recipient gets the card in their language."""

    # A broadcast's consultation, read once rather than for every one of its hundreds of cards (a
    # published consultation's card does not change); a few broadcasts at a time at most.
    published: OrderedDict[int, Consultation] = OrderedDict()

    async def consultation_of(session: AsyncSession, broadcast_id: int) -> Consultation:
        consultation = published.get(broadcast_id)
        if consultation is None:
            broadcast = await session.get(Broadcast, broadcast_id)
            consultation = await session.get(Consultation, broadcast.subject_id)  # type: ignore[union-attr]
            published[broadcast_id] = consultation  # type: ignore[assignment]
            if len(published) > 8:
                published.popitem(last=False)
        return consultation  # type: ignore[return-value]

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        consultation = await consultation_of(session, delivery.broadcast_id)
        recipient = await session.get(User, delivery.user_id)
        locale = (recipient.language if recipient else None) or default_locale
        with use_locale(locale):
            return await send_card(bot, delivery.chat_id, consultation, locale, zone)

    return render
