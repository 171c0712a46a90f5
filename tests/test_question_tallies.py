"""The one count of extra questions (``bot.services.question_tallies.tally``), as a bill's exports and
a survey's tallies both use it: each kind, an option stored in Russian by an older version, skips."""

from __future__ import annotations

import pytest

from bot.flows.answer_draft import Question
from bot.services.question_tallies import tallies, tally

CHOICE = {
    "id": 1,
    "type": "multi",
    "text": "Кандай кыйынчылыктар бар?",
    "options": ["Акча", "Кадр", "Жер"],
    "text_ru": "Какие трудности?",
    "options_ru": ["Деньги", "Кадры", "Земля"],
}
SCALE = {"id": 2, "type": "scale", "text": "Канчалык шашылыш?"}


def test_choices_count_each_option_whatever_language_it_was_stored_in() -> None:
    question = Question.from_json(CHOICE)
    # «Деньги» was stored in Russian by an older version: it is «Акча».
    counted = tally(question, [["Акча", "Жер"], ["Деньги"], None, [], ["Башка"]])
    assert counted.answered == 3
    # A survey lists what is outside the options after them.
    assert counted.counts == {"Акча": 2, "Кадр": 0, "Жер": 1, "Башка": 1}


def test_a_bills_exports_show_the_same_counts_in_the_documents_language() -> None:
    answers = [{"1": ["Акча", "Жер"], "2": 4}, {"1": ["Деньги"], "2": 2}, {"2": None}, {"1": ["Башка"]}]
    multi, scale = tallies([CHOICE, SCALE], answers, "ru")
    assert (multi.text, multi.options, multi.counts, multi.answered) == (
        "Какие трудности?",
        ["Деньги", "Кадры", "Земля"],
        [2, 0, 1],  # an answer outside the options is not listed in a bill's documents
        3,
    )
    assert (scale.answered, scale.mean, scale.options) == (2, pytest.approx(3), [])
    assert tallies([CHOICE], answers, "ky")[0].options == ["Акча", "Кадр", "Жер"]


def test_numbers_yes_no_scales_and_texts() -> None:
    number = tally(Question(3, "Сессиялар", "number"), [6, 4.5, None, "", True])
    assert (number.answered, number.total, number.mean, number.minimum, number.maximum) == (
        2,
        10.5,
        pytest.approx(5.25),
        4.5,
        6,
    )
    assert tally(Question(3, "Сессиялар", "number"), [None]).answered == 0
    yesno = tally(Question(4, "Бар", "yesno"), [True, False, True, None])
    assert (yesno.answered, yesno.counts) == (3, {"yes": 2, "no": 1})
    scale = tally(Question(5, "Баа", "scale"), [5, 3, 3])
    assert scale.counts == {"1": 0, "2": 0, "3": 2, "4": 0, "5": 1} and scale.mean == pytest.approx(11 / 3)
    text = tally(Question(6, "Пикир", "text"), ["Жакшы", "", None, "Жаман"])
    assert (text.answered, text.texts) == (2, ["Жакшы", "Жаман"])
