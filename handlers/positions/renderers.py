"""What the outbox sends about a position: the drafted position to the coordinator when a consultation
closes, and the outcome to each municipality that answered."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from aiogram import Bot, html
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import _, use_locale
from bot.labels import act_fate_label, decision_label
from bot.outbox import Renderer
from bot.presentation.formats import submitted_line
from bot.services import positions as service
from handlers.callbacks import PositionScreen
from handlers.positions.views import numbers_text, route_and_note, shorten
from handlers.texts import fit_message
from handlers.views.screens import keyboard
from models import ActFate, Position, User
from models.consultations import Consultation
from models.deliveries import Broadcast, Delivery


async def _recipient_locale(
    session: AsyncSession, delivery: Delivery, default_locale: str
) -> tuple[User | None, str]:
    recipient = await session.get(User, delivery.user_id)
    return recipient, (recipient.language if recipient else None) or default_locale


def position_draft_renderer(settings: Settings) -> Renderer:
    """To the coordinator when a consultation closes: the numbers, the drafted text, the way to adopt."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        broadcast = await session.get(Broadcast, delivery.broadcast_id)
        consultation, position = await service.get_position(session, broadcast.subject_id)  # type: ignore[union-attr,arg-type]
        _user, locale = await _recipient_locale(session, delivery, settings.locale.default_locale)
        with use_locale(locale):
            summary = await service.summarise(session, consultation.id, locale, settings.position.quorum)
            text = (
                _("⏹ The consultation is closed; the answers are counted.")
                + "\n\n"
                + numbers_text(consultation, summary)
                + "\n\n"
                + _("<b>Drafted position</b> (edit it if needed, then adopt it):")
                + "\n\n"
                + html.quote(position.text_ky if locale == "ky" else position.text_ru)
            )
            markup = keyboard([(_("📝 Open the position"), PositionScreen(cid=consultation.id))])
            message = await bot.send_message(delivery.chat_id, fit_message(text), reply_markup=markup)
        return message.message_id

    return render


def outcome_text(
    consultation: Consultation,
    position: Position,
    own: list[service.OwnProposal],
    locale: str,
    zone: ZoneInfo,
) -> str:
    """What became of the act and of this municipality's own proposals."""
    lines = [
        _("🏛 <b>Outcome of the consultation</b> «{title}»").format(
            title=html.quote(consultation.title(locale)[0])
        ),
        html.quote(submitted_line(position, zone, locale)),
        _("Fate of the act: {fate}.").format(fate=act_fate_label(position.act_fate or ActFate.PENDING)),
        *route_and_note(position),
        "",
    ]
    if own:
        lines.append(_("Your municipality's proposals:"))
        for proposal in own:
            wording = html.quote(shorten(proposal.wording))
            line = f"• {html.quote(proposal.article)}: «{wording}» — {decision_label(proposal.decision)}"
            if proposal.reason:
                line += ". " + _("Reason: {text}").format(text=html.quote(proposal.reason))
            lines.append(line)
    else:
        lines.append(_("Your municipality proposed no amendments; its opinion was counted in the position."))
    lines.append(_("Thank you for your answer."))
    return fit_message("\n".join(lines))


def outcome_renderer(settings: Settings) -> Renderer:
    """To each municipality that answered: the outcome, with its own proposals only."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        broadcast = await session.get(Broadcast, delivery.broadcast_id)
        consultation, position = await service.get_position(session, broadcast.subject_id)  # type: ignore[union-attr,arg-type]
        recipient, locale = await _recipient_locale(session, delivery, settings.locale.default_locale)
        own = await service.own_proposals(session, consultation.id, recipient.municipality_id)  # type: ignore[union-attr,arg-type]
        with use_locale(locale):
            text = outcome_text(consultation, position, own, locale, settings.locale.zone)
            message = await bot.send_message(delivery.chat_id, text)
        return message.message_id

    return render
