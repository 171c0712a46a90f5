"""The coordinator's consultation wizard as a flow: its steps, their order and rules, and the checks.

The draft consultation row (status draft) is the persistence: ``Draft.from_row`` reads it, and after
an accepted input ``Wizard.changes()`` names the columns to write with ``consultations.save_fields``.
Where the wizard stands (the step, a question being written) is kept by the channel, e.g. the FSM.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import N_, UserFacingError, stale_button
from bot.flows import NOT_SKIPPABLE, TEXT_ONLY, USE_BUTTONS, Moved, Outcome, Refused
from bot.flows.wizard_draft import (
    BY_ID,
    WITH_OPTIONS,
    AddQuestion,
    Audience,
    AudienceKind,
    ChooseAudience,
    ChooseQuestionType,
    DeadlineIn,
    Document,
    Done,
    Draft,
    ExtraQuestion,
    File,
    Input,
    InterBudget,
    Listed,
    QuestionType,
    Text,
    ToggleKind,
    TogglePlace,
    ToggleTopic,
    Topic,
    split_list,
    typed_options,
)
from bot.services import consultations as service
from models import MunicipalityKind

# The draft's types are used with the flow; importable from here too.
__all__ = [
    "BY_ID",
    "MAX_QUESTIONS",
    "ORDER",
    "SPECS",
    "TEXT_FIELDS",
    "WITH_OPTIONS",
    "AddQuestion",
    "Audience",
    "AudienceKind",
    "ChooseAudience",
    "ChooseQuestionType",
    "DeadlineIn",
    "Document",
    "Done",
    "Draft",
    "ExtraQuestion",
    "File",
    "Input",
    "InterBudget",
    "Listed",
    "QuestionType",
    "Step",
    "Text",
    "ToggleKind",
    "TogglePlace",
    "ToggleTopic",
    "Topic",
    "Wizard",
    "main_step",
    "split_list",
]

MAX_QUESTIONS = 10
LIST_SHOWN_UNKNOWN = 20

NOT_A_DOCUMENT = N_("Please send the draft as a PDF, Word, Excel or other office document.")
EMPTY = N_("The message is empty. Please send it as text.")
CHOOSE_ONE = N_("Choose at least one.")
BAD_OPTIONS = N_("Please write from 2 to 8 options, one per line, each up to 60 characters.")
OPTIONS_DIFFER = N_(
    "There are {expected} options in Kyrgyz: please write as many in Russian, in the same order."
)
UNKNOWN_PLACES = N_("Not found in the registry: {items}. Nothing was changed; please send the list again.")
AMBIGUOUS_PLACES = N_(
    "Several municipalities bear this name. Which one do you mean?\n{choices}\n\n"
    "Nothing was changed: please send the list again, with the one you mean written as it is shown here "
    "or by its СОАТЕ code."
)


class Step(StrEnum):
    TITLE_KY = "title_ky"
    TITLE_RU = "title_ru"
    SUMMARY_KY = "summary_ky"
    SUMMARY_RU = "summary_ru"
    SOURCE_URL = "source_url"
    DOCUMENT = "document"
    INITIATOR = "initiator"
    COMMITTEE = "committee"
    TOPICS = "topics"
    INTER_BUDGET = "inter_budget"
    AUDIENCE = "audience"
    AUDIENCE_PICK = "audience_pick"  # ticking oblasts, districts, kinds or an association
    AUDIENCE_LIST = "audience_list"  # municipalities typed as a list
    DEADLINE = "deadline"
    QUESTIONS = "questions"
    QUESTION_TEXT = "question_text"  # in Kyrgyz
    QUESTION_TEXT_RU = "question_text_ru"
    QUESTION_TYPE = "question_type"
    QUESTION_OPTIONS = "question_options"  # in Kyrgyz
    QUESTION_OPTIONS_RU = "question_options_ru"
    PREVIEW = "preview"


# ---- the step table ----------------------------------------------------------------------------


def _always(draft: Draft) -> bool:
    return True


@dataclass(frozen=True)
class Spec:
    step: Step
    skippable: bool = False
    parent: Step | None = None  # a sub-step belongs to a main step; «Back» returns there
    # Whether the step is asked, given the earlier answers.
    applies: Callable[[Draft], bool] = _always


MAIN = (
    Spec(Step.TITLE_KY, skippable=True),
    Spec(Step.TITLE_RU, skippable=True),
    Spec(Step.SUMMARY_KY, skippable=True),
    Spec(Step.SUMMARY_RU, skippable=True),
    Spec(Step.SOURCE_URL, skippable=True),
    Spec(Step.DOCUMENT, skippable=True),
    Spec(Step.INITIATOR, skippable=True),
    Spec(Step.COMMITTEE, skippable=True),
    Spec(Step.TOPICS),
    # Ticking the inter-budget topic already answers the question.
    Spec(Step.INTER_BUDGET, applies=lambda draft: Topic.INTER_BUDGET not in draft.topics),
    Spec(Step.AUDIENCE),
    Spec(Step.DEADLINE),
    Spec(Step.QUESTIONS, skippable=True),
    Spec(Step.PREVIEW),
)
SUB = (
    Spec(Step.AUDIENCE_PICK, parent=Step.AUDIENCE, applies=lambda d: d.audience.kind not in _NO_PICK),
    Spec(Step.AUDIENCE_LIST, parent=Step.AUDIENCE),
    Spec(Step.QUESTION_TEXT, parent=Step.QUESTIONS),
    Spec(Step.QUESTION_TEXT_RU, parent=Step.QUESTIONS),
    Spec(Step.QUESTION_TYPE, parent=Step.QUESTIONS),
    Spec(Step.QUESTION_OPTIONS, parent=Step.QUESTIONS),
    Spec(Step.QUESTION_OPTIONS_RU, parent=Step.QUESTIONS),
)
KINDS = AudienceKind.KINDS
_NO_PICK = frozenset({AudienceKind.ALL, AudienceKind.LIST})
SPECS = {spec.step: spec for spec in (*MAIN, *SUB)}
ORDER = [spec.step for spec in MAIN]
TEXT_FIELDS: dict[Step, Callable[[str | None], str]] = {
    Step.TITLE_KY: service.clean_title,
    Step.TITLE_RU: service.clean_title,
    Step.SUMMARY_KY: service.clean_summary,
    Step.SUMMARY_RU: service.clean_summary,
    Step.SOURCE_URL: service.clean_url,
    Step.INITIATOR: service.clean_name_field,
    Step.COMMITTEE: service.clean_name_field,
}


def main_step(step: Step) -> Step:
    """The main step a sub-step belongs to (choosing oblasts is part of «audience»)."""
    return SPECS[step].parent or step


def _stale() -> Refused:
    return Refused.from_error(stale_button())


# ---- the flow ----------------------------------------------------------------------------------


@dataclass
class Wizard:
    """The wizard at one step of one draft; ``apply``, ``skip`` and ``back`` move it."""

    draft: Draft
    step: Step
    now: datetime
    zone: ZoneInfo
    # The question being written (Kyrgyz, Russian, its kind, the Kyrgyz options) until it is complete.
    question_text: str | None = None
    question_type: QuestionType | None = None
    question_text_ru: str | None = None
    question_options: tuple[str, ...] = ()
    changed: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, draft: Draft, now: datetime, zone: ZoneInfo) -> Wizard:
        return cls(draft, ORDER[0], now, zone)

    @classmethod
    def resume(
        cls,
        draft: Draft,
        step: str | None,
        now: datetime,
        zone: ZoneInfo,
        question_text: str | None = None,
        question_type: str | None = None,
        question_text_ru: str | None = None,
        question_options: tuple[str, ...] | list[str] = (),
    ) -> Wizard:
        """The wizard where it was left; a step that no longer fits the draft falls back to its main step.

        Without a saved step (a draft reopened from /drafts) it resumes at the preview."""
        try:
            at = Step(step) if step else Step.PREVIEW
            kind = QuestionType(question_type) if question_type else None
        except ValueError:
            return cls(draft, Step.PREVIEW, now, zone)
        wizard = cls(draft, at, now, zone, question_text, kind, question_text_ru, tuple(question_options))
        both = question_text is not None and question_text_ru is not None
        needs = {
            Step.QUESTION_TEXT_RU: question_text is not None,
            Step.QUESTION_TYPE: both,
            Step.QUESTION_OPTIONS: both and kind in WITH_OPTIONS,
            Step.QUESTION_OPTIONS_RU: both and kind in WITH_OPTIONS and bool(question_options),
        }
        if not (SPECS[at].applies(draft) and needs.get(at, True)):
            wizard.step = main_step(at)
        if not SPECS[wizard.step].applies(draft):
            wizard.step = wizard._next(wizard.step)
        if SPECS[wizard.step].parent is None:
            wizard._forget_question()
        return wizard

    # -- moving --

    def apply(self, step: Step, value: Input) -> Outcome:
        """Take what was given at ``step`` (the step its button or message belongs to)."""
        # The audience buttons stay valid while its places or list are being chosen.
        audience = isinstance(value, ChooseAudience) and step is main_step(self.step) is Step.AUDIENCE
        if step is not self.step and not audience:
            return _stale()
        try:
            return self._apply(value)
        except UserFacingError as error:
            return Refused.from_error(error)

    def skip(self) -> Outcome:
        """Leave the field as it is and go on."""
        if not SPECS[self.step].skippable:
            return Refused(NOT_SKIPPABLE)
        return self._go(self._next(self.step))

    def back(self) -> Outcome:
        """The previous step asked (from a sub-step: its main step)."""
        parent = SPECS[self.step].parent
        if parent is not None:
            self._forget_question()
            return self._go(parent)
        index = ORDER.index(self.step)
        earlier = [s for s in ORDER[:index] if SPECS[s].applies(self.draft)]
        return self._go(earlier[-1] if earlier else ORDER[0])

    def changes(self) -> dict[str, Any]:
        """The row's columns changed since the wizard was loaded, for ``save_fields``."""
        columns: dict[str, Any] = {}
        for name in sorted(self.changed):
            columns.update(self.draft.column(name))
        return columns

    # -- internals --

    def _forget_question(self) -> None:
        self.question_text = self.question_text_ru = self.question_type = None
        self.question_options = ()

    def _go(self, step: Step) -> Moved:
        self.step = step
        return Moved(step)

    def _next(self, step: Step) -> Step:
        index = ORDER.index(main_step(step))
        return next(s for s in ORDER[index + 1 :] if SPECS[s].applies(self.draft))

    def _set(self, **values: Any) -> None:
        self.draft = replace(self.draft, **values)
        self.changed.update(values)

    def _apply(self, value: Input) -> Outcome:
        step = self.step
        match value:
            case Text(text) if step in TEXT_FIELDS:
                if text is None:
                    return Refused(TEXT_ONLY)
                self._set(**{step.value: TEXT_FIELDS[step](text)})
            case File(file_id, name, size) if step is Step.DOCUMENT:
                service.check_document(name, size)
                self._set(document=Document(file_id, name or "", size))
            case Text() if step is Step.DOCUMENT:
                return Refused(NOT_A_DOCUMENT)
            case ToggleTopic(topic) if step is Step.TOPICS:
                topics = self.draft.topics ^ {topic}
                self._set(topics=topics, inter_budget=self.draft.inter_budget or Topic.INTER_BUDGET in topics)
                return self._go(step)
            case Done() if step is Step.TOPICS:
                pass
            case InterBudget(yes) if step is Step.INTER_BUDGET:
                self._set(inter_budget=yes)
            case ChooseAudience(kind) if main_step(step) is Step.AUDIENCE:
                return self._choose_audience(kind)
            case TogglePlace(place) if step is Step.AUDIENCE_PICK and self.draft.audience.kind in BY_ID:
                audience = self.draft.audience
                ids = set(audience.ids) ^ {place}
                if audience.kind is AudienceKind.ASSOCIATION:
                    ids &= {place}  # one association at a time
                self._set(audience=replace(audience, ids=tuple(sorted(ids))))
                return self._go(step)
            case ToggleKind(kind) if step is Step.AUDIENCE_PICK and self.draft.audience.kind is KINDS:
                audience = self.draft.audience
                kinds = set(audience.kinds) ^ {kind}
                ordered = tuple(k for k in MunicipalityKind if k in kinds)
                self._set(audience=replace(audience, kinds=ordered))
                return self._go(step)
            case Done() if step is Step.AUDIENCE_PICK:
                if not self.draft.audience.chosen:
                    return Refused(CHOOSE_ONE)
            case Listed(ids, unknown, ambiguous) if step is Step.AUDIENCE_LIST:
                if unknown:
                    return Refused(UNKNOWN_PLACES, {"items": ", ".join(unknown[:LIST_SHOWN_UNKNOWN])})
                if ambiguous:
                    choices = "\n".join(
                        f"«{item}»:\n" + "\n".join(f"• {choice}" for choice in options)
                        for item, options in ambiguous[:LIST_SHOWN_UNKNOWN]
                    )
                    return Refused(AMBIGUOUS_PLACES, {"choices": choices})
                if not ids:
                    return Refused(EMPTY)
                self._set(audience=Audience(AudienceKind.LIST, tuple(sorted(set(ids)))))
            case Text(text) if step is Step.DEADLINE:
                self._set(deadline=service.parse_deadline(text, self.now, self.zone))
            case DeadlineIn(days) if step is Step.DEADLINE and 1 <= days <= service.MAX_LEAD.days - 1:
                day = self.now.astimezone(self.zone).date() + timedelta(days=days)
                at = datetime.combine(day, service.DEFAULT_DEADLINE_TIME, tzinfo=self.zone)
                self._set(deadline=at.astimezone(self.now.tzinfo))
            case AddQuestion() if step is Step.QUESTIONS:
                if len(self.draft.questions) >= MAX_QUESTIONS:
                    return _stale()  # the button is not shown then
                return self._go(Step.QUESTION_TEXT)
            case Done() if step is Step.QUESTIONS:
                pass
            case Text(text) if step is Step.QUESTION_TEXT:
                self.question_text = service.clean_title(text)
                return self._go(Step.QUESTION_TEXT_RU)
            case Text(text) if step is Step.QUESTION_TEXT_RU:
                self.question_text_ru = service.clean_title(text)
                return self._go(Step.QUESTION_TYPE)
            case ChooseQuestionType(kind) if step is Step.QUESTION_TYPE:
                if kind in WITH_OPTIONS:
                    self.question_type = kind
                    return self._go(Step.QUESTION_OPTIONS)
                return self._add_question(kind, ())
            case Text(text) if step is Step.QUESTION_OPTIONS:
                options = typed_options(text)
                if not options:
                    return Refused(BAD_OPTIONS)
                self.question_options = options
                return self._go(Step.QUESTION_OPTIONS_RU)
            case Text(text) if step is Step.QUESTION_OPTIONS_RU:
                options_ru = typed_options(text)
                if not options_ru:
                    return Refused(BAD_OPTIONS)
                if len(options_ru) != len(self.question_options):
                    return Refused(OPTIONS_DIFFER, {"expected": len(self.question_options)})
                assert self.question_type is not None  # resume() guarantees it at this step
                return self._add_question(self.question_type, self.question_options, options_ru)
            case Text() | File():
                return Refused(USE_BUTTONS)
            case _:
                return _stale()
        return self._go(self._next(step))

    def _choose_audience(self, kind: AudienceKind) -> Outcome:
        if kind is AudienceKind.ALL:
            self._set(audience=Audience())
            return self._go(self._next(Step.AUDIENCE))
        if kind is AudienceKind.LIST:
            return self._go(Step.AUDIENCE_LIST)  # the audience changes once the list is accepted
        self._set(audience=Audience(kind))
        return self._go(Step.AUDIENCE_PICK)

    def _add_question(
        self, kind: QuestionType, options: tuple[str, ...], options_ru: tuple[str, ...] = ()
    ) -> Outcome:
        # resume() guarantees both texts at the question's later sub-steps
        assert self.question_text is not None and self.question_text_ru is not None
        questions = self.draft.questions
        next_id = max((q.id for q in questions), default=0) + 1
        text, text_ru = self.question_text, self.question_text_ru
        question = ExtraQuestion(next_id, text, kind, options, text_ru, options_ru)
        self._set(questions=(*questions, question))
        self._forget_question()
        return self._go(Step.QUESTIONS)

