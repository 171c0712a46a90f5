"""How the consultation wizard looks: each step's text and buttons, the reach, the preview."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from aiogram import html
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput
from bot.flows.wizard import (
    MAX_QUESTIONS,
    ORDER,
    SPECS,
    TEXT_FIELDS,
    AudienceKind,
    Draft,
    QuestionType,
    Step,
    Topic,
    Wizard,
)
from bot.i18n import _, current_locale, format_datetime, ngettext, use_locale
from bot.labels import kind_label
from bot.services import consultations as service
from handlers.callbacks import (
    QuickDeadline,
    WizAddQuestion,
    WizAudience,
    WizBack,
    WizCancel,
    WizDeadline,
    WizInterBudget,
    WizKind,
    WizNext,
    WizPage,
    WizPlace,
    WizPublish,
    WizQuestionType,
    WizSkip,
    WizTopic,
)
from handlers.keyboards import in_language
from handlers.views.consultation import send_card
from models import Association, District, MunicipalityKind, Oblast
from models.consultations import Consultation

PLACES_PER_PAGE = 20

PROMPTS: dict[Step, Callable[[], str]] = {
    Step.TITLE_KY: lambda: _("Step 1. The title of the draft act in Kyrgyz."),
    Step.TITLE_RU: lambda: _("Step 2. The title in Russian."),
    Step.SUMMARY_KY: lambda: _(
        "Step 3. A short plain-language summary in Kyrgyz: what changes for municipalities."
    ),
    Step.SUMMARY_RU: lambda: _("Step 4. The summary in Russian."),
    Step.SOURCE_URL: lambda: _(
        "Step 5. A link to the draft, e.g. on the portal for public discussion or the parliament's site."
    ),
    Step.DOCUMENT: lambda: _("Step 6. The document itself: send the PDF or Word file."),
    Step.INITIATOR: lambda: _("Step 7. Who initiated the draft (a ministry, deputies, the government)?"),
    Step.COMMITTEE: lambda: _("Step 8. The responsible Jogorku Kenesh committee."),
    Step.TOPICS: lambda: _("Step 9. Topics: press all that apply, then «Next»."),
    Step.INTER_BUDGET: lambda: _("Step 10. Does the draft concern inter-budget relations?"),
    Step.AUDIENCE: lambda: _("Step 11. Who should receive it?"),
    Step.DEADLINE: lambda: _(
        "Step 12. The deadline for answers, as day.month.year, e.g. 20.12.2026 "
        "or 20.12.2026 14:00 (Bishkek time)."
    ),
    Step.QUESTIONS: lambda: _(
        "Step 13. Extra questions for the heads, besides the standard ones (optional)."
    ),
    Step.AUDIENCE_PICK: lambda: _("Choose, then press «Done»."),
    Step.AUDIENCE_LIST: lambda: _(
        "Send the СОАТЕ codes or the exact names of the municipalities, separated by commas or new lines."
    ),
    Step.QUESTION_TEXT: lambda: _("Write the question in Kyrgyz."),
    Step.QUESTION_TEXT_RU: lambda: _("The same question in Russian."),
    Step.QUESTION_TYPE: lambda: _("What kind of answer?"),
    Step.QUESTION_OPTIONS: lambda: _("Write the options in Kyrgyz, one per line (from 2 to 8)."),
    Step.QUESTION_OPTIONS_RU: lambda: _("The same options in Russian, one per line, in the same order."),
}


def question_type_name(kind: QuestionType) -> str:
    return {
        QuestionType.SINGLE: _("one answer from a list"),
        QuestionType.MULTI: _("several answers from a list"),
        QuestionType.SCALE: _("a scale from 1 to 5"),
        QuestionType.TEXT: _("a text answer"),
        QuestionType.NUMBER: _("a whole number"),
        QuestionType.YESNO: _("yes or no"),
    }[kind]


def topic_name(topic: Topic) -> str:
    return {
        Topic.INTER_BUDGET: _("inter-budget relations"),
        Topic.LOCAL_BUDGET: _("local budget"),
        Topic.LAND: _("land"),
        Topic.WATER: _("water"),
        Topic.EDUCATION: _("education"),
        Topic.HEALTH: _("health care"),
        Topic.INFRASTRUCTURE: _("infrastructure"),
        Topic.SOCIAL: _("social protection"),
        Topic.OTHER: _("other"),
    }[topic]


def kind_name(kind: MunicipalityKind) -> str:
    return kind_label(kind)


LIST_NAMED = 30  # municipalities of a typed list named in the summary; the rest are counted


def audience_kind_name(kind: AudienceKind) -> str:
    return {
        AudienceKind.ALL: _("Everyone"),
        AudienceKind.OBLASTS: _("By oblast"),
        AudienceKind.DISTRICTS: _("By district"),
        AudienceKind.KINDS: _("By kind of municipality"),
        AudienceKind.ASSOCIATION: _("Members of an association"),
        AudienceKind.LIST: _("A list I type"),
    }[kind]


async def describe_audience(session: AsyncSession, draft: Draft) -> str:
    """The audience in words, e.g. «oblasts: Чүй облусу, Талас облусу»."""
    audience, locale = draft.audience, current_locale()
    ids = list(audience.ids)
    if audience.kind is AudienceKind.OBLASTS:
        names = [o.name(locale) for o in await session.scalars(select(Oblast).where(Oblast.id.in_(ids)))]
        return _("oblasts: {names}").format(names=html.quote(", ".join(names)))
    if audience.kind is AudienceKind.DISTRICTS:
        names = [d.name(locale) for d in await service.districts_named(session, ids)]
        return _("districts: {names}").format(names=html.quote(", ".join(names)))
    if audience.kind is AudienceKind.KINDS:
        return _("kinds: {names}").format(names=", ".join(kind_name(k) for k in audience.kinds))
    if audience.kind is AudienceKind.ASSOCIATION:
        rows = await session.scalars(select(Association).where(Association.id.in_(ids)))
        return _("members of {names}").format(names=html.quote(", ".join(a.name(locale) for a in rows)))
    if audience.kind is AudienceKind.LIST:
        counted = ngettext(
            "{count} municipality from a list", "{count} municipalities from a list", len(ids)
        ).format(count=len(ids))
        # Named, so that the coordinator sees which namesake the list took.
        labels = await service.audience_labels(session, locale, ids[:LIST_NAMED])
        names = ", ".join(html.quote(labels[i]) for i in ids[:LIST_NAMED] if i in labels)
        more = len(ids) - LIST_NAMED
        return f"{counted}: {names}" + (f" (+{more})" if more > 0 else "")
    return _("all municipalities")


async def reach_text(session: AsyncSession, draft: Draft) -> str:
    """How many municipalities and people the audience reaches, and where nobody is registered."""
    reach = await service.reach(session, draft.audience.as_json())
    locale = current_locale()
    lines = [
        _("It reaches {municipalities} municipalities and {people} registered people.").format(
            municipalities=reach.municipalities, people=reach.people
        )
    ]
    if reach.without_head_count:
        shown = [m.id for m in reach.without_head]
        labels = await service.audience_labels(session, locale, shown)
        names = ", ".join(html.quote(labels.get(m.id) or m.name(locale)) for m in reach.without_head)
        more = reach.without_head_count - len(reach.without_head)
        lines.append(
            _("No registered head in {count}: {names}").format(count=reach.without_head_count, names=names)
            + (f" (+{more})" if more > 0 else "")
        )
    return "\n".join(lines)


def _navigation(builder: InlineKeyboardBuilder, step: Step) -> None:
    row = InlineKeyboardBuilder()
    if step is not ORDER[0]:
        row.button(text=_("« Back"), callback_data=WizBack())
    if SPECS[step].skippable:
        row.button(text=_("Skip »"), callback_data=WizSkip())
    row.button(text=_("✖ Cancel"), callback_data=WizCancel())
    builder.attach(row)


def _current_value(wizard: Wizard) -> str | None:
    draft, step = wizard.draft, wizard.step
    if step is Step.DOCUMENT:
        return draft.document.name if draft.document else None
    if step is Step.DEADLINE:
        return format_datetime(draft.deadline, wizard.zone) if draft.deadline else None
    value = getattr(draft, step.value)
    return (value[:200] + "…") if isinstance(value, str) and len(value) > 200 else value


async def step_view(
    session: AsyncSession, wizard: Wizard, page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    """The text and the buttons of the wizard's current step (any but the preview)."""
    step, draft = wizard.step, wizard.draft
    builder = InlineKeyboardBuilder()
    text = PROMPTS[step]()
    if step is Step.TOPICS:
        for topic in Topic:
            mark = "✅ " if topic in draft.topics else ""
            builder.button(text=mark + topic_name(topic), callback_data=WizTopic(topic=topic))
        builder.adjust(2)
        builder.row(*InlineKeyboardBuilder().button(text=_("Next »"), callback_data=WizNext()).buttons)
    elif step is Step.INTER_BUDGET:
        builder.button(text=_("Yes"), callback_data=WizInterBudget(yes=True))
        builder.button(text=_("No"), callback_data=WizInterBudget(yes=False))
    elif step is Step.AUDIENCE:
        text += "\n" + _("Now: {audience}.").format(audience=await describe_audience(session, draft))
        for kind in AudienceKind:
            builder.button(text=audience_kind_name(kind), callback_data=WizAudience(kind=kind))
        builder.adjust(2)
    elif step is Step.AUDIENCE_PICK:
        await _choices(builder, session, draft, page)
        done = InlineKeyboardBuilder()
        done.button(text=_("Done »"), callback_data=WizNext())
        done.button(text=_("« Back"), callback_data=WizBack())
        builder.attach(done)
        return text, builder.as_markup()
    elif step is Step.DEADLINE:
        for days in QuickDeadline:
            label = _("In {days} days").format(days=days.value)
            builder.button(text=label, callback_data=WizDeadline(days=days))
        builder.adjust(3)
    elif step is Step.QUESTIONS:
        russian = current_locale() == "ru"
        for item in draft.questions:
            shown = (item.text_ru or item.text) if russian else item.text
            text += f"\n• {html.quote(shown)} ({question_type_name(item.type)})"
        if len(draft.questions) < MAX_QUESTIONS:
            builder.button(text=_("➕ Add a question"), callback_data=WizAddQuestion())
        builder.button(text=_("Next »"), callback_data=WizNext())
        builder.adjust(1)
    elif step is Step.QUESTION_OPTIONS_RU:
        text += "\n" + "\n".join(html.quote(option) for option in wizard.question_options)
    elif step is Step.QUESTION_TEXT_RU and wizard.question_text:
        text += "\n" + html.quote(wizard.question_text)
    elif step is Step.QUESTION_TYPE:
        for kind in QuestionType:
            builder.button(text=question_type_name(kind), callback_data=WizQuestionType(type=kind))
        builder.adjust(1)
    if SPECS[step].parent is not None:  # a sub-step: only the way back to its step
        builder.attach(InlineKeyboardBuilder().button(text=_("« Back"), callback_data=WizBack()))
        return text, builder.as_markup()
    shows_value = step in TEXT_FIELDS or step in (Step.DOCUMENT, Step.DEADLINE)
    current = _current_value(wizard) if shows_value else None
    if current:
        text += "\n\n" + _("Now: {value}").format(value=html.quote(current))
    _navigation(builder, step)
    return text, builder.as_markup()


async def _choices(builder: InlineKeyboardBuilder, session: AsyncSession, draft: Draft, page: int) -> None:
    """The ticks for oblasts, districts, kinds or associations, a page of them at a time."""
    audience, locale = draft.audience, current_locale()
    if audience.kind is AudienceKind.KINDS:
        for kind in MunicipalityKind:
            mark = "✅ " if kind in audience.kinds else ""
            builder.button(text=mark + kind_name(kind), callback_data=WizKind(kind=kind))
        builder.adjust(2)
        return
    options: list[tuple[int, str]]
    if audience.kind is AudienceKind.OBLASTS:
        rows = await session.scalars(select(Oblast).order_by(Oblast.soate))
        options = [(o.id, o.name(locale)) for o in rows]
    elif audience.kind is AudienceKind.DISTRICTS:
        districts = await session.scalars(select(District).order_by(District.oblast_id, District.name_ru))
        options = [(d.id, d.name(locale)) for d in districts]
    else:
        associations = await session.scalars(select(Association).order_by(Association.id))
        options = [(a.id, a.name(locale)) for a in associations]
        if not options:
            raise InvalidInput(N_("No associations are in the registry yet. Choose another audience."))
    pages = max(1, -(-len(options) // PLACES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    for place, label in options[page * PLACES_PER_PAGE : (page + 1) * PLACES_PER_PAGE]:
        mark = "✅ " if place in audience.ids else ""
        builder.button(text=mark + label, callback_data=WizPlace(id=place, page=page))
    builder.adjust(2)
    if pages > 1:
        turn = InlineKeyboardBuilder()
        if page > 0:
            turn.button(text="◀", callback_data=WizPage(page=page - 1))
        turn.button(text=f"{page + 1}/{pages}", callback_data=WizPage(page=page))
        if page < pages - 1:
            turn.button(text="▶", callback_data=WizPage(page=page + 1))
        builder.attach(turn)


async def send_preview(
    message: Message, session: AsyncSession, consultation: Consultation, zone: ZoneInfo, *, edit: bool
) -> None:
    """Exactly what heads will receive, in each language, then the publish button.

    With ``edit`` (a button was pressed) the pressed message becomes the first heading."""
    bot, chat_id = message.bot, message.chat.id
    assert bot is not None
    for locale in ("ky", "ru"):
        heading = _("Preview: {language}").format(language=in_language(locale))
        heading += "\n" + _("Heads will also have the «✍ Answer» button under it.")
        if edit:
            await message.edit_text(heading, reply_markup=None)
            edit = False
        else:
            await bot.send_message(chat_id, heading)
        with use_locale(locale):
            await send_card(bot, chat_id, consultation, locale, zone, preview=True)
    draft = Draft.from_row(consultation)
    lines = [
        _("Topics: {topics}").format(topics=", ".join(topic_name(t) for t in draft.sorted_topics) or "—"),
        _("Inter-budget relations: {answer}").format(answer=_("Yes") if draft.inter_budget else _("No")),
        _("Audience: {audience}").format(audience=await describe_audience(session, draft)),
        await reach_text(session, draft),
    ]
    if draft.deadline:
        lines.append(_("⏳ Answer by: {deadline}").format(deadline=format_datetime(draft.deadline, zone)))
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📤 Publish"), callback_data=WizPublish(id=consultation.id))
    builder.button(text=_("« Back"), callback_data=WizBack())
    builder.button(text=_("✖ Cancel"), callback_data=WizCancel())
    builder.adjust(1, 2)
    await bot.send_message(chat_id, "\n".join(lines), reply_markup=builder.as_markup())
