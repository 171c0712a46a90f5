"""The coordinator's live view of a consultation: response rate, who is silent, and any single answer."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.errors import StaleAction, stale_button
from bot.i18n import _, current_locale, format_datetime
from bot.services import answers as service
from bot.services import consultations
from bot.services.users import require_staff
from handlers.callbacks import PositionAction, ResponsesAction
from handlers.texts import fit_message
from handlers.views.answer import answer_lines
from models import Answer, Municipality, User
from models.consultations import Consultation, ConsultationStatus

PAGE = 10


def answer_text(
    answer: Answer, municipality: Municipality, author: User | None, settings: Settings, versions: int
) -> str:
    """One municipality's current answer, for the coordinator."""
    locale = current_locale()
    lines = [f"<b>{html.quote(municipality.full_name(locale))}</b>"]
    who = html.quote((author.full_name if author else None) or "—")
    if answer.by_deputy:
        who += " " + _("(deputy, on behalf of the municipality)")
    lines.append(
        _("Answered by {name}, {date}; version {version} of {versions}.").format(
            name=who,
            date=format_datetime(answer.submitted_at, settings.locale.zone),
            version=answer.version,
            versions=versions,
        )
    )
    values = {
        "stance": answer.stance,
        "impact": answer.budget_impact,
        "cost": answer.annual_cost,
        "mandate": answer.unfunded_mandate,
        "services": answer.services,
        "comment": answer.comment,
        "amendments": [
            {"article": a.article, "wording": a.wording, "justification": a.justification}
            for a in answer.amendments
        ],
        "attachments": answer.attachments,
    }
    lines += answer_lines(values, html.quote)
    return fit_message("\n".join(lines))


def create_router() -> Router:
    router = Router(name="responses")

    @router.message(Command("responses"))
    async def choose(message: Message, user: User, session: AsyncSession, settings: Settings) -> None:
        """Published consultations to look into."""
        require_staff(user)
        items = [
            c
            for c in await consultations.visible_consultations(session, user)
            if c.status is not ConsultationStatus.DRAFT
        ]
        if not items:
            await message.answer(_("There are no open consultations right now."))
            return
        builder = InlineKeyboardBuilder()
        for consultation in items:
            builder.button(
                text=consultation.title(current_locale())[0][:60],
                callback_data=ResponsesAction(cid=consultation.id, what="stats"),
            )
        builder.adjust(1)
        await message.answer(_("Which consultation?"), reply_markup=builder.as_markup())

    @router.callback_query(ResponsesAction.filter())
    async def view(
        query: CallbackQuery,
        callback_data: ResponsesAction,
        user: User,
        session: AsyncSession,
        settings: Settings,
    ) -> None:
        """Statistics, the silent municipalities, the answered ones, or one answer."""
        require_staff(user)
        consultation = await session.get(Consultation, callback_data.cid)
        if consultation is None:
            raise StaleAction(_("This consultation no longer exists."))
        await query.answer()
        message: Message = query.message  # type: ignore[assignment]
        cid, locale = consultation.id, current_locale()
        if callback_data.what == "stats":
            stats = await service.responses(session, cid, locale)
            lines = [
                f"<b>{html.quote(consultation.title(locale)[0])}</b>",
                _("Answered: {answered} of {targeted} ({rate}%).").format(
                    answered=stats.answered, targeted=stats.targeted, rate=round(100 * stats.rate)
                ),
            ]
            lines += [f"• {html.quote(o.name)}: {o.answered}/{o.targeted}" for o in stats.by_oblast]
            builder = InlineKeyboardBuilder()
            builder.button(
                text=_("Who has not answered"), callback_data=ResponsesAction(cid=cid, what="silent")
            )
            builder.button(
                text=_("Read the answers"), callback_data=ResponsesAction(cid=cid, what="answered")
            )
            if consultation.status is ConsultationStatus.OPEN:
                builder.button(
                    text=_("⏹ Close the consultation now"),
                    callback_data=PositionAction(cid=cid, action="close"),
                )
            else:
                builder.button(
                    text=_("📝 The position"), callback_data=PositionAction(cid=cid, action="show")
                )
            builder.adjust(1)
            await message.answer("\n".join(lines), reply_markup=builder.as_markup())
        elif callback_data.what == "silent":
            silent = await service.municipalities_by_answer(session, cid, answered=False, limit=500)
            text = (
                _("Not answered yet ({count}):").format(count=len(silent))
                + "\n"
                + "\n".join(f"• {html.quote(m.full_name(locale))}" for m in silent)
            )
            await message.answer(fit_message(text))
        elif callback_data.what == "answered":
            page = max(0, callback_data.page)
            rows = await service.municipalities_by_answer(
                session, cid, answered=True, offset=page * PAGE, limit=PAGE + 1
            )
            builder = InlineKeyboardBuilder()
            for municipality in rows[:PAGE]:
                builder.button(
                    text=municipality.name(locale),
                    callback_data=ResponsesAction(cid=cid, what="view", mid=municipality.id),
                )
            if len(rows) > PAGE:
                builder.button(
                    text="▶", callback_data=ResponsesAction(cid=cid, what="answered", page=page + 1)
                )
            builder.adjust(1)
            await message.answer(
                _("Municipalities that answered:") if rows else _("No answers yet."),
                reply_markup=builder.as_markup(),
            )
        elif callback_data.what == "view":
            answer = await service.current_answer(session, cid, callback_data.mid)
            municipality = await session.get(Municipality, callback_data.mid)
            if answer is None or municipality is None:
                raise StaleAction(_("This municipality has not answered."))
            author = await session.get(User, answer.author_id) if answer.author_id else None
            history = await service.versions(session, cid, municipality.id)
            await message.answer(answer_text(answer, municipality, author, settings, len(history)))
        else:
            raise stale_button()

    return router
