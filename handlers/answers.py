"""The answer flow: a head gives the municipality's opinion step by step, reviews it, and submits it.

Every step is saved in an ``answer_draft`` row, so a half-finished answer survives a restart and
the next day. Each button names the step it belongs to; a press from an earlier step is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router, html
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import InvalidInput, StaleAction, stale_button
from bot.i18n import _, format_datetime, format_number
from bot.labels import impact_label, service_label
from bot.services import answers as service
from handlers.callbacks import AnswerAction, ConsultationAction
from handlers.filters import not_command
from handlers.states import Answering
from models import AnswerDraft, User
from models.answers import LOCAL_SERVICES, BudgetImpact, Stance
from models.consultations import Consultation

FIXED_STEPS = ["stance", "impact", "cost", "mandate", "services", "comment", "amendments", "attachments"]
AMENDMENT_STEPS = ["article", "wording", "justification"]
SKIPPABLE = {"impact", "cost", "mandate", "services", "comment", "justification", "attachments"}
LONG_TEXT_STEPS = {"comment", "wording", "justification"}
PART_LENGTH = 3500  # see _take_text
SHOWN = 600  # characters of a long text shown on the review screen
EXTRA_TEXT_MAX = 2000


def stance_name(stance: str) -> str:
    return {
        Stance.SUPPORT: _("👍 Support"),
        Stance.SUPPORT_WITH_AMENDMENTS: _("✏ Support with amendments"),
        Stance.OPPOSE: _("👎 Oppose"),
        Stance.NO_OPINION: _("🤷 No opinion"),
    }[Stance(stance)]


def steps_of(consultation: Consultation) -> list[str]:
    return FIXED_STEPS + [f"q{q['id']}" for q in consultation.extra_questions] + ["review"]


def question(consultation: Consultation, step: str) -> dict[str, Any]:
    wanted = step.removeprefix("q")
    for item in consultation.extra_questions:
        if str(item["id"]) == wanted:
            return item
    raise stale_button()


def next_step(step: str, consultation: Consultation) -> str:
    if step in ("article", "wording"):
        return AMENDMENT_STEPS[AMENDMENT_STEPS.index(step) + 1]
    if step == "justification":
        return "amendments"
    order = steps_of(consultation)
    return order[order.index(step) + 1]


def _shorten(text: str) -> str:
    if len(text) <= SHOWN:
        return html.quote(text)
    return (
        html.quote(text[:SHOWN])
        + "… "
        + _("({count} characters in all, kept whole)").format(count=format_number(len(text)))
    )


def answer_lines(values: dict[str, Any], shown: Callable[[str], str]) -> list[str]:
    """An answer's fields, a line each; ``values`` keyed as in the draft, long texts through ``shown``."""
    stance = values.get("stance")
    lines = [_("Position: {value}").format(value=stance_name(stance) if stance else "—")]
    if values.get("impact"):
        lines.append(_("Local budget: {value}").format(value=impact_label(values["impact"])))
    if values.get("cost") is not None:
        lines.append(_("Estimated annual cost: {value} som").format(value=format_number(values["cost"])))
    if values.get("mandate") is not None:
        lines.append(
            _("New mandate without funding: {value}").format(value=_("Yes") if values["mandate"] else _("No"))
        )
    if values.get("services"):
        lines.append(
            _("Local services: {value}").format(value=", ".join(service_label(s) for s in values["services"]))
        )
    if values.get("comment"):
        lines.append(_("Comment: {value}").format(value=shown(values["comment"])))
    for number, amendment in enumerate(values.get("amendments", []), start=1):
        lines += [
            "",
            _("Amendment {number}: {article}").format(
                number=number, article=html.quote(amendment["article"])
            ),
            _("Proposed wording: {value}").format(value=shown(amendment["wording"])),
        ]
        if amendment.get("justification"):
            lines.append(_("Justification: {value}").format(value=shown(amendment["justification"])))
    if values.get("attachments"):
        lines.append(_("Attachments: {count}").format(count=len(values["attachments"])))
    return lines


def review_text(consultation: Consultation, data: dict[str, Any]) -> str:
    lines = [_("<b>Your answer, please check it:</b>"), "", *answer_lines(data, _shorten)]
    for item in consultation.extra_questions:
        value = (data.get("extra") or {}).get(str(item["id"]))
        if value is not None:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            lines.append(f"{html.quote(item['text'])}: {html.quote(shown)}")
    text = "\n".join(lines)
    return text[:4000]


def render(step: str, draft: AnswerDraft, consultation: Consultation) -> tuple[str, InlineKeyboardMarkup]:
    """The question of a step and its buttons."""
    data, cid = draft.data, consultation.id
    builder = InlineKeyboardBuilder()

    def button(text: str, action: str, value: str = "") -> None:
        builder.button(text=text, callback_data=AnswerAction(cid=cid, step=step, action=action, value=value))

    if step == "stance":
        text = _("What is your municipality's position on this draft?")
        for stance in Stance:
            button(stance_name(stance), "pick", stance.value)
        builder.adjust(1)
    elif step == "impact":
        text = _("How does it affect the local budget?")
        for impact in BudgetImpact:
            button(impact_label(impact), "pick", impact.value)
        builder.adjust(1)
    elif step == "cost":
        text = _("The estimated annual cost for your municipality, in som (e.g. 1 500 000 or 1,5 млн).")
    elif step == "mandate":
        text = _("Does it give the municipality a new task without funding?")
        button(_("Yes"), "pick", "1")
        button(_("No"), "pick", "0")
    elif step == "services":
        text = _("Which local services does it touch? Press all that apply, then «Next».")
        for code in LOCAL_SERVICES:
            mark = "✅ " if code in data.get("services", []) else ""
            button(mark + service_label(code), "toggle", code)
        builder.adjust(2)
        builder.row(*_one(cid, step, "next", _("Next »")))
    elif step == "comment":
        text = _("Your comment, in your own words (a long text may come in several messages).")
    elif step == "amendments":
        count = len(data.get("amendments", []))
        text = (
            _("Amendments proposed so far: {count}.").format(count=count)
            + "\n"
            + _("Do you propose a change to the text of the draft?")
        )
        button(_("➕ Add an amendment"), "add")
        button(_("No more amendments »") if count else _("No amendments »"), "next")
        builder.adjust(1)
    elif step == "article":
        text = _("Which article, part or clause? E.g. «Article 5, part 2».")
    elif step == "wording":
        text = _("The wording you propose for it.")
    elif step == "justification":
        text = _("Why? A short justification.")
    elif step == "attachments":
        attached = len(data.get("attachments", []))
        text = _(
            "You may send documents or photos as evidence (attached: {count}). Then press «Done»."
        ).format(count=attached)
        button(_("Done »"), "next")
    elif step.startswith("q"):
        item = question(consultation, step)
        text = html.quote(item["text"])
        chosen = (data.get("extra") or {}).get(str(item["id"]))
        if item["type"] == "single":
            for index, option in enumerate(item["options"]):
                button(option, "pick", str(index))
            builder.adjust(1)
        elif item["type"] == "multi":
            text += "\n" + _("Press all that apply, then «Next».")
            for index, option in enumerate(item["options"]):
                button(("✅ " if chosen and option in chosen else "") + option, "toggle", str(index))
            builder.adjust(1)
            builder.row(*_one(cid, step, "next", _("Next »")))
        elif item["type"] == "scale":
            text += "\n" + _("From 1 (not at all) to 5 (very much).")
            for value in range(1, 6):
                button(str(value), "pick", str(value))
            builder.adjust(5)
    else:  # review
        text = review_text(consultation, data)
        button(_("✅ Submit the answer"), "submit")
    navigation = InlineKeyboardBuilder()
    if data.get("history"):
        navigation.button(text=_("« Back"), callback_data=AnswerAction(cid=cid, step=step, action="back"))
    skippable = step in SKIPPABLE or (
        step.startswith("q") and question(consultation, step)["type"] != "multi"
    )
    if skippable and step != "attachments":
        navigation.button(text=_("Skip »"), callback_data=AnswerAction(cid=cid, step=step, action="skip"))
    builder.attach(navigation)
    return text, builder.as_markup()


def _one(cid: int, step: str, action: str, text: str) -> list[Any]:
    return (
        InlineKeyboardBuilder()
        .button(text=text, callback_data=AnswerAction(cid=cid, step=step, action=action))
        .buttons
    )  # type: ignore[return-value]


async def show(message: Message, draft: AnswerDraft, consultation: Consultation) -> None:
    text, markup = render(draft.step, draft, consultation)
    await message.answer(text, reply_markup=markup)


async def move(
    session: AsyncSession, draft: AnswerDraft, to: str, data: dict[str, Any], now: datetime
) -> None:
    """Go to another step, remembering where we were for «Back»."""
    data = dict(data)
    data["history"] = [*data.get("history", []), draft.step]
    await service.save_draft(session, draft, to, data, now)


async def remember(state: FSMContext, consultation_id: int) -> None:
    """Route the user's next typed messages to this answer; written only when it changes."""
    if await state.get_state() != Answering.active.state or (
        (await state.get_data()).get("answer_cid") != consultation_id
    ):
        await state.set_state(Answering.active)
        await state.set_data({"answer_cid": consultation_id})


def create_router() -> Router:
    router = Router(name="answers")

    async def load(
        session: AsyncSession, user: User, cid: int, clock: Clock, *, submitting: bool = False
    ) -> tuple[AnswerDraft, Consultation]:
        consultation = await service.answerable(session, user, cid, clock.now())
        draft = await service.get_draft(session, user, cid)
        if draft is None:
            # «Submit» pressed again: the first press turned the draft into the answer.
            raise service.already_sent() if submitting else stale_button()
        return draft, consultation

    @router.callback_query(ConsultationAction.filter(F.action == "answer"))
    async def begin(
        query: CallbackQuery,
        callback_data: ConsultationAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Start answering, or offer to continue an unfinished answer."""
        consultation = await service.answerable(session, user, callback_data.id, clock.now())
        await query.answer()
        await remember(state, consultation.id)
        message: Message = query.message  # type: ignore[assignment]
        draft = await service.get_draft(session, user, consultation.id)
        if draft is not None and draft.step != "stance":
            builder = InlineKeyboardBuilder()
            builder.button(
                text=_("Continue"),
                callback_data=AnswerAction(cid=consultation.id, step=draft.step, action="continue"),
            )
            builder.button(
                text=_("Start over"),
                callback_data=AnswerAction(cid=consultation.id, step=draft.step, action="restart"),
            )
            await message.answer(
                _("You have an unfinished answer to this consultation."), reply_markup=builder.as_markup()
            )
            return
        current = await service.current_answer(session, consultation.id, user.municipality_id)  # type: ignore[arg-type]
        if current is not None:
            await message.answer(
                _(
                    "Your municipality already answered on {date}. A new answer will replace it; "
                    "the earlier one stays in the history."
                ).format(date=format_datetime(current.submitted_at, settings.locale.zone))
            )
        draft = await service.start_draft(session, user, consultation.id, clock.now())
        await show(message, draft, consultation)

    @router.callback_query(AnswerAction.filter())
    async def pressed(
        query: CallbackQuery,
        callback_data: AnswerAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        bot: Bot,
        settings: Settings,
    ) -> None:
        """Every button of the flow: checked against the draft's current step first."""
        action = callback_data.action
        submitting = action == "submit"
        draft, consultation = await load(session, user, callback_data.cid, clock, submitting=submitting)
        if callback_data.step != draft.step:
            raise StaleAction(_("This button is from an earlier step. Please use the latest message."))
        if not submitting:  # a repeated «Submit» must not bring back the state the first one cleared
            await remember(state, consultation.id)
        data, step, now = dict(draft.data), draft.step, clock.now()
        message: Message = query.message  # type: ignore[assignment]
        if action == "continue":
            await query.answer()
            await show(message, draft, consultation)
            return
        if action == "restart":
            draft = await service.start_draft(session, user, consultation.id, now)
        elif action == "back":
            history = list(data.get("history", []))
            if not history:
                raise stale_button()
            data["history"] = history[:-1]
            await service.save_draft(session, draft, history[-1], data, now)
        elif action in ("skip", "next"):
            if action == "skip" and step not in SKIPPABLE and not step.startswith("q"):
                raise InvalidInput(_("This step cannot be skipped."))
            if (
                action == "next"
                and step not in ("services", "amendments", "attachments", *LONG_TEXT_STEPS)
                and not (step.startswith("q"))
            ):
                raise stale_button()
            data.pop("in_parts", None)
            if step == "justification":
                _finish_amendment(data)
            await move(session, draft, next_step(step, consultation), data, now)
        elif action == "pick":
            await _pick(session, draft, consultation, data, callback_data.value, now)
        elif action == "toggle":
            _toggle(consultation, data, step, callback_data.value)
            await service.save_draft(session, draft, step, data, now)
        elif action == "add" and step == "amendments":
            if len(data.get("amendments", [])) >= service.MAX_AMENDMENTS:
                raise InvalidInput(_("That is the most amendments one answer can hold."))
            data["current"] = {}
            await move(session, draft, "article", data, now)
        elif action == "submit" and step == "review":
            until = (
                format_datetime(consultation.deadline, settings.locale.zone) if consultation.deadline else "—"
            )
            answer = await service.submit(session, user, draft, now)
            await state.clear()
            await query.answer()
            await message.edit_reply_markup(reply_markup=None)
            await message.answer(
                _(
                    "Thank you! Your municipality's answer is recorded (version {version}). "
                    "You can change it until {deadline} by pressing «Answer» again."
                ).format(version=answer.version, deadline=until)
            )
            return
        else:
            raise stale_button()
        await query.answer()
        if action != "toggle":
            await message.edit_reply_markup(reply_markup=None)
            await show(message, draft, consultation)
        else:
            await message.edit_reply_markup(reply_markup=render(step, draft, consultation)[1])

    @router.message(Answering.active, not_command)
    async def typed(
        message: Message, user: User, session: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        """Text for the text steps, documents and photos for the attachments step."""
        cid = (await state.get_data()).get("answer_cid")
        if cid is None:
            raise stale_button()
        draft, consultation = await load(session, user, cid, clock)
        data, step, now = dict(draft.data), draft.step, clock.now()
        if step == "attachments":
            data["attachments"] = _with_attachment(message, data.get("attachments", []))
            await service.save_draft(session, draft, step, data, now)
            await show(message, draft, consultation)
            return
        if message.text is None:
            raise InvalidInput(_("Please send this as a text message."))
        if step == "cost":
            data["cost"] = service.parse_som(message.text)
        elif step == "article":
            data["current"] = {"article": service.clean_article(message.text)}
        elif step in LONG_TEXT_STEPS:
            await _take_text(message, session, draft, consultation, now)
            return
        elif step.startswith("q") and question(consultation, step)["type"] == "text":
            text = message.text.strip()
            if not text or len(text) > EXTRA_TEXT_MAX:
                raise InvalidInput(
                    _("Please answer in up to {limit} characters.").format(limit=EXTRA_TEXT_MAX)
                )
            data.setdefault("extra", {})[step.removeprefix("q")] = text
        else:
            raise InvalidInput(_("Please use the buttons of this step."))
        data.pop("in_parts", None)
        await move(session, draft, next_step(step, consultation), data, now)
        await show(message, draft, consultation)

    return router


async def _pick(
    session: AsyncSession,
    draft: AnswerDraft,
    consultation: Consultation,
    data: dict[str, Any],
    value: str,
    now: datetime,
) -> None:
    step = draft.step
    if step == "stance":
        data["stance"] = Stance(value).value
    elif step == "impact":
        data["impact"] = BudgetImpact(value).value
    elif step == "mandate":
        data["mandate"] = value == "1"
    elif step.startswith("q"):
        item = question(consultation, step)
        if item["type"] == "single" and value.isdigit() and int(value) < len(item["options"]):
            chosen: Any = item["options"][int(value)]
        elif item["type"] == "scale" and value in {"1", "2", "3", "4", "5"}:
            chosen = int(value)
        else:
            raise stale_button()
        data.setdefault("extra", {})[str(item["id"])] = chosen
    else:
        raise stale_button()
    await move(session, draft, next_step(step, consultation), data, now)


async def _take_text(
    message: Message, session: AsyncSession, draft: AnswerDraft, consultation: Consultation, now: datetime
) -> None:
    """A comment, wording or justification, perhaps one part of a longer text; the write is retried on
    a fresh draft if another update of the user wrote it at the same moment."""
    step, text, cid = draft.step, message.text or "", consultation.id
    outcome = service.Part.DONE

    def add(current: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        nonlocal outcome
        if current != step:
            raise StaleAction(_("This button is from an earlier step. Please use the latest message."))
        holder = data if step == "comment" else data.setdefault("current", {})
        # Telegram cuts longer texts into parts of 4096 characters; a message this long is probably one.
        outcome = service.join_part(data, holder, step, text, message.date, more=len(text) >= PART_LENGTH)
        if outcome is not service.Part.DONE:
            return step, data
        if step == "justification":
            _finish_amendment(data)
        data["history"] = [*data.get("history", []), step]
        return next_step(step, consultation), data

    await service.change_draft(session, draft, add, now)
    if outcome is service.Part.REFUSED:
        raise service.too_long()
    if outcome is service.Part.MORE:
        holder = draft.data if step == "comment" else draft.data.get("current", {})
        builder = InlineKeyboardBuilder()
        builder.button(text=_("Next »"), callback_data=AnswerAction(cid=cid, step=step, action="next"))
        await message.answer(
            _("Received {count} characters. Send the rest, or press «Next».").format(
                count=format_number(len(holder[step]))
            ),
            reply_markup=builder.as_markup(),
        )
    elif outcome is service.Part.DONE:
        await show(message, draft, consultation)


def _finish_amendment(data: dict[str, Any]) -> None:
    """The amendment being written joins the list (its justification may be missing)."""
    current = data.pop("current", None) or {}
    if current.get("article") and current.get("wording"):
        data["amendments"] = [*data.get("amendments", []), current]


def _toggle(consultation: Consultation, data: dict[str, Any], step: str, value: str) -> None:
    if step == "services" and value in LOCAL_SERVICES:
        data["services"] = sorted(set(data.get("services", [])) ^ {value})
        return
    if step.startswith("q"):
        item = question(consultation, step)
        if item["type"] == "multi" and value.isdigit() and int(value) < len(item["options"]):
            extra = data.setdefault("extra", {})
            chosen = set(extra.get(str(item["id"]), []))
            extra[str(item["id"])] = [
                o for o in item["options"] if o in chosen ^ {item["options"][int(value)]}
            ]
            return
    raise stale_button()


def _with_attachment(message: Message, attachments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if len(attachments) >= service.MAX_ATTACHMENTS:
        raise InvalidInput(_("That is the most attachments one answer can hold."))
    if message.document is not None:
        if (message.document.file_size or 0) > service.ATTACHMENT_MAX_BYTES:
            raise InvalidInput(_("The file is too large: at most 20 MB."))
        item = {"file_id": message.document.file_id, "kind": "document", "name": message.document.file_name}
    elif message.photo:
        item = {"file_id": message.photo[-1].file_id, "kind": "photo", "name": None}
    else:
        raise InvalidInput(_("Please send a document or a photo, or press «Done»."))
    return [*attachments, item]
