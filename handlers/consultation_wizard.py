"""The coordinator's wizard: a step for each field of a consultation, a preview in both languages, publish.

The draft is a ``Consultation`` row saved after every step, so nothing typed is lost; the FSM only
remembers which draft and which step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.errors import InvalidInput, stale_button
from bot.i18n import _, current_locale, format_datetime, ngettext, use_locale
from bot.outbox import DeliverySender
from bot.services import consultations as service
from bot.services import deliveries
from bot.services.users import require_staff
from handlers.callbacks import ConsultationAction, WizardAction
from handlers.consultation_views import send_card
from handlers.filters import not_command
from handlers.states import ConsultationWizard
from models import Association, District, Municipality, MunicipalityKind, Oblast, User
from models.consultations import Consultation


@dataclass(frozen=True)
class Step:
    key: str
    prompt: Callable[[], str]
    optional: bool


STEPS = [
    Step("title_ky", lambda: _("Step 1. The title of the draft act in Kyrgyz."), True),
    Step("title_ru", lambda: _("Step 2. The title in Russian."), True),
    Step(
        "summary_ky",
        lambda: _("Step 3. A short plain-language summary in Kyrgyz: what changes for municipalities."),
        True,
    ),
    Step("summary_ru", lambda: _("Step 4. The summary in Russian."), True),
    Step(
        "source_url",
        lambda: _(
            "Step 5. A link to the draft, e.g. on the portal for public discussion or the parliament's site."
        ),
        True,
    ),
    Step("document", lambda: _("Step 6. The document itself: send the PDF or Word file."), True),
    Step(
        "initiator",
        lambda: _("Step 7. Who initiated the draft (a ministry, deputies, the government)?"),
        True,
    ),
    Step("committee", lambda: _("Step 8. The responsible Jogorku Kenesh committee."), True),
    Step("topics", lambda: _("Step 9. Topics: press all that apply, then «Next»."), False),
    Step("inter_budget", lambda: _("Step 10. Does the draft concern inter-budget relations?"), False),
    Step("audience", lambda: _("Step 11. Who should receive it?"), False),
    Step(
        "deadline",
        lambda: _(
            "Step 12. The deadline for answers, as day.month.year, e.g. 20.12.2026 "
            "or 20.12.2026 14:00 (Bishkek time)."
        ),
        False,
    ),
    Step(
        "questions",
        lambda: _("Step 13. Extra questions for the heads, besides the standard ones (optional)."),
        True,
    ),
]
QUESTION_TYPES = ("single", "multi", "scale", "text")
MAX_QUESTIONS = 10
STEP_INDEX = {step.key: index for index, step in enumerate(STEPS)}
TEXT_STEPS = {"title_ky", "title_ru", "summary_ky", "summary_ru", "source_url", "initiator", "committee"}


def _base(key: str) -> str:
    """The main step a sub-step belongs to (choosing oblasts is part of «audience»)."""
    return key.split("_", 1)[0] if key.startswith(("audience_", "question_")) else key


def question_type_name(kind: str) -> str:
    return {
        "single": _("one answer from a list"),
        "multi": _("several answers from a list"),
        "scale": _("a scale from 1 to 5"),
        "text": _("a text answer"),
    }[kind]


def topic_name(topic: str) -> str:
    return {
        "inter_budget": _("inter-budget relations"),
        "local_budget": _("local budget"),
        "land": _("land"),
        "water": _("water"),
        "education": _("education"),
        "health": _("health care"),
        "infrastructure": _("infrastructure"),
        "social": _("social protection"),
        "other": _("other"),
    }[topic]


def kind_name(kind: str) -> str:
    return {"ayil_aimak": _("ayil aimaks"), "city": _("cities"), "town": _("towns")}[kind]


def _navigation(builder: InlineKeyboardBuilder, step: Step) -> None:
    row = InlineKeyboardBuilder()
    if STEP_INDEX[step.key] > 0:
        row.button(text=_("« Back"), callback_data=WizardAction(action="back"))
    if step.optional:
        row.button(text=_("Skip »"), callback_data=WizardAction(action="skip"))
    row.button(text=_("✖ Cancel"), callback_data=WizardAction(action="cancel"))
    builder.attach(row)


async def _show_step(
    message: Message, session: AsyncSession, state: FSMContext, consultation: Consultation, key: str
) -> None:
    """Ask for one field, with its current value and its buttons."""
    await state.set_state(ConsultationWizard.step)
    await state.update_data(consultation_id=consultation.id, step=key)
    step = STEPS[STEP_INDEX[key]]
    builder = InlineKeyboardBuilder()
    text = step.prompt()
    if key == "topics":
        for topic in service.TOPICS:
            mark = "✅ " if topic in consultation.topics else ""
            builder.button(
                text=mark + topic_name(topic), callback_data=WizardAction(action="topic", value=topic)
            )
        builder.adjust(2)
        builder.row(
            *InlineKeyboardBuilder()
            .button(text=_("Next »"), callback_data=WizardAction(action="next"))
            .buttons
        )
    elif key == "inter_budget":
        builder.button(text=_("Yes"), callback_data=WizardAction(action="budget", value="1"))
        builder.button(text=_("No"), callback_data=WizardAction(action="budget", value="0"))
    elif key == "audience":
        text += "\n" + _("Now: {audience}.").format(
            audience=await describe_audience(session, consultation.audience)
        )
        for kind, label in (
            ("all", _("Everyone")),
            ("oblasts", _("By oblast")),
            ("districts", _("By district")),
            ("kinds", _("By kind of municipality")),
            ("association", _("Members of an association")),
            ("list", _("A list I type")),
        ):
            builder.button(text=label, callback_data=WizardAction(action="aud", value=kind))
        builder.adjust(2)
    elif key == "questions":
        for item in consultation.extra_questions:
            text += f"\n• {html.quote(item['text'])} ({question_type_name(item['type'])})"
        if len(consultation.extra_questions) < MAX_QUESTIONS:
            builder.button(text=_("➕ Add a question"), callback_data=WizardAction(action="question"))
        builder.button(text=_("Next »"), callback_data=WizardAction(action="next"))
        builder.adjust(1)
    else:
        current = _current_value(consultation, key)
        if current:
            text += "\n\n" + _("Now: {value}").format(value=html.quote(current))
    _navigation(builder, step)
    await message.answer(text, reply_markup=builder.as_markup())


def _current_value(consultation: Consultation, key: str) -> str | None:
    if key == "document":
        return consultation.document_name
    if key == "deadline":
        return None
    value = getattr(consultation, key)
    return (value[:200] + "…") if isinstance(value, str) and len(value) > 200 else value


async def describe_audience(session: AsyncSession, audience: dict) -> str:  # type: ignore[type-arg]
    """The audience in words, e.g. «oblasts: Чүй облусу, Талас облусу»."""
    kind, ids, locale = audience.get("kind", "all"), audience.get("ids", []), current_locale()
    if kind == "oblasts":
        names = [o.name(locale) for o in await session.scalars(select(Oblast).where(Oblast.id.in_(ids)))]
        return _("oblasts: {names}").format(names=", ".join(names))
    if kind == "districts":
        names = [d.name(locale) for d in await session.scalars(select(District).where(District.id.in_(ids)))]
        return _("districts: {names}").format(names=", ".join(names))
    if kind == "kinds":
        return _("kinds: {names}").format(names=", ".join(kind_name(k) for k in audience.get("kinds", [])))
    if kind == "association":
        names = [
            a.name(locale) for a in await session.scalars(select(Association).where(Association.id.in_(ids)))
        ]
        return _("members of {names}").format(names=", ".join(names))
    if kind == "list":
        return ngettext(
            "{count} municipality from a list", "{count} municipalities from a list", len(ids)
        ).format(count=len(ids))
    return _("all municipalities")


async def _reach_text(session: AsyncSession, consultation: Consultation) -> str:
    reach = await service.reach(session, consultation.audience)
    locale = current_locale()
    lines = [
        _("It reaches {municipalities} municipalities and {people} registered people.").format(
            municipalities=reach.municipalities, people=reach.people
        )
    ]
    if reach.without_head_count:
        names = ", ".join(html.quote(m.name(locale)) for m in reach.without_head)
        more = reach.without_head_count - len(reach.without_head)
        lines.append(
            _("No registered head in {count}: {names}").format(count=reach.without_head_count, names=names)
            + (f" (+{more})" if more > 0 else "")
        )
    return "\n".join(lines)


def create_router() -> Router:
    router = Router(name="consultation_wizard")

    async def current_draft(session: AsyncSession, state: FSMContext, user: User) -> tuple[Consultation, str]:
        data = await state.get_data()
        if "consultation_id" not in data:
            raise stale_button()
        return await service.get_draft(session, user, data["consultation_id"]), data.get("step", "title_ky")

    async def advance(
        message: Message,
        session: AsyncSession,
        state: FSMContext,
        consultation: Consultation,
        key: str,
        settings: Settings,
    ) -> None:
        index = STEP_INDEX[key] + 1
        if index < len(STEPS):
            await _show_step(message, session, state, consultation, STEPS[index].key)
        else:
            await show_preview(message, session, state, consultation, settings)

    @router.message(Command("new"))
    async def new_consultation(
        message: Message, user: User, session: AsyncSession, state: FSMContext, clock: Clock
    ) -> None:
        """Start a new draft."""
        consultation = await service.create_draft(session, user, clock.now())
        await message.answer(
            _(
                "A new consultation. Buttons under each step: «Back», «Skip», «Cancel». "
                "Everything is saved as you go."
            )
        )
        await _show_step(message, session, state, consultation, STEPS[0].key)

    @router.callback_query(ConsultationAction.filter(F.action == "edit"))
    async def edit_draft(
        query: CallbackQuery,
        callback_data: ConsultationAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
    ) -> None:
        """Reopen a saved draft (from /drafts) at its preview; «Back» walks through the steps."""
        consultation = await service.get_draft(session, user, callback_data.id)
        await state.set_state(ConsultationWizard.step)
        await state.update_data(consultation_id=consultation.id)
        await query.answer()
        await show_preview(query.message, session, state, consultation, settings)  # type: ignore[arg-type]

    @router.message(ConsultationWizard.step, not_command)
    async def field_given(
        message: Message,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """A typed value (or the document) for the current step."""
        consultation, key = await current_draft(session, state, user)
        if key == "document":
            document = message.document
            if document is None:
                raise InvalidInput(_("Please send the draft as a PDF, Word, Excel or other office document."))
            service.check_document(document.file_name, document.file_size)
            await service.save_fields(
                session,
                consultation,
                document_file_id=document.file_id,
                document_name=document.file_name,
                document_size=document.file_size,
            )
        elif key == "deadline":
            deadline = service.parse_deadline(message.text, clock.now(), settings.locale.zone)
            await service.save_fields(session, consultation, deadline=deadline)
        elif key in TEXT_STEPS:
            if message.text is None:
                raise InvalidInput(_("Please send this as a text message."))
            cleaners = {
                "title_ky": service.clean_title,
                "title_ru": service.clean_title,
                "summary_ky": service.clean_summary,
                "summary_ru": service.clean_summary,
                "source_url": service.clean_url,
            }
            value = cleaners.get(key, service.clean_name_field)(message.text)
            await service.save_fields(session, consultation, **{key: value})
        elif key == "audience_list":
            await _audience_from_list(message, session, consultation)
            key = "audience"
        elif key == "question_text":
            text = service.clean_title(message.text)
            await state.update_data(step="question_type", question_text=text)
            builder = InlineKeyboardBuilder()
            for kind in QUESTION_TYPES:
                builder.button(
                    text=question_type_name(kind), callback_data=WizardAction(action="qtype", value=kind)
                )
            builder.adjust(1)
            await message.answer(_("What kind of answer?"), reply_markup=builder.as_markup())
            return
        elif key == "question_options":
            options = [line.strip() for line in (message.text or "").splitlines() if line.strip()]
            if not 2 <= len(options) <= 8 or any(len(option) > 60 for option in options):
                raise InvalidInput(
                    _("Please write from 2 to 8 options, one per line, each up to 60 characters.")
                )
            data = await state.get_data()
            await _add_question(session, consultation, data["question_text"], data["question_kind"], options)
            await _show_step(message, session, state, consultation, "questions")
            return
        else:
            raise InvalidInput(_("Please use the buttons of this step."))
        await advance(message, session, state, consultation, key, settings)

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action.in_({"skip", "next"})))
    async def skip(
        query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext, settings: Settings
    ) -> None:
        """Leave the field as it is and go on."""
        consultation, key = await current_draft(session, state, user)
        key = _base(key)
        step = STEPS[STEP_INDEX[key]]
        if not step.optional and key != "topics":
            raise InvalidInput(_("This step cannot be skipped."))
        await query.answer()
        await advance(query.message, session, state, consultation, key, settings)  # type: ignore[arg-type]

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action == "back"))
    async def back(query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext) -> None:
        """The previous step; its saved value is shown."""
        consultation, key = await current_draft(session, state, user)
        key = _base(key)
        if key == "questions" and (await state.get_data()).get("step") != "questions":
            await query.answer()
            await _show_step(query.message, session, state, consultation, "questions")  # type: ignore[arg-type]
            return
        index = STEP_INDEX.get(key, len(STEPS))
        await query.answer()
        await _show_step(query.message, session, state, consultation, STEPS[max(0, index - 1)].key)  # type: ignore[arg-type]

    @router.callback_query(WizardAction.filter(F.action == "cancel"))
    async def cancel(query: CallbackQuery, user: User, state: FSMContext) -> None:
        """Stop; the draft stays and can be found in /drafts."""
        require_staff(user)  # like every wizard button; /cancel works for anyone
        await state.clear()
        await query.message.edit_reply_markup(reply_markup=None)  # type: ignore[union-attr]
        await query.message.answer(_("Stopped. The draft is saved; /drafts lists it."))  # type: ignore[union-attr]
        await query.answer()

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action == "topic"))
    async def toggle_topic(
        query: CallbackQuery,
        callback_data: WizardAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
    ) -> None:
        """Tick or untick a topic."""
        consultation, key = await current_draft(session, state, user)
        if key != "topics" or callback_data.value not in service.TOPICS:
            raise stale_button()
        topics = set(consultation.topics)
        topics ^= {callback_data.value}
        await service.save_fields(
            session,
            consultation,
            topics=sorted(topics),
            inter_budget=consultation.inter_budget or "inter_budget" in topics,
        )
        await query.answer()
        await query.message.delete()  # type: ignore[union-attr]
        await _show_step(query.message, session, state, consultation, "topics")  # type: ignore[arg-type]

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action == "budget"))
    async def inter_budget(
        query: CallbackQuery,
        callback_data: WizardAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
    ) -> None:
        """Yes or no."""
        consultation, key = await current_draft(session, state, user)
        if key != "inter_budget":
            raise stale_button()
        await service.save_fields(session, consultation, inter_budget=callback_data.value == "1")
        await query.answer()
        await advance(query.message, session, state, consultation, key, settings)  # type: ignore[arg-type]

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action == "aud"))
    async def audience_kind(
        query: CallbackQuery,
        callback_data: WizardAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        settings: Settings,
    ) -> None:
        """Everyone goes on at once; the other kinds ask which ones."""
        consultation, key = await current_draft(session, state, user)
        if not key.startswith("audience") or callback_data.value not in service.AUDIENCE_KINDS:
            raise stale_button()
        await query.answer()
        kind = callback_data.value
        if kind == "all":
            await service.save_fields(session, consultation, audience={"kind": "all"})
            await query.message.answer(await _reach_text(session, consultation))  # type: ignore[union-attr]
            await advance(query.message, session, state, consultation, "audience", settings)  # type: ignore[arg-type]
            return
        if kind == "list":
            await state.update_data(step="audience_list")
            await query.message.answer(  # type: ignore[union-attr]
                _(
                    "Send the СОАТЕ codes or the exact names of the municipalities, "
                    "separated by commas or new lines."
                )
            )
            return
        await service.save_fields(session, consultation, audience={"kind": kind, "ids": [], "kinds": []})
        await state.update_data(step=f"audience_{kind}")
        await _show_choices(query.message, session, consultation)  # type: ignore[arg-type]

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action == "pick"))
    async def audience_pick(
        query: CallbackQuery,
        callback_data: WizardAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
    ) -> None:
        """Tick or untick one oblast, district, kind or association."""
        consultation, key = await current_draft(session, state, user)
        audience = dict(consultation.audience)
        if key != f"audience_{audience.get('kind')}":
            raise stale_button()
        field = "kinds" if audience["kind"] == "kinds" else "ids"
        value: str | int = callback_data.value
        if field == "kinds":
            if value not in {k.value for k in MunicipalityKind}:
                raise stale_button()
        else:
            value = int(value) if str(value).isdigit() else -1
        chosen = set(audience.get(field, []))
        chosen ^= {value}
        if audience["kind"] == "association":
            chosen = {value} & chosen
        audience[field] = sorted(chosen)  # type: ignore[type-var]
        await service.save_fields(session, consultation, audience=audience)
        await query.answer()
        await query.message.delete()  # type: ignore[union-attr]
        await _show_choices(query.message, session, consultation)  # type: ignore[arg-type]

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action == "chosen"))
    async def audience_done(
        query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext, settings: Settings
    ) -> None:
        """The choice is complete: show the reach and go on."""
        consultation, key = await current_draft(session, state, user)
        audience = consultation.audience
        if not key.startswith("audience_"):
            raise stale_button()
        if not (audience.get("ids") or audience.get("kinds")):
            raise InvalidInput(_("Choose at least one."))
        await query.answer()
        await query.message.answer(await _reach_text(session, consultation))  # type: ignore[union-attr]
        await advance(query.message, session, state, consultation, "audience", settings)  # type: ignore[arg-type]

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action == "question"))
    async def add_question(
        query: CallbackQuery, user: User, session: AsyncSession, state: FSMContext
    ) -> None:
        """Ask for the text of a new extra question."""
        consultation, key = await current_draft(session, state, user)
        if key != "questions" or len(consultation.extra_questions) >= MAX_QUESTIONS:
            raise stale_button()
        await state.update_data(step="question_text")
        await query.answer()
        await query.message.answer(_("Write the question."))  # type: ignore[union-attr]

    @router.callback_query(ConsultationWizard.step, WizardAction.filter(F.action == "qtype"))
    async def question_kind(
        query: CallbackQuery,
        callback_data: WizardAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
    ) -> None:
        """The kind of answer; lists then ask for their options."""
        consultation, key = await current_draft(session, state, user)
        if key != "question_type" or callback_data.value not in QUESTION_TYPES:
            raise stale_button()
        await query.answer()
        if callback_data.value in ("single", "multi"):
            await state.update_data(step="question_options", question_kind=callback_data.value)
            await query.message.answer(_("Write the options, one per line (from 2 to 8)."))  # type: ignore[union-attr]
            return
        data = await state.get_data()
        await _add_question(session, consultation, data["question_text"], callback_data.value, [])
        await _show_step(query.message, session, state, consultation, "questions")  # type: ignore[arg-type]

    @router.callback_query(WizardAction.filter(F.action == "publish"))
    async def publish(
        query: CallbackQuery,
        callback_data: WizardAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        clock: Clock,
        sender: DeliverySender,
    ) -> None:
        """Send it to everyone in the audience; a repeated press is told it is already published."""
        data = await state.get_data()
        # The button names its consultation, so that a press after the wizard ended can still be told
        # that it went out (get_draft says so) rather than that the button is stale.
        cid = int(callback_data.value) if callback_data.value.isdigit() else data.get("consultation_id")
        if cid is None:
            raise stale_button()
        consultation = await service.get_draft(session, user, cid)
        if (
            await state.get_state() != ConsultationWizard.step.state
            or data.get("consultation_id") != cid
            or data.get("step") != "preview"
        ):
            raise stale_button()
        # Published first (compare-and-set in the service), so that only the press that published it
        # gets as far as the messages below.
        broadcast = await service.publish(session, user, consultation.id, clock.now())
        await state.clear()
        await query.answer()
        message: Message = query.message  # type: ignore[assignment]
        await message.edit_reply_markup(reply_markup=None)
        if broadcast.total == 0:
            await message.answer(_("Published, but nobody in this audience uses the bot yet."))
            return
        progress = await message.answer(_("Published. Sending…"))
        await deliveries.report_to(
            session, broadcast.id, progress.chat.id, progress.message_id, current_locale()
        )
        # From here on the sender keeps the progress message up to date; it may have sent some already.
        sender.touch(broadcast.id)

    return router


async def _add_question(
    session: AsyncSession, consultation: Consultation, text: str, kind: str, options: list[str]
) -> None:
    questions = list(consultation.extra_questions)
    next_id = max((int(q["id"]) for q in questions), default=0) + 1
    questions.append({"id": next_id, "text": text, "type": kind, "options": options})
    await service.save_fields(session, consultation, extra_questions=questions)


async def _show_choices(message: Message, session: AsyncSession, consultation: Consultation) -> None:
    """The ticks for oblasts, districts, kinds or associations."""
    audience, locale = consultation.audience, current_locale()
    kind, ids = audience["kind"], set(audience.get("ids", []))
    builder = InlineKeyboardBuilder()
    options: list[tuple[str, str]]
    if kind == "oblasts":
        options = [
            (str(o.id), o.name(locale)) for o in await session.scalars(select(Oblast).order_by(Oblast.soate))
        ]
    elif kind == "districts":
        rows = await session.scalars(select(District).order_by(District.oblast_id, District.name_ru))
        options = [(str(d.id), d.name(locale)) for d in rows]
    elif kind == "kinds":
        ids = set(audience.get("kinds", []))
        options = [(k.value, kind_name(k.value)) for k in MunicipalityKind]
    else:
        options = [
            (str(a.id), a.name(locale))
            for a in await session.scalars(select(Association).order_by(Association.id))
        ]
        if not options:
            raise InvalidInput(_("No associations are in the registry yet. Choose another audience."))
    for value, label in options:
        chosen = value in {str(i) for i in ids}
        builder.button(
            text=("✅ " if chosen else "") + label, callback_data=WizardAction(action="pick", value=value)
        )
    builder.adjust(2)
    done = InlineKeyboardBuilder()
    done.button(text=_("Done »"), callback_data=WizardAction(action="chosen"))
    done.button(text=_("« Back"), callback_data=WizardAction(action="back"))
    builder.attach(done)
    await message.answer(_("Choose, then press «Done»."), reply_markup=builder.as_markup())


async def _audience_from_list(message: Message, session: AsyncSession, consultation: Consultation) -> None:
    """Municipalities typed as СОАТЕ codes or names; anything unknown is named and nothing is saved."""
    items = [item.strip() for item in (message.text or "").replace("\n", ",").split(",") if item.strip()]
    if not items:
        raise InvalidInput(_("The message is empty. Please send it as text."))
    found: dict[str, int] = {}
    for municipality in await session.scalars(
        select(Municipality).where(
            (Municipality.soate.in_(items))
            | (Municipality.name_ru.in_(items))
            | (Municipality.name_ky.in_(items))
        )
    ):
        for key in (municipality.soate, municipality.name_ru, municipality.name_ky):
            if key:
                found[key] = municipality.id
    unknown = [item for item in items if item not in found]
    if unknown:
        raise InvalidInput(
            _("Not found in the registry: {items}. Nothing was changed; please send the list again.").format(
                items=html.quote(", ".join(unknown[:20]))
            )
        )
    await service.save_fields(
        session, consultation, audience={"kind": "list", "ids": sorted(set(found.values()))}
    )
    await message.answer(await _reach_text(session, consultation))


async def show_preview(
    message: Message, session: AsyncSession, state: FSMContext, consultation: Consultation, settings: Settings
) -> None:
    """Exactly what heads will receive, in each language, then the publish button."""
    await state.update_data(step="preview")
    zone = settings.locale.zone
    for locale, label in (("ky", "Кыргызча"), ("ru", "Русский")):
        await message.answer(_("Preview: {language}").format(language=label))
        with use_locale(locale):
            await send_card(message.bot, message.chat.id, consultation, locale, zone)  # type: ignore[arg-type]
    lines = [
        _("Topics: {topics}").format(topics=", ".join(topic_name(t) for t in consultation.topics) or "—"),
        _("Inter-budget relations: {answer}").format(
            answer=_("Yes") if consultation.inter_budget else _("No")
        ),
        _("Audience: {audience}").format(audience=await describe_audience(session, consultation.audience)),
        await _reach_text(session, consultation),
    ]
    if consultation.deadline:
        lines.append(
            _("⏳ Answer by: {deadline}").format(deadline=format_datetime(consultation.deadline, zone))
        )
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("📤 Publish"), callback_data=WizardAction(action="publish", value=str(consultation.id))
    )
    builder.button(text=_("« Back"), callback_data=WizardAction(action="back"))
    builder.button(text=_("✖ Cancel"), callback_data=WizardAction(action="cancel"))
    builder.adjust(1, 2)
    await message.answer("\n".join(lines), reply_markup=builder.as_markup())
