"""The head's answer as a channel-free flow: the steps, their order, what may be skipped, the checks.

Steps are named by strings because they are stored in ``answer_draft.step``: the fixed ones below,
``q<id>`` for each of the consultation's extra questions, and ``review``. The draft's shape is
``bot.flows.answer_draft``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.errors import N_, InvalidInput, StaleAction, UserFacingError, stale_button
from bot.flows import NOT_SKIPPABLE, TEXT_ONLY, USE_BUTTONS, Moved, Outcome, Refused
from bot.flows.answer_draft import AmendmentData, AnswerDraftData, Attachment, Question
from bot.services import answers as service
from bot.services.surveys.values import parse_number
from models.answers import LOCAL_SERVICES, BudgetImpact, Stance

STANCE, IMPACT, COST, MANDATE, SERVICES = "stance", "impact", "cost", "mandate", "services"
COMMENT, AMENDMENTS, ATTACHMENTS, REVIEW = "comment", "amendments", "attachments", "review"
ARTICLE, WORDING, JUSTIFICATION = "article", "wording", "justification"
FIXED_STEPS = (STANCE, IMPACT, COST, MANDATE, SERVICES, COMMENT, AMENDMENTS, ATTACHMENTS)
# An amendment is written in three sub-steps, then the flow returns to the list of amendments.
AMENDMENT_STEPS = (ARTICLE, WORDING, JUSTIFICATION)
SKIPPABLE = frozenset({IMPACT, COST, MANDATE, SERVICES, COMMENT, JUSTIFICATION})
LONG_TEXT_STEPS = frozenset({COMMENT, WORDING, JUSTIFICATION})
# Steps left with «Next»: lists built by pressing, and long texts that may come in several messages.
NEXT_STEPS = frozenset({SERVICES, AMENDMENTS, ATTACHMENTS}) | LONG_TEXT_STEPS
PART_LENGTH = 3500  # a message this long is probably one part of a text Telegram cut at 4096
EXTRA_TEXT_MAX = 2000
SCALE = range(1, 6)

EARLIER_STEP = N_("This button is from an earlier step. Please use the latest message.")
EXTRA_TOO_LONG = N_("Please answer in up to {limit} characters.")
MAX_AMENDMENTS_REACHED = N_("That is the most amendments one answer can hold.")
MAX_ATTACHMENTS_REACHED = N_("That is the most attachments one answer can hold.")
FILE_TOO_LARGE = N_("The file is too large: at most 20 MB.")
DOCUMENT_OR_PHOTO = N_("Please send a document or a photo, or press «Done».")


# ---- what a person can give at a step ----------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    """A button with one value: a Stance, a BudgetImpact, a bool (mandate), an option's index, a scale."""

    value: Stance | BudgetImpact | bool | int


@dataclass(frozen=True)
class Toggle:
    """A button of a list one builds by pressing: a local service, a multiple-choice option (by index)."""

    index: int


@dataclass(frozen=True)
class Text:
    text: str
    sent_at: datetime


@dataclass(frozen=True)
class Attach:
    attachment: Attachment | None  # None: something that is neither a document nor a photo


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Next:
    pass


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class AddAmendment:
    pass


Input = Pick | Toggle | Text | Attach | Skip | Next | Back | AddAmendment


# ---- the flow ----------------------------------------------------------------------------------


class AnswerFlow:
    """The answer at ``step`` with ``draft``; ``apply`` changes both only when it returns ``Moved``
    (a refused over-long paste also notes where the paste stands, so its further parts are ignored)."""

    def __init__(
        self,
        questions: Sequence[Question],
        step: str = STANCE,
        draft: AnswerDraftData | None = None,
        *,
        survey: bool = False,
    ) -> None:
        self.questions = tuple(questions)
        # A survey has no bill to take a stance on: only its questions, then the review.
        self.survey = survey
        if survey and step in FIXED_STEPS:
            step = self.order[0]
        self.step = step
        self.draft = draft or AnswerDraftData()
        # What became of the last text of a long-text step; the channel says «send the rest» on MORE.
        self.part: service.Part | None = None

    @classmethod
    def resume(
        cls,
        extra_questions: Sequence[Mapping[str, Any]],
        step: str,
        data: Mapping[str, Any],
        *,
        survey: bool = False,
    ) -> AnswerFlow:
        """The flow as a stored draft left it."""
        return cls(
            [Question.from_json(q) for q in extra_questions],
            step,
            AnswerDraftData.from_json(data),
            survey=survey,
        )

    # -- the step table --

    @property
    def order(self) -> tuple[str, ...]:
        if self.survey:
            return (*(q.step for q in self.questions), REVIEW)
        return (*FIXED_STEPS, *(q.step for q in self.questions), REVIEW)

    def question(self, step: str) -> Question | None:
        return next((q for q in self.questions if q.step == step), None)

    def next_step(self, step: str) -> str:
        if step in (ARTICLE, WORDING):
            return AMENDMENT_STEPS[AMENDMENT_STEPS.index(step) + 1]
        if step == JUSTIFICATION:
            return AMENDMENTS
        order = self.order
        return order[order.index(step) + 1]

    def skippable(self, step: str) -> bool:
        question = self.question(step)
        return step in SKIPPABLE or (question is not None and question.kind != "multi")

    def may_go_next(self, step: str) -> bool:
        question = self.question(step)
        return step in NEXT_STEPS or (question is not None and question.kind == "multi")

    def may_go_back(self) -> bool:
        return bool(self.draft.history)

    # -- inputs --

    def apply(self, step: str, given: Input) -> Outcome:
        """Take ``given``, pressed or sent at ``step``; nothing changes when it is refused."""
        self.part = None
        if self.survey and step in FIXED_STEPS:  # a new survey draft is stored at the first fixed step
            step = self.order[0]
        if step != self.step:
            return Refused(EARLIER_STEP)
        before = copy.deepcopy(self.draft), self.step
        try:
            return self._apply(given)
        except UserFacingError as error:
            if self.part is not service.Part.REFUSED:  # a refused paste keeps its note
                self.draft, self.step = before
            return Refused.from_error(error)

    def _apply(self, given: Input) -> Outcome:
        step, draft = self.step, self.draft
        if isinstance(given, Back):
            if not draft.history:
                raise stale_button()
            self.step = draft.history.pop()
            return Moved(self.step)
        if isinstance(given, Skip | Next):
            if isinstance(given, Skip) and not self.skippable(step):
                raise InvalidInput(NOT_SKIPPABLE)
            if isinstance(given, Next) and not self.may_go_next(step):
                raise stale_button()
            draft.paste.pop("in_parts", None)
            if step == JUSTIFICATION:
                draft.finish_amendment()
            return self._move()
        if isinstance(given, AddAmendment):
            if step != AMENDMENTS:
                raise stale_button()
            if len(draft.amendments) >= service.MAX_AMENDMENTS:
                raise InvalidInput(MAX_AMENDMENTS_REACHED)
            draft.current = AmendmentData()
            return self._move(ARTICLE)
        if isinstance(given, Pick):
            self._pick(given.value)
            return self._move()
        if isinstance(given, Toggle):
            self._toggle(given.index)
            return Moved(step)
        if isinstance(given, Attach):
            return self._attach(given.attachment)
        return self._text(given)

    def _move(self, to: str | None = None) -> Moved:
        """Go on, remembering where we were for «Back»."""
        self.draft.history.append(self.step)
        self.step = to or self.next_step(self.step)
        return Moved(self.step)

    def _pick(self, value: Stance | BudgetImpact | bool | int) -> None:
        step, draft, question = self.step, self.draft, self.question(self.step)
        if step == STANCE and isinstance(value, Stance):
            draft.stance = value
        elif step == IMPACT and isinstance(value, BudgetImpact):
            draft.impact = value
        elif step == MANDATE and isinstance(value, bool):
            draft.mandate = value
        elif question is not None and question.kind == "single" and _index(value, question.options):
            draft.extra[str(question.id)] = question.options[int(value)]
        elif question is not None and question.kind == "scale" and _plain_int(value) and value in SCALE:
            draft.extra[str(question.id)] = int(value)
        elif question is not None and question.kind == "yesno" and isinstance(value, bool):
            draft.extra[str(question.id)] = value
        else:
            raise stale_button()

    def _toggle(self, index: int) -> None:
        step, draft, question = self.step, self.draft, self.question(self.step)
        if step == SERVICES and _index(index, LOCAL_SERVICES):
            draft.services = sorted(set(draft.services) ^ {LOCAL_SERVICES[index]})
        elif question is not None and question.kind == "multi" and _index(index, question.options):
            chosen = set(draft.extra.get(str(question.id)) or []) ^ {question.options[index]}
            draft.extra[str(question.id)] = [o for o in question.options if o in chosen]
        else:
            raise stale_button()

    def _attach(self, attachment: Attachment | None) -> Outcome:
        if self.step != ATTACHMENTS:
            raise InvalidInput(TEXT_ONLY)
        if len(self.draft.attachments) >= service.MAX_ATTACHMENTS:
            raise InvalidInput(MAX_ATTACHMENTS_REACHED)
        if attachment is None:
            raise InvalidInput(DOCUMENT_OR_PHOTO)
        if attachment.size > service.ATTACHMENT_MAX_BYTES:
            raise InvalidInput(FILE_TOO_LARGE)
        self.draft.attachments.append(attachment)
        return Moved(self.step)

    def _text(self, given: Text) -> Outcome:
        step, draft, question = self.step, self.draft, self.question(self.step)
        if step == ATTACHMENTS:
            raise InvalidInput(DOCUMENT_OR_PHOTO)
        if step == COST:
            draft.cost = service.parse_som(given.text)
        elif step == ARTICLE:
            draft.current = AmendmentData(article=service.clean_article(given.text))
        elif step in LONG_TEXT_STEPS:
            return self._long_text(given)
        elif question is not None and question.kind == "text":
            text = given.text.strip()
            if not text or len(text) > EXTRA_TEXT_MAX:
                raise InvalidInput(EXTRA_TOO_LONG, limit=EXTRA_TEXT_MAX)
            draft.extra[str(question.id)] = text
        elif question is not None and question.kind == "number":
            draft.extra[str(question.id)] = parse_number(given.text, question.unit)
        else:
            raise InvalidInput(USE_BUTTONS)
        draft.paste.pop("in_parts", None)
        return self._move()

    def _long_text(self, given: Text) -> Outcome:
        """A comment, wording or justification, perhaps one part of a longer text: joined and kept whole."""
        step, draft = self.step, self.draft
        data = draft.to_json()
        if step == COMMENT:
            holder = data
        else:
            holder = data.setdefault("current", {})
        self.part = service.join_part(
            data, holder, step, given.text, given.sent_at, more=len(given.text) >= PART_LENGTH
        )
        self.draft = AnswerDraftData.from_json(data)
        if self.part is service.Part.REFUSED:
            raise service.too_long()
        if self.part is not service.Part.DONE:
            return Moved(step)
        if step == JUSTIFICATION:
            self.draft.finish_amendment()
        return self._move()

    # -- what the channel shows --

    def text_so_far(self) -> str:
        """The long text of this step as received so far (for «Received N characters»)."""
        if self.step == COMMENT:
            return self.draft.comment or ""
        current = self.draft.current or AmendmentData()
        return {WORDING: current.wording, JUSTIFICATION: current.justification or ""}.get(self.step, "")


def refusal_error(refused: Refused) -> UserFacingError:
    """A refusal as the error the channel shows (a stale press stays a stale press)."""
    if refused.key in (EARLIER_STEP, stale_button().key):
        return StaleAction(refused.key, **refused.params)
    return InvalidInput(refused.key, **refused.params)


def _plain_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _index(value: object, items: Sequence[Any]) -> bool:
    return _plain_int(value) and 0 <= value < len(items)  # type: ignore[operator]
