"""The coordinator's live view of a consultation: response rate, who is silent, and any single answer."""

from __future__ import annotations

from typing import Any

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.documents.common import attachment_name
from bot.errors import StaleAction
from bot.i18n import _, current_locale, format_datetime
from bot.services import answers as service
from bot.services import consultations
from bot.services.question_tallies import question_text, shown_value
from handlers.callbacks import (
    PositionClose,
    PositionScreen,
    RemindStart,
    ResponsesAnswer,
    ResponsesAnswered,
    ResponsesFile,
    ResponsesSilent,
    ResponsesStats,
)
from handlers.filters import staff_only
from handlers.texts import fit_message
from handlers.views.answer import answer_lines
from handlers.views.screens import Button, keyboard, replace
from models import Answer, Municipality, User
from models.consultations import Consultation, ConsultationStatus

PAGE = 10


def answer_text(
    answer: Answer,
    municipality: Municipality,
    author: User | None,
    settings: Settings,
    versions: int,
    questions: list[dict[str, Any]] | None = None,
    *,
    survey: bool = False,
) -> str:
    """One municipality's current answer, for the coordinator, with its answers to the extra questions
    (a survey's answer is only those: it has no stance, costs or amendments)."""
    locale = current_locale()
    lines = [f"<b>{html.quote(municipality.full_name(locale))}</b>"]
    who = _who(answer, author)
    lines.append(
        _("Answered by {name}, {date}; version {version} of {versions}.").format(
            name=who,
            date=format_datetime(answer.submitted_at, settings.locale.zone),
            version=answer.version,
            versions=versions,
        )
    )
    extra = [
        (question_text(q, locale), shown_value(q, answer.extra_answers.get(str(q.get("id"))), locale))
        for q in questions or []
    ]
    answered = [f"{html.quote(text)}: {html.quote(value) if value else '—'}" for text, value in extra]
    if survey:
        return fit_message("\n".join([*lines, "", *answered]))
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
    if any(value for _text, value in extra):
        lines += ["", _("<b>Answers to the consultation's own questions:</b>"), *answered]
    return fit_message("\n".join(lines))


def _who(answer: Answer, author: User | None) -> str:
    who = html.quote((author.full_name if author else None) or "—")
    if answer.by_deputy:
        who += " " + _("(deputy, on behalf of the municipality)")
    return who


def answer_keyboard(answer: Answer, cid: int) -> InlineKeyboardMarkup:
    """A button per attachment, which sends the file back; then «Back»."""
    buttons: list[Button] = [
        ("📎 " + _shorten(attachment_name(attachment)), ResponsesFile(aid=answer.id, index=index))
        for index, attachment in enumerate(answer.attachments)
    ]
    return keyboard([*buttons, (_("◀ Back"), ResponsesAnswered(cid=cid))])


def _shorten(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def _consultation(session: AsyncSession, cid: int) -> Consultation:
    consultation = await session.get(Consultation, cid)
    if consultation is None:
        raise StaleAction(_("This consultation no longer exists."))
    return consultation


def create_router() -> Router:
    router = Router(name="responses")
    # Staff only, checked before any handler of this router runs (the command's and every button's).
    router.message.middleware(staff_only)
    router.callback_query.middleware(staff_only)

    @router.message(Command("responses"))
    async def choose(message: Message, user: User, session: AsyncSession) -> None:
        """Published consultations to look into."""
        items = [
            c
            for c in await consultations.visible_consultations(session, user)
            if c.status is not ConsultationStatus.DRAFT
        ]
        if not items:
            await message.answer(_("There are no open consultations right now."))
            return
        buttons = [(c.title(current_locale())[0][:60], ResponsesStats(cid=c.id)) for c in items]
        await message.answer(_("Which consultation?"), reply_markup=keyboard(buttons))

    @router.callback_query(ResponsesStats.filter())
    async def stats(query: CallbackQuery, callback_data: ResponsesStats, session: AsyncSession) -> None:
        """How many answered, by oblast; and the way on: the silent, the answers, closing or the position."""
        consultation = await _consultation(session, callback_data.cid)
        cid, locale = consultation.id, current_locale()
        numbers = await service.responses(session, cid, locale)
        lines = [
            f"<b>{html.quote(consultation.title(locale)[0])}</b>",
            _("Answered: {answered} of {targeted} ({rate}%).").format(
                answered=numbers.answered, targeted=numbers.targeted, rate=round(100 * numbers.rate)
            ),
        ]
        lines += [f"• {html.quote(o.name)}: {o.answered}/{o.targeted}" for o in numbers.by_oblast]
        buttons: list[Button] = [
            (_("Who has not answered"), ResponsesSilent(cid=cid)),
            (_("Read the answers"), ResponsesAnswered(cid=cid)),
        ]
        if consultation.status is ConsultationStatus.OPEN:
            if numbers.answered < numbers.targeted:
                buttons.append((_("🔔 Remind the silent now"), RemindStart(cid=cid)))
            buttons.append((_("⏹ Close the consultation now"), PositionClose(cid=cid)))
        else:
            buttons.append((_("📝 The position"), PositionScreen(cid=cid)))
        await replace(query, "\n".join(lines), keyboard(buttons))

    @router.callback_query(ResponsesSilent.filter())
    async def silent(query: CallbackQuery, callback_data: ResponsesSilent, session: AsyncSession) -> None:
        """The municipalities that have not answered."""
        cid = (await _consultation(session, callback_data.cid)).id
        municipalities = await service.municipalities_by_answer(session, cid, answered=False, limit=500)
        labels = await service.labels_by_answer(
            session, cid, answered=False, locale=current_locale(), shown=[m.id for m in municipalities]
        )
        text = (
            _("Not answered yet ({count}):").format(count=len(municipalities))
            + "\n"
            + "\n".join(f"• {html.quote(labels.get(m.id, m.name(current_locale())))}" for m in municipalities)
        )
        await replace(query, text, keyboard([(_("◀ Back"), ResponsesStats(cid=cid))]))

    @router.callback_query(ResponsesAnswered.filter())
    async def answered(query: CallbackQuery, callback_data: ResponsesAnswered, session: AsyncSession) -> None:
        """One page of the municipalities that answered, each a button to its answer."""
        cid, page = (await _consultation(session, callback_data.cid)).id, callback_data.page
        rows = await service.municipalities_by_answer(
            session, cid, answered=True, offset=page * PAGE, limit=PAGE + 1
        )
        labels = await service.labels_by_answer(
            session, cid, answered=True, locale=current_locale(), shown=[m.id for m in rows[:PAGE]]
        )
        builder = InlineKeyboardBuilder()
        for municipality in rows[:PAGE]:
            builder.button(
                text=labels.get(municipality.id) or municipality.name(current_locale()),
                callback_data=ResponsesAnswer(cid=cid, mid=municipality.id),
            )
        builder.adjust(1)
        navigation = InlineKeyboardBuilder()
        if page > 0:
            navigation.button(text="◀", callback_data=ResponsesAnswered(cid=cid, page=page - 1))
        if len(rows) > PAGE:
            navigation.button(text="▶", callback_data=ResponsesAnswered(cid=cid, page=page + 1))
        builder.attach(navigation)
        builder.attach(InlineKeyboardBuilder.from_markup(keyboard([(_("◀ Back"), ResponsesStats(cid=cid))])))
        await replace(
            query,
            _("Municipalities that answered:") if rows else _("No answers yet."),
            builder.as_markup(),
        )

    @router.callback_query(ResponsesAnswer.filter())
    async def one_answer(
        query: CallbackQuery, callback_data: ResponsesAnswer, session: AsyncSession, settings: Settings
    ) -> None:
        """One municipality's current answer, with its author and version."""
        cid = (await _consultation(session, callback_data.cid)).id
        answer = await service.current_answer(session, cid, callback_data.mid)
        municipality = await session.get(Municipality, callback_data.mid)
        if answer is None or municipality is None:
            raise StaleAction(_("This municipality has not answered."))
        author = await session.get(User, answer.author_id) if answer.author_id else None
        history = await service.versions(session, cid, municipality.id)
        consultation = await _consultation(session, cid)
        await replace(
            query,
            answer_text(
                answer,
                municipality,
                author,
                settings,
                len(history),
                consultation.extra_questions,
                survey=consultation.is_survey,
            ),
            answer_keyboard(answer, cid),
        )

    @router.callback_query(ResponsesFile.filter())
    async def attachment(query: CallbackQuery, callback_data: ResponsesFile, session: AsyncSession) -> None:
        """One attachment sent back as it came (a file or a photo), saying which municipality sent it."""
        answer = await session.get(Answer, callback_data.aid)
        if answer is None or callback_data.index >= len(answer.attachments):
            raise StaleAction(_("This attachment is no longer there."))
        file = answer.attachments[callback_data.index]
        municipality = await session.get(Municipality, answer.municipality_id)
        author = await session.get(User, answer.author_id) if answer.author_id else None
        caption = _("{municipality}: sent by {name} with the answer (version {version}).").format(
            municipality=html.quote(municipality.full_name(current_locale()) if municipality else "—"),
            name=_who(answer, author),
            version=answer.version,
        )
        await query.answer()
        chat_id = query.from_user.id
        if file.get("kind") == "photo":
            await query.bot.send_photo(chat_id, file["file_id"], caption=caption)  # type: ignore[union-attr]
        else:
            await query.bot.send_document(chat_id, file["file_id"], caption=caption)  # type: ignore[union-attr]

    return router
