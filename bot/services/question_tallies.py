"""The consultation's own extra questions and their answers, counted: how many chose each option of a
choice question, the mean of a scale, how many wrote a text answer.

The questions are read from ``consultation.extra_questions`` as stored: ``{"id", "type", "text",
"options"}`` in Kyrgyz (or the only language of an older question), and ``text_ru`` / ``options_ru``
(a parallel list) in Russian. An answer stores the Kyrgyz option; one stored in Russian by an older
version is counted under the option at the same place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
    """One question's answers counted; ``counts`` parallel to ``options`` (choice questions only)."""

    id: int
    kind: str  # single, multi, scale or text
    text: str
    answered: int  # how many municipalities answered the question
    options: list[str]
    counts: list[int]
    mean: float | None = None  # of a scale (1 to 5); None without answers


def tallies(
    questions: Sequence[Mapping[str, Any]], answers: Iterable[Mapping[str, Any]], locale: str
) -> list[QuestionTally]:
    """Each question's tally over the given answers' ``extra_answers`` (keyed by question id as text)."""
    extras = list(answers)
    result = []
    for question in questions:
        key, kind = str(question.get("id")), str(question.get("type"))
        given = [extra[key] for extra in extras if extra.get(key) not in (None, "", [])]
        words = options(question, locale) if kind in CHOICE_KINDS else []
        counts = [0] * len(words)
        mean = None
        for value in given:
            for item in value if isinstance(value, list) else [value]:
                index = option_index(question, str(item)) if words else None
                if index is not None and index < len(counts):
                    counts[index] += 1
        if kind == "scale":
            points = [int(v) for v in given if isinstance(v, int | float) and not isinstance(v, bool)]
            mean = sum(points) / len(points) if points else None
        result.append(
            QuestionTally(
                int(question.get("id") or 0),
                kind,
                question_text(question, locale),
                len(given),
                words,
                counts,
                mean,
            )
        )
    return result
