"""Questions written in a file (``python -m bot consultation create``): a survey's, or a bill's own."""

from __future__ import annotations

from typing import Any

from bot.errors import N_, InvalidInput

SOM = "som"  # the unit of bot.services.surveys.values (not imported: that package imports this one)

KINDS = ("single", "multi", "scale", "text", "number", "yesno")
WITH_OPTIONS = ("single", "multi")
MAX_QUESTIONS = 20
TEXT_MAX = 300
OPTIONS_MAX = 10


def questions_from_description(items: Any) -> list[dict[str, Any]]:
    """``[{text, type, options?, unit?}]`` checked and numbered as ``extra_questions`` stores them."""
    if not isinstance(items, list) or len(items) > MAX_QUESTIONS:
        raise InvalidInput(N_("questions: a list of at most {count} questions"), count=MAX_QUESTIONS)
    questions = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidInput(N_("questions: a list of at most {count} questions"), count=MAX_QUESTIONS)
        text = str(item.get("text") or "").strip()
        kind = item.get("type")
        if not text or len(text) > TEXT_MAX:
            raise InvalidInput(
                N_("question {number}: a text of up to {limit} characters"), number=number, limit=TEXT_MAX
            )
        if kind not in KINDS:
            raise InvalidInput(
                N_("question {number}: type is one of {names}"), number=number, names=", ".join(KINDS)
            )
        options = [str(o).strip() for o in item.get("options") or [] if str(o).strip()]
        if kind in WITH_OPTIONS and not 2 <= len(options) <= OPTIONS_MAX:
            raise InvalidInput(
                N_("question {number}: give 2 to {limit} options"), number=number, limit=OPTIONS_MAX
            )
        question: dict[str, Any] = {
            "id": number,
            "text": text,
            "type": kind,
            "options": options if kind in WITH_OPTIONS else [],
        }
        if kind == "number" and item.get("unit") == SOM:
            question["unit"] = SOM
        questions.append(question)
    return questions
