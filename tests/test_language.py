"""The words the association's papers must use, and buttons that fit a phone, in both catalogs.

Buttons are found in the source: every ``_()``/``pgettext()`` text given to a keyboard builder
(``button(text=...)``, ``InlineKeyboardButton``, the ``(text, CallbackData(...))`` pairs of
``handlers.views.screens.keyboard``) and the texts of the functions whose names label buttons."""

from __future__ import annotations

import ast
import re

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR

ROOT = LOCALES_DIR.parent
BUTTON_LIMIT = 30  # characters a phone shows on a one-column inline button without cutting it
# Functions whose every text is (also) put on a button.
BUTTON_LABELS = {
    "stance_name",
    "question_type_name",
    "topic_name",
    "audience_kind_name",
    "impact_label",
    "service_label",
    "_format_names",
    "decision_label",
    "act_fate_label",
    "route_label",
    "kind_label",
}
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")

Key = tuple[str | None, str]


def _texts(node: ast.AST) -> list[Key]:
    """The (context, message) of every translated literal under ``node``."""
    found: list[Key] = []
    for call in ast.walk(node):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.args):
            continue
        values = [a.value if isinstance(a, ast.Constant) else None for a in call.args]
        if call.func.id == "_" and isinstance(values[0], str):
            found.append((None, values[0]))
        elif call.func.id == "pgettext" and len(values) == 2 and all(isinstance(v, str) for v in values):
            found.append((values[0], values[1]))  # type: ignore[arg-type]
    return found


def button_texts() -> set[Key]:
    keys: set[Key] = set()
    for path in [*(ROOT / "handlers").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.name in BUTTON_LABELS:
                keys.update(_texts(node))
            elif isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if name in ("button", "next_row", "InlineKeyboardButton", "KeyboardButton"):
                    for keyword in node.keywords:
                        if keyword.arg == "text":
                            keys.update(_texts(keyword.value))
                    if name in ("button", "next_row") and node.args:
                        keys.update(_texts(node.args[0]))
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[1], ast.Call):
                callback = node.elts[1].func
                # (text, SomeCallbackData(...)), not a reply's (text, InlineKeyboardMarkup(...))
                named = isinstance(callback, ast.Name) and callback.id[:1].isupper()
                if named and "Markup" not in callback.id:  # type: ignore[union-attr]
                    keys.update(_texts(node.elts[0]))
    return keys


def _catalog(locale: str) -> dict[Key, list[str]]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    return {
        (m.context, m.id if isinstance(m.id, str) else m.id[0]): (
            [m.string] if isinstance(m.string, str) else list(m.string)
        )
        for m in catalog
        if m.id
    }


def test_the_button_texts_are_found() -> None:
    """The scan sees the buttons it must check (so a change in how keyboards are built is noticed)."""
    keys = button_texts()
    for expected in [
        (None, "📈 Chart of stances by oblast (PNG)"),
        (None, "I am the head (ayil okmotu head or mayor)"),
        (None, "✏ Support with amendments"),
        (None, "⚖ The budget: government's position"),
        (None, "Both extra costs and lost revenue"),
        ("a proposal", "rejected"),
    ]:
        assert expected in keys
    assert len(keys) > 80


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_buttons_fit_a_phone(locale: str) -> None:
    catalog = _catalog(locale)
    too_long = {}
    for key in button_texts():
        for form in catalog.get(key, []):
            shown = PLACEHOLDER.sub("00", form)  # a number or a short name in its place
            if len(shown) > BUTTON_LIMIT and "{name}" not in form:
                too_long[key[1]] = f"{form} ({len(shown)})"
    assert not too_long, f"{locale} buttons over {BUTTON_LIMIT} characters: {too_long}"


# The executive is the Cabinet of Ministers since the 2021 Constitution; «айыл өкмөтү» is a municipality.
GOVERNMENT = {"ky": re.compile(r"(?<!айыл )өкмөт", re.IGNORECASE), "ru": re.compile(r"правительств", re.I)}
# «оңдоо» is a correction or an edit of a text; an amendment to a bill is «түзөтүү».
CORRECTION = re.compile(r"оңдо", re.IGNORECASE)


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_official_terms(locale: str) -> None:
    wrong = []
    for (_context, message), forms in _catalog(locale).items():
        for form in forms:
            if GOVERNMENT[locale].search(form):
                wrong.append(form)
            # «оңдоо» only where the English says "edit" (the coordinator editing a text)
            if locale == "ky" and CORRECTION.search(form) and not re.search(r"edit", message, re.I):
                wrong.append(form)
    assert not wrong, wrong


# One name per concept: a consultation is «талкуу» / «обсуждение» in every message.
CONSULTATION_SYNONYM = re.compile(r"консультац", re.IGNORECASE)


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_one_word_for_a_consultation(locale: str) -> None:
    forms = [form for forms in _catalog(locale).values() for form in forms]
    wrong = [form for form in forms if CONSULTATION_SYNONYM.search(form)]
    assert not wrong, wrong


def test_official_terms_are_not_typed_into_the_code() -> None:
    """Texts outside the catalogs (documents, labels) follow the same words."""
    sources = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "handlers").rglob("*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not GOVERNMENT["ky"].search(text), path
        assert not GOVERNMENT["ru"].search(text), path
        assert not CORRECTION.search(text), path


def check_official_terms(text: str) -> None:
    """For documents opened back: no «Өкмөт», «Правительство» or «оңдоо» in them."""
    for pattern in (*GOVERNMENT.values(), CORRECTION):
        assert not pattern.search(text), pattern.search(text)


def test_x_of_y_reads_right_for_any_number() -> None:
    """«Ответили 21 из 121 муниципалитета», «5 из 25 муниципалитетов»; Kyrgyz: «121 муниципалитеттин
    ичинен 21 муниципалитет»."""
    from bot.i18n import ngettext, use_locale

    singular = "{answered} of {targeted} municipality answered ({rate}%)."
    plural = "{answered} of {targeted} municipalities answered ({rate}%)."
    expected = {
        1: "из 1 муниципалитета",
        21: "из 21 муниципалитета",
        121: "из 121 муниципалитета",
        2: "из 2 муниципалитетов",
        5: "из 5 муниципалитетов",
        11: "из 11 муниципалитетов",
        25: "из 25 муниципалитетов",
    }
    for targeted, words in expected.items():
        with use_locale("ru"):
            text = ngettext(singular, plural, targeted).format(answered=1, targeted=targeted, rate=1)
        assert words in text, text
        with use_locale("ky"):
            text = ngettext(singular, plural, targeted).format(answered=1, targeted=targeted, rate=1)
        assert f"{targeted} муниципалитеттин ичинен 1 муниципалитет" in text


def test_official_dates() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.i18n import format_official_date

    bishkek = ZoneInfo("Asia/Bishkek")
    moment = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)  # 5 December in Bishkek
    assert format_official_date(moment, bishkek, "ky") == "2026-жылдын 5-декабры"
    assert format_official_date(moment, bishkek, "ru").replace("\u202f", " ") == "5 декабря 2026 г."
    assert format_official_date(datetime(2026, 6, 1, 6, tzinfo=UTC), bishkek, "ky") == "2026-жылдын 1-июну"


