"""The weekly digest in the reader's language: the data gathered by ``bot.services.digest``, worded."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from aiogram import Bot, html
from aiogram.types import BufferedInputFile
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.documents.annual_report import state_chart
from bot.i18n import _, format_number, use_locale
from bot.outbox import Renderer
from bot.presentation.time_left import time_left_words
from bot.services.indicators import open_consultations, year_period
from bot.services.indicators.responses import by_month
from handlers.callbacks import ConsultationAction, ConsultationIntent, PositionScreen, ResponsesStats
from handlers.reminders.parts import Item, send_parts
from models import Position, User
from models.consultations import Consultation
from models.deliveries import Delivery

EXCERPT = 300
BUTTON_TITLE = 40


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def head_items(
    content: dict[str, Any],
    titles: dict[int, str],
    positions: dict[int, str],
    now: datetime,
    locale: str,
) -> list[Item]:
    """A head's or deputy's week: waiting for their answer first, then new, closed, and decided."""
    items = [Item(_("📰 <b>Pikir: your week</b>"))]
    if content.get("waiting"):
        items.append(Item("\n" + _("✍ <b>Waiting for your municipality's answer:</b>")))
        for entry in content["waiting"]:
            cid, title = entry["cid"], titles.get(entry["cid"], "")
            left = datetime.fromisoformat(entry["deadline"]) - now
            button = _("✍ Answer: {title}").format(title=_short(title, BUTTON_TITLE))
            items.append(
                Item(
                    _("• {title}: {left} left").format(
                        title=html.quote(title), left=time_left_words(left, locale)
                    ),
                    [(button, ConsultationAction(action=ConsultationIntent.ANSWER, id=cid))],
                )
            )
    if content.get("published"):
        items.append(Item("\n" + _("🆕 <b>Published this week:</b>")))
        items += [Item(f"• {html.quote(titles.get(cid, ''))}") for cid in content["published"]]
    if content.get("closed"):
        items.append(Item("\n" + _("⏹ <b>Closed this week:</b>")))
        for cid in content["closed"]:
            line = f"• {html.quote(titles.get(cid, ''))}"
            if positions.get(cid):
                line += "\n  " + _("The association's position: {text}").format(
                    text=html.quote(_short(positions[cid], EXCERPT))
                )
            else:
                line += "\n  " + _("The position is being prepared.")
            items.append(Item(line))
    if content.get("outcomes"):
        items.append(Item("\n" + _("🏛 <b>Decisions on your municipality's proposals:</b>")))
        for entry in content["outcomes"]:
            items.append(
                Item(
                    _("• {title}: accepted {accepted}, partly accepted {partly}, rejected {rejected}").format(
                        title=html.quote(titles.get(entry["cid"], "")),
                        accepted=format_number(entry.get("accepted", 0)),
                        partly=format_number(entry.get("partly", 0)),
                        rejected=format_number(entry.get("rejected", 0)),
                    )
                )
            )
    return items


def staff_items(content: dict[str, Any], titles: dict[int, str], now: datetime, locale: str) -> list[Item]:
    """A coordinator's week: their open consultations, positions to adopt, applications to decide."""
    items = [Item(_("📰 <b>Pikir: your week</b>"))]
    if content.get("open"):
        items.append(Item("\n" + _("📊 <b>Your open consultations:</b>")))
        for entry in content["open"]:
            targeted, answered = entry["targeted"], entry["answered"]
            rate = round(100 * answered / targeted) if targeted else 0
            line = _("• {title}: answered {answered} of {targeted} ({rate}%), +{new} this week").format(
                title=html.quote(titles.get(entry["cid"], "")),
                answered=format_number(answered),
                targeted=format_number(targeted),
                rate=rate,
                new=format_number(answered - entry["week_ago"]),
            )
            if entry.get("deadline"):
                left = datetime.fromisoformat(entry["deadline"]) - now
                line += "; " + _("{left} left").format(left=time_left_words(left, locale))
            button = _("📊 {title}").format(title=_short(titles.get(entry["cid"], ""), BUTTON_TITLE))
            items.append(Item(line, [(button, ResponsesStats(cid=entry["cid"]))]))
    if content.get("to_adopt"):
        items.append(Item("\n" + _("📝 <b>Positions waiting to be adopted:</b>")))
        for cid in content["to_adopt"]:
            button = _("📝 {title}").format(title=_short(titles.get(cid, ""), BUTTON_TITLE))
            items.append(Item(f"• {html.quote(titles.get(cid, ''))}", [(button, PositionScreen(cid=cid))]))
    if content.get("applications"):
        items.append(
            Item(
                "\n"
                + _("📥 Applications waiting for approval: {count} (/applications)").format(
                    count=format_number(content["applications"])
                )
            )
        )
    return items


def _ids(content: dict[str, Any]) -> set[int]:
    ids: set[int] = set()
    for name in ("waiting", "outcomes", "open"):
        ids |= {entry["cid"] for entry in content.get(name, [])}
    for name in ("published", "closed", "to_adopt"):
        ids |= set(content.get(name, []))
    return ids


async def send_state_picture(
    bot: Bot, session: AsyncSession, delivery: Delivery, settings: Settings, now: datetime, locale: str
) -> int:
    """The one-page «state of consultations» (as /report makes it) after a coordinator's text, once: the
    payload records it, so a retry after a 429 on the picture does not repeat the text, nor a retry
    after a failure on the text send the picture twice."""
    zone = settings.locale.zone
    months = await by_month(session, year_period(now.astimezone(zone).year, zone))
    open_now = await open_consultations(session, locale)
    png = await asyncio.to_thread(state_chart, months, open_now, locale, now, zone)
    message = await bot.send_photo(delivery.chat_id, BufferedInputFile(png, "pikir-state.png"))
    delivery.payload = {**delivery.payload, "picture_sent": True}
    return message.message_id


def digest_renderer(settings: Settings, clock: Clock) -> Renderer:
    """Each person's digest, worded in their language when it is sent, split between items if long."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int | None:
        recipient = await session.get(User, delivery.user_id)
        if recipient is None or not recipient.is_active or not recipient.digest_weekly:
            return None
        content = delivery.payload
        locale = recipient.language or settings.locale.default_locale
        ids = _ids(content)
        consultations = (await session.scalars(select(Consultation).where(Consultation.id.in_(ids)))).all()
        titles = {c.id: c.title(locale)[0] for c in consultations}
        positions = {
            p.consultation_id: (p.text_ky if locale == "ky" else p.text_ru) or p.text_ru or p.text_ky
            for p in await session.scalars(
                select(Position).where(
                    Position.consultation_id.in_(content.get("closed", [])), Position.adopted_at.is_not(None)
                )
            )
        }
        now = clock.now()
        with use_locale(locale):
            if content.get("role") != "staff":
                return await send_parts(bot, delivery, head_items(content, titles, positions, now, locale))
            message_id = await send_parts(bot, delivery, staff_items(content, titles, now, locale))
            if delivery.payload.get("picture_sent"):
                return message_id or None
            return await send_state_picture(bot, session, delivery, settings, now, locale)

    return render
