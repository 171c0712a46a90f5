"""What the outbox sends about approval requests: the near-term alert to the coordinator."""

from __future__ import annotations

from aiogram import Bot, html
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import _, use_locale
from bot.outbox import Renderer
from bot.services.procedures import approval
from handlers.procedures.callbacks import ApprovalLetter, ApprovalScreen
from handlers.procedures.views import day_text
from handlers.views.screens import keyboard
from models import User
from models.deliveries import Broadcast, Delivery


def approval_alert_renderer(settings: Settings) -> Renderer:
    """«The answer to the ministry is due in 2 working days», with the way to the letter."""

    async def render(bot: Bot, session: AsyncSession, delivery: Delivery) -> int:
        broadcast = await session.get(Broadcast, delivery.broadcast_id)
        consultation, request = await approval.get_approval(session, broadcast.subject_id)  # type: ignore[union-attr,arg-type]
        recipient = await session.get(User, delivery.user_id)
        locale = (recipient.language if recipient else None) or settings.locale.default_locale
        left = int(delivery.payload.get("left", 0))
        with use_locale(locale):
            title = consultation.title(locale)[0] or _("(untitled)")
            heading = (
                _("⏰ The association's answer is due today.")
                if left == 0
                else _("⏰ Working days left for the association's answer: {left}.").format(left=left)
            )
            text = "\n".join(
                [
                    heading,
                    _("«{title}»: approval requested by {body}, letter No. {number}; term {date}.").format(
                        title=html.quote(title),
                        body=html.quote(request.body_name),
                        number=html.quote(request.incoming_number),
                        date=day_text(request.due_on),
                    ),
                ]
            )
            markup = keyboard(
                [
                    (_("✉ The answer letter"), ApprovalLetter(cid=consultation.id)),
                    (_("🏛 The approval request"), ApprovalScreen(cid=consultation.id)),
                ]
            )
            message = await bot.send_message(delivery.chat_id, text, reply_markup=markup)
        return message.message_id

    return render
