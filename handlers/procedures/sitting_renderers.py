"""What the outbox sends about committee sittings: the speaker's briefing the day before (the position in
five lines, the key numbers, the three most supported amendments, the position paper attached), and the
short notice to the heads once the minutes are recorded."""

from __future__ import annotations

import asyncio

from aiogram import Bot, html
from aiogram.types import BufferedInputFile
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import documents
from bot.config import Settings
from bot.documents.common import answered_line, cost_lines, stance_line
from bot.i18n import _, format_datetime, use_locale
from bot.outbox import Renderer
from bot.services.export_data import export_data
from bot.services.positions import summarise
from handlers.texts import fit_message
from models import CommitteeSitting, Consultation, Position, User
from models.deliveries import Broadcast, Delivery
from models.procedures import MinutesEntry, Reading

POSITION_LINES = 5
TOP_AMENDMENTS = 3


def reading_label(reading: Reading) -> str:
    return {
        Reading.FIRST: _("first reading"),
        Reading.SECOND: _("second reading"),
        Reading.THIRD: _("third reading"),
        Reading.OTHER: _("hearing"),
    }[reading]


def minutes_label(entry: MinutesEntry) -> str:
    return {
        MinutesEntry.YES: _("entered in the minutes"),
        MinutesEntry.PARTLY: _("partly entered in the minutes"),
        MinutesEntry.NO: _("not entered in the minutes"),
    }[entry]


async def _sitting(session: AsyncSession, delivery: Delivery) -> tuple[CommitteeSitting, Consultation, str]:
    broadcast = await session.get(Broadcast, delivery.broadcast_id)
    sitting = await session.get(CommitteeSitting, broadcast.subject_id)  # type: ignore[union-attr,arg-type]
    assert sitting is not None
    consultation = await session.get(Consultation, sitting.consultation_id)
    assert consultation is not None
    recipient = await session.get(User, delivery.user_id)
    return sitting, consultation, (recipient.language if recipient else None) or "ky"


async def _agenda_titles(session: AsyncSession, sitting: CommitteeSitting, locale: str) -> list[str]:
    """The further consultations on the sitting's agenda, quoted, in the order they were put on it."""
    ids = list(sitting.agenda_ids or [])
    found = {c.id: c for c in await session.scalars(select(Consultation).where(Consultation.id.in_(ids)))}
    return [f"«{html.quote(found[cid].title(locale)[0] or _('(untitled)'))}»" for cid in ids if cid in found]


def briefing_renderer(settings: Settings) -> Renderer:
    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        sitting, consultation, locale = await _sitting(session, delivery)
        zone = settings.locale.zone
        position = await session.scalar(select(Position).where(Position.consultation_id == consultation.id))
        with use_locale(locale):
            title = consultation.title(locale)[0] or _("(untitled)")
            lines = [
                _("📅 Tomorrow, {when}: {committee}, {place}. On the agenda: «{title}» ({reading}).").format(
                    when=format_datetime(sitting.starts_at, zone, locale),
                    committee=html.quote(sitting.committee),
                    place=html.quote(sitting.place),
                    title=html.quote(title),
                    reading=reading_label(sitting.reading),
                ),
            ]
            further = await _agenda_titles(session, sitting, locale)
            if further:
                lines.append(_("Also on the agenda: {titles}.").format(titles="; ".join(further)))
            lines += [_("You speak for the association. Your briefing:"), ""]
            paper: bytes | None = None
            if position is not None and position.adopted_at is not None:
                text = position.text_ky if locale == "ky" else position.text_ru
                kept = [line for line in text.splitlines() if line.strip()][:POSITION_LINES]
                lines += [_("<b>The association's position</b>:"), *(html.quote(line) for line in kept), ""]
                summary = await summarise(session, consultation.id, locale, settings.position.quorum)
                lines += [_("<b>Key numbers</b>:"), answered_line(summary), stance_line(summary)]
                lines += [*cost_lines(summary), ""]
                if summary.proposals:
                    lines.append(_("<b>The most supported amendments</b>:"))
                    for group in summary.proposals[:TOP_AMENDMENTS]:
                        wording = group.proposals[0].wording if group.proposals else ""
                        lines.append(
                            f"• {html.quote(group.article)} ({group.count}): {html.quote(wording[:300])}"
                        )
                data = await export_data(
                    session, consultation.id, locale, settings.position.quorum, zone, delivery.not_before
                )
                paper = await asyncio.to_thread(documents.position_paper, data)
            else:
                lines.append(_("The association's position is not adopted yet."))
            message = await bot.send_message(delivery.chat_id, fit_message("\n".join(lines)))
            if paper is not None:
                name = f"pikir-{consultation.id}-paper-{locale}.docx"
                await bot.send_document(delivery.chat_id, BufferedInputFile(paper, filename=name))
        return message.message_id

    return render


def sitting_outcome_renderer(settings: Settings) -> Renderer:
    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        sitting, consultation, locale = await _sitting(session, delivery)
        with use_locale(locale):
            title = consultation.title(locale)[0] or _("(untitled)")
            lines = [
                _("🏛 «{title}» was discussed at the sitting of {committee} ({reading}).").format(
                    title=html.quote(title),
                    committee=html.quote(sitting.committee),
                    reading=reading_label(sitting.reading),
                )
            ]
            if sitting.attended:
                lines.append(
                    _("The association's opinion, which your answer was part of, was {minutes}.").format(
                        minutes=minutes_label(sitting.minutes or MinutesEntry.NO)
                    )
                )
            else:
                lines.append(_("The association could not take part in the sitting."))
            if sitting.minutes_number:
                lines.append(_("Minutes No. {number}.").format(number=html.quote(sitting.minutes_number)))
            if sitting.decision:
                lines.append(_("The committee's decision: {text}").format(text=html.quote(sitting.decision)))
            message = await bot.send_message(delivery.chat_id, fit_message("\n".join(lines)))
        return message.message_id

    return render
