"""What the outbox sends for reminders: the reminder to a head or deputy, and the escalation list to the
coordinator who published. Each looks at the database once more when it is its turn to be sent."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, html
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.flows.answer import STANCE
from bot.i18n import _, format_datetime, format_number, use_locale
from bot.outbox import Renderer
from bot.presentation.time_left import time_left_words
from bot.services import reminders as service
from handlers.callbacks import AnswerContinue, ConsultationAction, ConsultationIntent, ResponsesStats
from handlers.reminders.parts import Item, send_parts
from models import Answer, AnswerDraft, Role, User
from models.consultations import Consultation, ConsultationStatus
from models.deliveries import Broadcast, Delivery


def reminder_text(
    consultation: Consultation,
    left: timedelta,
    settings: Settings,
    locale: str,
    *,
    note: str | None,
    last: bool,
) -> str:
    title, _fallback = consultation.title(locale)
    lines = [
        _("🔔 <b>Reminder</b>: your municipality has not answered yet."),
        "",
        f"📄 <b>{html.quote(title)}</b>",
        _("⏳ {left} left (answers are accepted until {deadline}).").format(
            left=time_left_words(left, locale),
            deadline=format_datetime(consultation.deadline, settings.locale.zone, locale),  # type: ignore[arg-type]
        ),
    ]
    if note:
        lines += ["", _("Message from the association: {note}").format(note=html.quote(note))]
    if last:
        lines += ["", _("This is the last reminder before the deadline.")]
    return "\n".join(lines)


def reminder_keyboard(cid: int, draft: AnswerDraft | None) -> InlineKeyboardMarkup:
    """«✍ Answer», or «Continue» where the person has an unfinished answer."""
    builder = InlineKeyboardBuilder()
    if draft is not None and draft.step != STANCE:
        builder.button(text=_("✍ Continue"), callback_data=AnswerContinue(cid=cid, v=draft.version))
    else:
        builder.button(
            text=_("✍ Answer"), callback_data=ConsultationAction(action=ConsultationIntent.ANSWER, id=cid)
        )
    return builder.as_markup()


def reminder_renderer(settings: Settings, clock: Clock) -> Renderer:
    """To each head and deputy of a silent municipality; nothing when it has answered meanwhile, the
    consultation is closed or its deadline passed (the row is then done, without a message)."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int | None:
        broadcast = await session.get(Broadcast, delivery.broadcast_id)
        consultation = await session.get(Consultation, broadcast.subject_id) if broadcast else None  # type: ignore[arg-type]
        recipient = await session.get(User, delivery.user_id)
        now = clock.now()
        if (
            consultation is None
            or consultation.status is not ConsultationStatus.OPEN
            or consultation.deadline is None
            or consultation.deadline <= now
            or recipient is None
            or not recipient.has_role(Role.HEAD, Role.DEPUTY)
        ):
            return None
        answered = await session.scalar(
            select(Answer.id).where(service.answered_since(consultation.id, recipient.municipality_id))  # type: ignore[arg-type]
        )
        if answered is not None:
            return None
        draft = await session.scalar(
            select(AnswerDraft).where(
                AnswerDraft.user_id == recipient.id, AnswerDraft.consultation_id == consultation.id
            )
        )
        locale = recipient.language or settings.locale.default_locale
        with use_locale(locale):
            text = reminder_text(
                consultation,
                consultation.deadline - now,
                settings,
                locale,
                note=delivery.payload.get("note"),
                last=bool(delivery.payload.get("last")),
            )
            message = await bot.send_message(
                delivery.chat_id, text, reply_markup=reminder_keyboard(consultation.id, draft)
            )
        return message.message_id

    return render


def escalation_items(
    consultation: Consultation, places: list[service.SilentPlace], locale: str
) -> list[Item]:
    """The still silent by oblast and district, each with its people as links to open their chats."""
    title, _fallback = consultation.title(locale)
    items = [
        Item(
            _(
                "📞 The last reminder went out for «{title}». Still silent: {count}. "
                "You may want to phone them:"
            ).format(title=html.quote(title), count=format_number(len(places)))
        )
    ]
    oblast = district = None
    for place in places:
        municipality = place.municipality
        if municipality.oblast_id != oblast:
            oblast, district = municipality.oblast_id, None
            items.append(Item(f"\n<b>{html.quote(municipality.oblast.name(locale))}</b>"))
        if municipality.district_id != district and municipality.district is not None:
            district = municipality.district_id
            items.append(Item(f"<i>{html.quote(municipality.district.name(locale))}</i>"))
        people = ", ".join(
            f'<a href="tg://user?id={telegram_id}">{html.quote(name)}</a>'
            for name, telegram_id in place.heads
        )
        items.append(
            Item(f"• {html.quote(municipality.name(locale))}: " + (people or _("no registered head")))
        )
    return items


def escalation_renderer(settings: Settings) -> Renderer:
    """To the coordinator who published, with the last automatic reminder."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int | None:
        broadcast = await session.get(Broadcast, delivery.broadcast_id)
        consultation = await session.get(Consultation, broadcast.subject_id) if broadcast else None  # type: ignore[arg-type]
        recipient = await session.get(User, delivery.user_id)
        if consultation is None or recipient is None or not recipient.is_staff:
            return None
        places = await service.silent_places(session, consultation.id, list(delivery.payload.get("mids", [])))
        if not places:  # everyone answered between the round and this message
            return None
        locale = recipient.language or settings.locale.default_locale
        with use_locale(locale):
            items = escalation_items(consultation, places, locale)
            items[-1].buttons.append((_("📊 The answers"), ResponsesStats(cid=consultation.id)))
            return await send_parts(bot, delivery, items)

    return render
