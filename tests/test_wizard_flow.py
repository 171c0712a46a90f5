"""The consultation wizard as a flow (bot.flows.wizard): steps, skip, back, checks, audience, questions,
resume. No bot and no database: the flow is plain data, so these run in milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import N_
from bot.flows import Moved, Outcome, Refused
from bot.flows.wizard import (
    AddQuestion,
    Audience,
    AudienceKind,
    ChooseAudience,
    ChooseQuestionType,
    DeadlineIn,
    Done,
    Draft,
    ExtraQuestion,
    File,
    InterBudget,
    Listed,
    QuestionType,
    Step,
    Text,
    ToggleKind,
    TogglePlace,
    ToggleTopic,
    Topic,
    Wizard,
)
from bot.i18n import _, use_locale
from models import MunicipalityKind
from models.consultations import Consultation
from tests.texts import tr

BISHKEK = ZoneInfo("Asia/Bishkek")
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # 15:00 in Bishkek
STALE = N_("This button is no longer active. Please use the latest message.")


def wizard_at(step: Step, **fields: object) -> Wizard:
    wizard = Wizard.resume(Draft(id=1, **fields), step.value, NOW, BISHKEK)  # type: ignore[arg-type]
    assert wizard.step is step
    return wizard


def said(outcome: Outcome) -> str:
    """A refusal as a Kyrgyz reader sees it."""
    assert isinstance(outcome, Refused), outcome
    with use_locale("ky"):
        text = _(outcome.key)
    return text.format(**outcome.params) if outcome.params else text


def refused(wizard: Wizard, move: Callable[[], Outcome], message: str, **values: object) -> None:
    """The move is refused with ``message``, and nothing moved or changed."""
    before = (wizard.step, wizard.draft, wizard.changes())
    assert said(move()) == tr(message, "ky", **values)
    assert (wizard.step, wizard.draft, wizard.changes()) == before


def test_every_step_in_order_fills_the_draft() -> None:
    wizard = Wizard.start(Draft(id=7), NOW, BISHKEK)
    assert wizard.step is Step.TITLE_KY
    moves = [
        (Step.TITLE_KY, Text("  Жер кодексине  өзгөртүүлөр "), Step.TITLE_RU),
        (Step.TITLE_RU, Text("Изменения в Земельный кодекс"), Step.SUMMARY_KY),
        (Step.SUMMARY_KY, Text("Жайыттар\nайыл өкмөтүнө өтөт"), Step.SUMMARY_RU),
        (Step.SUMMARY_RU, Text("Пастбища передаются айыл окмоту"), Step.SOURCE_URL),
        (Step.SOURCE_URL, Text("https://koomtalkuu.gov.kg/ru/view-npa/1234"), Step.DOCUMENT),
        (Step.DOCUMENT, File("F1", "draft.pdf", 2048), Step.INITIATOR),
        (Step.INITIATOR, Text("Министерство сельского хозяйства"), Step.COMMITTEE),
        (Step.COMMITTEE, Text("Комитет по аграрной политике"), Step.TOPICS),
        (Step.TOPICS, ToggleTopic(Topic.WATER), Step.TOPICS),
        (Step.TOPICS, ToggleTopic(Topic.LAND), Step.TOPICS),
        (Step.TOPICS, Done(), Step.INTER_BUDGET),
        (Step.INTER_BUDGET, InterBudget(True), Step.AUDIENCE),
        (Step.AUDIENCE, ChooseAudience(AudienceKind.ALL), Step.DEADLINE),
        (Step.DEADLINE, Text("20.03.2026 14:00"), Step.QUESTIONS),
        (Step.QUESTIONS, Done(), Step.PREVIEW),
    ]
    for step, value, following in moves:
        assert wizard.apply(step, value) == Moved(following), step
    assert wizard.changes() == {
        "title_ky": "Жер кодексине өзгөртүүлөр",
        "title_ru": "Изменения в Земельный кодекс",
        "summary_ky": "Жайыттар\nайыл өкмөтүнө өтөт",
        "summary_ru": "Пастбища передаются айыл окмоту",
        "source_url": "https://koomtalkuu.gov.kg/ru/view-npa/1234",
        "document_file_id": "F1",
        "document_name": "draft.pdf",
        "document_size": 2048,
        "initiator": "Министерство сельского хозяйства",
        "committee": "Комитет по аграрной политике",
        "topics": ["land", "water"],
        "inter_budget": True,
        "audience": {"kind": "all"},
        "deadline": datetime(2026, 3, 20, 14, 0, tzinfo=BISHKEK),
    }


def test_optional_steps_may_be_skipped_and_required_ones_not() -> None:
    wizard = Wizard.start(Draft(id=1), NOW, BISHKEK)
    for following in (Step.TITLE_RU, Step.SUMMARY_KY, Step.SUMMARY_RU, Step.SOURCE_URL, Step.DOCUMENT):
        assert wizard.skip() == Moved(following)
    for _step in range(3):
        wizard.skip()
    assert wizard.step is Step.TOPICS
    refused(wizard, wizard.skip, "This step cannot be skipped.")
    for step in (Step.INTER_BUDGET, Step.AUDIENCE, Step.AUDIENCE_PICK, Step.DEADLINE, Step.QUESTION_TEXT):
        other = wizard_at(step, audience=Audience(AudienceKind.OBLASTS))
        refused(other, other.skip, "This step cannot be skipped.")
    questions = wizard_at(Step.QUESTIONS)
    assert questions.skip() == Moved(Step.PREVIEW)
    assert questions.changes() == {}


def test_the_inter_budget_topic_answers_step_10() -> None:
    wizard = wizard_at(Step.TOPICS)
    wizard.apply(Step.TOPICS, ToggleTopic(Topic.INTER_BUDGET))
    assert wizard.apply(Step.TOPICS, Done()) == Moved(Step.AUDIENCE)
    assert wizard.changes() == {"topics": ["inter_budget"], "inter_budget": True}
    assert wizard.back() == Moved(Step.TOPICS)  # step 10 is not asked, so not gone back to either


def test_back_walks_to_the_step_before() -> None:
    assert wizard_at(Step.TITLE_RU).back() == Moved(Step.TITLE_KY)
    assert wizard_at(Step.TITLE_KY).back() == Moved(Step.TITLE_KY)
    assert wizard_at(Step.AUDIENCE).back() == Moved(Step.INTER_BUDGET)
    assert wizard_at(Step.PREVIEW).back() == Moved(Step.QUESTIONS)
    assert wizard_at(Step.AUDIENCE_LIST).back() == Moved(Step.AUDIENCE)
    picking = wizard_at(Step.AUDIENCE_PICK, audience=Audience(AudienceKind.DISTRICTS))
    assert picking.back() == Moved(Step.AUDIENCE)
    writing = Wizard.resume(Draft(id=1), "question_type", NOW, BISHKEK, "Керекпи?", None, "Нужен ли?")
    assert writing.back() == Moved(Step.QUESTIONS)
    assert writing.question_text is None  # the half-written question is dropped


@pytest.mark.parametrize(
    ("step", "value", "message", "values"),
    [
        (
            Step.TITLE_KY,
            Text("Ж" * 301),
            "That is too long: {length} characters, at most {limit}. Please shorten it and send again.",
            {"length": 301, "limit": 300},
        ),
        (Step.TITLE_RU, Text("Ж"), "That is too short: at least {limit} characters.", {"limit": 3}),
        (Step.TITLE_RU, Text(None), "Please send this as a text message.", {}),
        (
            Step.SOURCE_URL,
            Text("portal dot kg"),
            "This does not look like a link. Send the full address, starting with https://",
            {},
        ),
        (
            Step.DOCUMENT,
            File("F", "draft.exe", 10),
            "Please send the draft as a PDF, Word, Excel or other office document.",
            {},
        ),
        (
            Step.DOCUMENT,
            File("F", "draft.pdf", 60 * 1024 * 1024),
            "The file is too large: at most 50 MB. Please send a smaller file or a link.",
            {},
        ),
        (
            Step.DOCUMENT,
            Text("here it is"),
            "Please send the draft as a PDF, Word, Excel or other office document.",
            {},
        ),
        (
            Step.DEADLINE,
            Text("09.03.2026"),
            "The deadline has to be in the future, at least an hour from now.",
            {},
        ),
        (
            Step.DEADLINE,
            Text("10.03.2026 15:30"),  # half an hour from now in Bishkek
            "The deadline has to be in the future, at least an hour from now.",
            {},
        ),
        (
            Step.DEADLINE,
            Text("next friday"),
            "Please write the deadline as day.month.year, e.g. 20.12.2026 or 20.12.2026 14:00.",
            {},
        ),
        (Step.DEADLINE, Text("31.02.2027"), "There is no such date. Please check the day and the month.", {}),
        (
            Step.DEADLINE,
            Text("20.03.2028"),
            "The deadline is more than a year away. Please check the year.",
            {},
        ),
        (Step.TOPICS, Text("land"), "Please use the buttons of this step.", {}),
        (Step.AUDIENCE, Text("everyone"), "Please use the buttons of this step.", {}),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    step: Step, value: Text | File, message: str, values: dict[str, object]
) -> None:
    wizard = wizard_at(step)
    refused(wizard, lambda: wizard.apply(step, value), message, **values)


def test_a_button_of_another_step_is_stale() -> None:
    wizard = wizard_at(Step.TITLE_KY)
    refused(wizard, lambda: wizard.apply(Step.TOPICS, ToggleTopic(Topic.LAND)), STALE)
    refused(wizard, lambda: wizard.apply(Step.TITLE_KY, InterBudget(True)), STALE)
    refused(wizard, lambda: wizard.apply(Step.TITLE_KY, Done()), STALE)


def test_audience_by_oblast_needs_a_choice() -> None:
    wizard = wizard_at(Step.AUDIENCE)
    assert wizard.apply(Step.AUDIENCE, ChooseAudience(AudienceKind.OBLASTS)) == Moved(Step.AUDIENCE_PICK)
    refused(wizard, lambda: wizard.apply(Step.AUDIENCE_PICK, Done()), "Choose at least one.")
    for oblast in (3, 1, 3, 2):
        assert wizard.apply(Step.AUDIENCE_PICK, TogglePlace(oblast)) == Moved(Step.AUDIENCE_PICK)
    refused(wizard, lambda: wizard.apply(Step.AUDIENCE_PICK, ToggleKind(MunicipalityKind.CITY)), STALE)
    assert wizard.apply(Step.AUDIENCE_PICK, Done()) == Moved(Step.DEADLINE)
    assert wizard.changes() == {"audience": {"kind": "oblasts", "ids": [1, 2], "kinds": []}}


def test_audience_of_an_association_is_one_association() -> None:
    wizard = wizard_at(Step.AUDIENCE)
    wizard.apply(Step.AUDIENCE, ChooseAudience(AudienceKind.ASSOCIATION))
    wizard.apply(Step.AUDIENCE_PICK, TogglePlace(4))
    wizard.apply(Step.AUDIENCE_PICK, TogglePlace(5))
    assert wizard.draft.audience.ids == (5,)


def test_audience_by_kind_of_municipality() -> None:
    wizard = wizard_at(Step.AUDIENCE)
    wizard.apply(Step.AUDIENCE, ChooseAudience(AudienceKind.KINDS))
    for kind in (MunicipalityKind.TOWN, MunicipalityKind.CITY, MunicipalityKind.TOWN):
        wizard.apply(Step.AUDIENCE_PICK, ToggleKind(kind))
    refused(wizard, lambda: wizard.apply(Step.AUDIENCE_PICK, TogglePlace(1)), STALE)
    assert wizard.apply(Step.AUDIENCE_PICK, Done()) == Moved(Step.DEADLINE)
    assert wizard.changes() == {"audience": {"kind": "kinds", "ids": [], "kinds": ["city"]}}


def test_audience_may_be_chosen_again_while_picking() -> None:
    wizard = wizard_at(Step.AUDIENCE_PICK, audience=Audience(AudienceKind.DISTRICTS, (8,)))
    assert wizard.apply(Step.AUDIENCE, ChooseAudience(AudienceKind.ALL)) == Moved(Step.DEADLINE)
    assert wizard.changes() == {"audience": {"kind": "all"}}


def test_audience_from_a_typed_list() -> None:
    wizard = wizard_at(Step.AUDIENCE, audience=Audience(AudienceKind.OBLASTS, (1,)))
    assert wizard.apply(Step.AUDIENCE, ChooseAudience(AudienceKind.LIST)) == Moved(Step.AUDIENCE_LIST)
    assert wizard.changes() == {}  # the audience changes only once a list is accepted
    items = "Кара-Суу, 41702"
    refused(
        wizard,
        lambda: wizard.apply(Step.AUDIENCE_LIST, Listed((11,), ("Кара-Суу", "41702"))),
        "Not found in the registry: {items}. Nothing was changed; please send the list again.",
        items=items,
    )
    empty = "The message is empty. Please send it as text."
    refused(wizard, lambda: wizard.apply(Step.AUDIENCE_LIST, Listed(())), empty)
    assert wizard.apply(Step.AUDIENCE_LIST, Listed((12, 11, 12))) == Moved(Step.DEADLINE)
    assert wizard.changes() == {"audience": {"kind": "list", "ids": [11, 12]}}


def test_quick_deadline_is_days_from_today_at_six_in_bishkek() -> None:
    wizard = wizard_at(Step.DEADLINE)
    assert wizard.apply(Step.DEADLINE, DeadlineIn(7)) == Moved(Step.QUESTIONS)
    assert wizard.draft.deadline == datetime(2026, 3, 17, 18, 0, tzinfo=BISHKEK)
    again = wizard_at(Step.DEADLINE)
    refused(again, lambda: again.apply(Step.DEADLINE, DeadlineIn(0)), STALE)


def test_extra_questions_with_and_without_options() -> None:
    wizard = wizard_at(Step.QUESTIONS)
    assert wizard.apply(Step.QUESTIONS, AddQuestion()) == Moved(Step.QUESTION_TEXT)
    short = "That is too short: at least {limit} characters."
    refused(wizard, lambda: wizard.apply(Step.QUESTION_TEXT, Text("?")), short, limit=3)
    asked = wizard.apply(Step.QUESTION_TEXT, Text("Өткөөл мезгил керекпи?"))
    assert asked == Moved(Step.QUESTION_TEXT_RU)  # every question in both languages
    assert wizard.apply(Step.QUESTION_TEXT_RU, Text("Нужен ли переходный период?")) == Moved(
        Step.QUESTION_TYPE
    )
    single = ChooseQuestionType(QuestionType.SINGLE)
    assert wizard.apply(Step.QUESTION_TYPE, single) == Moved(Step.QUESTION_OPTIONS)
    bad = "Please write from 2 to 8 options, one per line, each up to 60 characters."
    for options in ("Ооба", "\n".join(str(i) for i in range(9)), "Ооба\n" + "Ж" * 61):
        refused(wizard, lambda text=options: wizard.apply(Step.QUESTION_OPTIONS, Text(text)), bad)
    assert wizard.apply(Step.QUESTION_OPTIONS, Text("Ооба\n\n Жок, керек эмес ")) == Moved(
        Step.QUESTION_OPTIONS_RU
    )
    differ = "There are {expected} options in Kyrgyz: please write as many in Russian, in the same order."
    refused(
        wizard, lambda: wizard.apply(Step.QUESTION_OPTIONS_RU, Text("Да\nНет\nНе знаю")), differ, expected=2
    )
    assert wizard.apply(Step.QUESTION_OPTIONS_RU, Text("Да\nНет, не нужен")) == Moved(Step.QUESTIONS)
    wizard.apply(Step.QUESTIONS, AddQuestion())
    wizard.apply(Step.QUESTION_TEXT, Text("Долбоорго баа бериңиз"))
    wizard.apply(Step.QUESTION_TEXT_RU, Text("Оцените проект"))
    assert wizard.apply(Step.QUESTION_TYPE, ChooseQuestionType(QuestionType.SCALE)) == Moved(Step.QUESTIONS)
    assert wizard.changes() == {
        "extra_questions": [
            {
                "id": 1,
                "text": "Өткөөл мезгил керекпи?",
                "text_ru": "Нужен ли переходный период?",
                "type": "single",
                "options": ["Ооба", "Жок, керек эмес"],
                "options_ru": ["Да", "Нет, не нужен"],
            },
            {
                "id": 2,
                "text": "Долбоорго баа бериңиз",
                "text_ru": "Оцените проект",
                "type": "scale",
                "options": [],
            },
        ]
    }
    assert wizard.question_text is None and wizard.question_type is None
    assert wizard.question_text_ru is None and wizard.question_options == ()


def test_at_most_ten_extra_questions() -> None:
    full = tuple(ExtraQuestion(i, f"Вопрос {i}", QuestionType.TEXT) for i in range(1, 11))
    wizard = wizard_at(Step.QUESTIONS, questions=full)
    refused(wizard, lambda: wizard.apply(Step.QUESTIONS, AddQuestion()), STALE)


def test_resume_from_the_stored_draft() -> None:
    row = Consultation(
        id=3,
        title_ru="Законопроект о воде",
        document_file_id="F9",
        document_name="water.docx",
        document_size=100,
        topics=["water", "inter_budget"],
        inter_budget=True,
        audience={"kind": "oblasts", "ids": [2]},  # as older drafts store it, without "kinds"
        deadline=datetime(2026, 4, 1, 12, 0, tzinfo=UTC),
        extra_questions=[{"id": 4, "text": "Согласны?", "type": "multi", "options": ["Да", "Нет"]}],
    )
    draft = Draft.from_row(row)
    assert draft.audience == Audience(AudienceKind.OBLASTS, (2,))
    assert draft.topics == {Topic.WATER, Topic.INTER_BUDGET}
    assert Wizard.resume(draft, None, NOW, BISHKEK).step is Step.PREVIEW  # reopened from /drafts
    assert Wizard.resume(draft, "audience_pick", NOW, BISHKEK).step is Step.AUDIENCE_PICK
    # Steps that no longer fit the draft fall back to one that does.
    assert Wizard.resume(draft, "inter_budget", NOW, BISHKEK).step is Step.AUDIENCE
    assert Wizard.resume(Draft(id=3), "audience_pick", NOW, BISHKEK).step is Step.AUDIENCE
    assert Wizard.resume(draft, "question_options", NOW, BISHKEK).step is Step.QUESTIONS
    assert Wizard.resume(draft, "no such step", NOW, BISHKEK).step is Step.PREVIEW
    resumed = Wizard.resume(draft, "question_options", NOW, BISHKEK, "Качан?", "single", "Когда?")
    assert resumed.apply(Step.QUESTION_OPTIONS, Text("Азыр\nКийин")) == Moved(Step.QUESTION_OPTIONS_RU)
    # The Russian options resume with the Kyrgyz ones kept; without them, back to the questions.
    assert Wizard.resume(draft, "question_options_ru", NOW, BISHKEK, "Качан?", "single", "Когда?").step is (
        Step.QUESTIONS
    )
    resumed = Wizard.resume(
        draft, "question_options_ru", NOW, BISHKEK, "Качан?", "single", "Когда?", ["Азыр", "Кийин"]
    )
    assert resumed.apply(Step.QUESTION_OPTIONS_RU, Text("Сейчас\nПозже")) == Moved(Step.QUESTIONS)
    assert [q["id"] for q in resumed.changes()["extra_questions"]] == [4, 5]
    # What is written back is what was read.
    assert draft.column("questions") == {"extra_questions": row.extra_questions}
    assert draft.column("document") == {
        "document_file_id": "F9",
        "document_name": "water.docx",
        "document_size": 100,
    }
    assert draft.column("topics") == {"topics": ["inter_budget", "water"]}
