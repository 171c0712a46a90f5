"""The extra questions of a consultation or a survey and their answers, counted: how many chose each
option of a choice question, the mean of a scale, the sum of a number, yes/no, what was written.

``tally`` is the one count, for a bill's exports (``tallies``: the XLSX sheet, the CSV, the position
paper) and for the surveys (``bot.services.surveys.tallies``: the survey workbook, the indicators).

The questions are read from ``consultation.extra_questions`` as stored: ``{"id", "type", "text",
"options"}`` in Kyrgyz (or the only language of an older question), and ``text_ru`` / ``options_ru``
(a parallel list) in Russian. An answer stores the Kyrgyz option; one stored in Russian by an older
version is counted under the option at the same place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.flows.answer_draft import Question

CHOICE_KINDS = ("single", "multi")


def question_text(question: Mapping[str, Any], locale: str) -> str:
    """The question in ``locale``, else as written (in one language), else in the other language."""
    for key in ("text_ru", "text") if locale == "ru" else ("text", "text_ru"):
        if question.get(key):
            return str(question[key])
    return ""


def _option_lists(question: Mapping[str, Any], locale: str) -> list[list[str]]:
    """Every language's options, the one for ``locale`` first (each list in the same order)."""
    keys = ("options_ru", "options") if locale == "ru" else ("options", "options_ru")
    return [[str(o) for o in question[key]] for key in keys if question.get(key)]


def options(question: Mapping[str, Any], locale: str) -> list[str]:
    lists = _option_lists(question, locale)
    return lists[0] if lists else []


def option_index(question: Mapping[str, Any], value: str) -> int | None:
    """Where the chosen option stands, whichever language it was chosen in."""
    for values in _option_lists(question, "ky"):
        if value in values:
            return values.index(value)
    return None


def shown_value(question: Mapping[str, Any], value: Any, locale: str) -> str:
    """An answer to the question as text in ``locale``: options in that language where known."""
    if value is None or value == "" or value == []:
        return ""
    chosen = value if isinstance(value, list) else [value]
    words = options(question, locale)
    shown = []
    for item in chosen:
        index = option_index(question, str(item)) if question.get("type") in CHOICE_KINDS else None
        shown.append(words[index] if index is not None and index < len(words) else str(item))
    return ", ".join(shown)


@dataclass(frozen=True)
class QuestionTally:
    question: Question
    answered: int  # municipalities that answered this question
    total: float | None = None  # number: the sum
    mean: float | None = None  # number, scale: the average
    minimum: float | None = None
    maximum: float | None = None
    counts: dict[str, int] = field(default_factory=dict)  # option, scale value, "yes"/"no" → answers
    texts: list[str] = field(default_factory=list)  # text: what was written


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def stored_option(question: Question, value: Any) -> str:
    """The option as an answer stores it now: one stored in Russian by an older version is counted
    under the option at the same place."""
    item = str(value)
    if item not in question.options and item in question.options_ru:
        index = question.options_ru.index(item)
        if index < len(question.options):
            return question.options[index]
    return item


def tally(question: Question, values: Iterable[Any]) -> QuestionTally:
    """One question counted over the answers' values for it (None where a municipality skipped it)."""
    given = [v for v in values if _given(v)]
    kind = question.kind
    if kind == "number":
        numbers = [float(v) for v in given if _number(v)]
        if not numbers:
            return QuestionTally(question, 0)
        total = sum(numbers)
        return QuestionTally(question, len(numbers), total, total / len(numbers), min(numbers), max(numbers))
    if kind == "text":
        texts = [str(v) for v in given]
        return QuestionTally(question, len(texts), texts=texts)
    counts: dict[str, int] = {}
    answered = 0
    for value in given:
        if kind == "scale":
            keys = [str(int(value))] if _number(value) else []
        elif kind == "yesno":
            keys = ["yes" if value else "no"] if isinstance(value, bool) else []
        else:  # single, multi
            keys = [stored_option(question, item) for item in (value if isinstance(value, list) else [value])]
        answered += bool(keys)
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
    mean = None
    if kind == "scale" and answered:
        mean = sum(int(k) * n for k, n in counts.items()) / answered
    return QuestionTally(question, answered, mean=mean, counts=_ordered(question, counts))


def _ordered(question: Question, counts: dict[str, int]) -> dict[str, int]:
    """Every possible answer in its order, with zero where nobody chose it; unknown ones after."""
    if question.kind == "scale":
        keys = [str(v) for v in range(1, 6)]
    elif question.kind == "yesno":
        keys = ["yes", "no"]
    else:
        keys = list(question.options)
    ordered = {k: counts.get(k, 0) for k in keys}
    ordered.update({k: n for k, n in counts.items() if k not in ordered})
    return ordered


@dataclass(frozen=True)
class OptionTally:
    """One extra question of a bill as its exports print it: ``counts`` parallel to ``options`` in the
    document's language (choice questions only; an answer outside the options is not listed)."""

    id: int
    kind: str  # single, multi, scale or text
    text: str
    answered: int  # how many municipalities answered the question
    options: list[str]
    counts: list[int]
    mean: float | None = None  # of a scale (1 to 5); None without answers


def tallies(
    questions: Sequence[Mapping[str, Any]], answers: Iterable[Mapping[str, Any]], locale: str
) -> list[OptionTally]:
    """Each question's tally over the given answers' ``extra_answers`` (keyed by question id as text)."""
    extras = list(answers)
    result = []
    for item in questions:
        question = Question.from_json(item)
        counted = tally(question, (extra.get(str(question.id)) for extra in extras))
        words = options(item, locale) if question.kind in CHOICE_KINDS else []
        stored = question.options
        counts = [counted.counts.get(stored[i], 0) if i < len(stored) else 0 for i in range(len(words))]
        result.append(
            OptionTally(
                question.id,
                question.kind,
                question_text(item, locale),
                counted.answered,
                words,
                counts,
                counted.mean,
            )
        )
    return result
