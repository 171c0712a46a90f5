"""The answer flow without Telegram or a database: every step, skips, «Back», refusals and resuming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import stale_button
from bot.flows import Moved, Refused
from bot.flows.answer import (
    DOCUMENT_OR_PHOTO,
    EARLIER_STEP,
    EXTRA_TOO_LONG,
    FILE_TOO_LARGE,
    MAX_AMENDMENTS_REACHED,
    NOT_SKIPPABLE,
    TEXT_ONLY,
    USE_BUTTONS,
    AddAmendment,
    AnswerFlow,
    Attach,
    Attachment,
    Back,
    Next,
    Pick,
    Skip,
    Text,
    Toggle,
)
from bot.services import answers as service
from models.answers import LOCAL_SERVICES, BudgetImpact, Stance

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
QUESTIONS = [
    {"id": 1, "text": "Нужен ли переходный период?", "type": "single", "options": ["Да", "Нет"]},
    {"id": 2, "text": "Насколько это срочно?", "type": "scale", "options": []},
    {"id": 3, "text": "Что затронет?", "type": "multi", "options": ["школы", "дороги", "вода"]},
    {"id": 4, "text": "Ваш пример", "type": "text", "options": []},
]


def fresh() -> AnswerFlow:
    return AnswerFlow.resume(QUESTIONS, "stance", {"history": []})


def go(flow: AnswerFlow, given: object) -> str:
    """Apply at the current step; the step reached (fails on a refusal)."""
    outcome = flow.apply(flow.step, given)  # type: ignore[arg-type]
    assert isinstance(outcome, Moved), outcome
    return outcome.step


def refused(flow: AnswerFlow, given: object) -> Refused:
    before = (flow.step, flow.draft.to_json())
    outcome = flow.apply(flow.step, given)  # type: ignore[arg-type]
    assert isinstance(outcome, Refused), outcome
    assert (flow.step, flow.draft.to_json()) == before  # nothing changed
    return outcome


def text(value: str) -> Text:
    return Text(value, NOW)


def test_every_step_in_order_with_two_amendments_builds_the_stored_draft() -> None:
    flow = fresh()
    assert go(flow, Pick(Stance.SUPPORT_WITH_AMENDMENTS)) == "impact"
    assert go(flow, Pick(BudgetImpact.EXTRA_COSTS)) == "cost"
    assert go(flow, text("1,5 млн")) == "mandate"
    assert go(flow, Pick(True)) == "services"
    water, pastures = LOCAL_SERVICES.index("water"), LOCAL_SERVICES.index("pastures")
    assert go(flow, Toggle(water)) == "services"
    assert go(flow, Toggle(pastures)) == "services"
    assert go(flow, Toggle(water)) == "services"  # pressed again: off
    assert go(flow, Toggle(water)) == "services"
    assert go(flow, Next()) == "comment"
    assert go(flow, text("  Наш   комментарий.  ")) == "amendments"
    assert go(flow, AddAmendment()) == "article"
    assert go(flow, text("Статья 5, часть 2")) == "wording"
    assert go(flow, text("Новая редакция.")) == "justification"
    assert go(flow, text("Потому что.")) == "amendments"
    assert go(flow, AddAmendment()) == "article"
    assert go(flow, text("Статья 12")) == "wording"
    assert go(flow, text("Исключить.")) == "justification"
    assert go(flow, Skip()) == "amendments"
    assert go(flow, Next()) == "attachments"
    assert go(flow, Attach(Attachment("F1", "document", "smeta.pdf", 1000))) == "attachments"
    assert go(flow, Next()) == "q1"
    assert go(flow, Pick(1)) == "q2"
    assert go(flow, Pick(4)) == "q3"
    assert go(flow, Toggle(2)) == "q3"
    assert go(flow, Toggle(0)) == "q3"
    assert go(flow, Next()) == "q4"
    assert go(flow, text("Школа в Токмоке")) == "review"
    data = flow.draft.to_json()
    # The keys and shapes the bot has always stored (and bot.services.answers.submit reads).
    assert data == {
        "history": data["history"],
        "stance": "amend",
        "impact": "costs",
        "cost": 1_500_000,
        "mandate": True,
        "services": sorted(["water", "pastures"]),
        "comment": "Наш   комментарий.",  # trimmed, the inner spacing kept
        "amendments": [
            {"article": "Статья 5, часть 2", "wording": "Новая редакция.", "justification": "Потому что."},
            {"article": "Статья 12", "wording": "Исключить."},
        ],
        "attachments": [{"file_id": "F1", "kind": "document", "name": "smeta.pdf"}],
        "extra": {"1": "Нет", "2": 4, "3": ["школы", "вода"], "4": "Школа в Токмоке"},
    }
    bill = type("C", (), {"extra_questions": QUESTIONS, "is_survey": False})()
    assert service._validated(data, bill)["stance"] is Stance.SUPPORT_WITH_AMENDMENTS  # type: ignore[arg-type]


def test_skips_where_allowed_and_refusals_where_not() -> None:
    flow = fresh()
    assert refused(flow, Skip()).key == NOT_SKIPPABLE  # the position is the one thing required
    go(flow, Pick(Stance.OPPOSE))
    for expected in ("cost", "mandate", "services", "comment", "amendments"):
        assert go(flow, Skip()) == expected
    assert refused(flow, Skip()).key == NOT_SKIPPABLE
    go(flow, AddAmendment())
    assert refused(flow, Skip()).key == NOT_SKIPPABLE  # an amendment names its article
    go(flow, text("Статья 1"))
    assert refused(flow, Skip()).key == NOT_SKIPPABLE  # and proposes a wording
    go(flow, text("Так."))
    assert go(flow, Skip()) == "amendments"  # the justification may be left out
    go(flow, Next())
    assert go(flow, Next()) == "q1"
    assert go(flow, Skip()) == "q2"
    assert go(flow, Skip()) == "q3"
    assert refused(flow, Skip()).key == NOT_SKIPPABLE  # multiple choice: «Next», even with none chosen
    assert go(flow, Next()) == "q4"
    assert go(flow, Skip()) == "review"
    assert flow.draft.to_json()["amendments"] == [{"article": "Статья 1", "wording": "Так."}]


def test_back_returns_step_by_step_and_keeps_the_values() -> None:
    flow = fresh()
    assert refused(flow, Back()).key == stale_button().key  # nothing behind the first step
    go(flow, Pick(Stance.SUPPORT))
    go(flow, Skip())
    go(flow, text("250 000"))
    assert flow.step == "mandate"
    assert go(flow, Back()) == "cost"
    assert go(flow, Back()) == "impact"
    assert flow.draft.cost == 250_000 and flow.draft.stance is Stance.SUPPORT
    assert go(flow, Pick(BudgetImpact.LOST_REVENUE)) == "cost"
    assert flow.draft.history == ["stance", "impact"]


@pytest.mark.parametrize(
    ("value", "som"), [("1,5 млн", 1_500_000), ("1 500 000", 1_500_000), ("300 миң", 300_000), ("0", 0)]
)
def test_cost_in_the_ways_people_write_it(value: str, som: int) -> None:
    flow = AnswerFlow.resume(QUESTIONS, "cost", {"history": ["stance", "impact"], "stance": "support"})
    assert go(flow, text(value)) == "mandate"
    assert flow.draft.cost == som


@pytest.mark.parametrize("value", ["миллион", "пять миллионов", "1,5 лимон", "-5", "", "99999999999999999"])
def test_a_bad_cost_is_refused_and_nothing_changes(value: str) -> None:
    flow = AnswerFlow.resume(QUESTIONS, "cost", {"history": ["stance", "impact"], "stance": "support"})
    assert refused(flow, text(value)).key


def test_wrong_kind_of_input_for_the_step() -> None:
    flow = fresh()
    assert refused(flow, text("поддерживаем")).key == USE_BUTTONS
    assert refused(flow, Pick(BudgetImpact.BOTH)).key == stale_button().key  # an impact at the stance
    assert refused(flow, Toggle(0)).key == stale_button().key
    assert refused(flow, AddAmendment()).key == stale_button().key
    assert refused(flow, Next()).key == stale_button().key
    assert refused(flow, Attach(Attachment("F", "photo"))).key == TEXT_ONLY
    go(flow, Pick(Stance.SUPPORT))
    # A press shown for another step (a late press on an old message) is refused as such.
    assert flow.apply("stance", Pick(Stance.OPPOSE)) == Refused(EARLIER_STEP)
    assert flow.draft.stance is Stance.SUPPORT


def test_extra_questions_refuse_values_they_do_not_have() -> None:
    flow = AnswerFlow.resume(QUESTIONS, "q1", {"history": ["attachments"]})
    assert refused(flow, Pick(2)).key == stale_button().key  # only two options
    assert refused(flow, Pick(True)).key == stale_button().key
    go(flow, Pick(0))
    assert refused(flow, Pick(6)).key == stale_button().key  # a scale of 1 to 5
    assert refused(flow, Pick(0)).key == stale_button().key
    go(flow, Pick(5))
    assert refused(flow, Toggle(3)).key == stale_button().key
    go(flow, Next())
    assert refused(flow, text("   ")) == Refused(EXTRA_TOO_LONG, {"limit": 2000})
    assert refused(flow, text("я" * 2001)) == Refused(EXTRA_TOO_LONG, {"limit": 2000})
    assert go(flow, text("я" * 2000)) == "review"


def test_article_too_long_or_empty_is_refused() -> None:
    flow = AnswerFlow.resume(QUESTIONS, "article", {"history": ["amendments"], "current": {}})
    assert refused(flow, text("   ")).key
    assert refused(flow, text("я" * (service.ARTICLE_MAX + 1))).key
    assert go(flow, text("я" * service.ARTICLE_MAX)) == "wording"


def test_the_amendments_have_a_limit() -> None:
    many = [{"article": f"Статья {i}", "wording": "Так."} for i in range(service.MAX_AMENDMENTS)]
    flow = AnswerFlow.resume(QUESTIONS, "amendments", {"history": ["comment"], "amendments": many})
    assert refused(flow, AddAmendment()).key == MAX_AMENDMENTS_REACHED
    assert go(flow, Next()) == "attachments"


def test_attachments_limits() -> None:
    flow = AnswerFlow.resume(QUESTIONS, "attachments", {"history": ["amendments"]})
    assert refused(flow, Attach(None)).key == DOCUMENT_OR_PHOTO
    assert refused(flow, text("вот")).key == DOCUMENT_OR_PHOTO
    big = Attachment("F", "document", "big.pdf", service.ATTACHMENT_MAX_BYTES + 1)
    assert refused(flow, Attach(big)).key == FILE_TOO_LARGE
    for i in range(service.MAX_ATTACHMENTS):
        go(flow, Attach(Attachment(f"P{i}", "photo")))
    assert refused(flow, Attach(Attachment("P", "photo"))).key
    assert len(flow.draft.to_json()["attachments"]) == service.MAX_ATTACHMENTS


def test_a_long_comment_in_parts_is_joined_and_an_over_long_one_refused_whole() -> None:
    flow = AnswerFlow.resume(QUESTIONS, "comment", {"history": ["services"], "comment": "Прежний."})
    assert go(flow, Text("а" * 4096, NOW)) == "comment"
    assert flow.part is service.Part.MORE and flow.text_so_far() == "а" * 4096
    assert go(flow, Text("б" * 100, NOW)) == "amendments"
    assert flow.draft.comment == "а" * 4096 + "\n" + "б" * 100
    go(flow, Back())
    # Over the limit (the 5th part): refused whole, the saved comment kept, the paste's rest ignored.
    paste = [flow.apply("comment", Text("в" * 4096, NOW)) for _ in range(7)]
    assert [type(o) for o in paste] == [Moved] * 4 + [Refused] + [Moved] * 2
    assert flow.part is service.Part.IGNORED and flow.step == "comment"
    assert flow.draft.comment == "а" * 4096 + "\n" + "б" * 100
    # A minute later a text that fits is taken.
    assert go(flow, Text("Короче.", NOW + timedelta(minutes=7))) == "amendments"
    assert flow.draft.comment == "Короче."


def test_resume_from_a_stored_draft_and_its_json_round_trips() -> None:
    stored = {
        "history": ["stance", "impact", "cost", "mandate", "services", "comment", "amendments", "article"],
        "stance": "amend",
        "cost": 250_000,
        "mandate": False,
        "comment": "Текст",
        "amendments": [{"article": "Статья 1", "wording": "Так.", "justification": "Надо."}],
        "current": {"article": "Статья 2"},
        "in_parts": {"before": None},
        "extra": {"1": "Да"},
    }
    flow = AnswerFlow.resume(QUESTIONS, "wording", stored)
    assert flow.draft.to_json() == stored
    assert flow.may_go_back() and not flow.skippable("wording")
    assert go(flow, text("Иначе.")) == "justification"
    assert go(flow, Back()) == "wording"
    assert go(flow, Back()) == "article"
    # A stored value that no longer means anything is not trusted.
    odd = AnswerFlow.resume(QUESTIONS, "impact", {"history": [], "stance": "maybe", "services": ["x"]})
    assert odd.draft.stance is None and odd.draft.services == []
