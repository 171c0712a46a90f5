"""Every message exists in Kyrgyz and Russian, the catalogs are current, translations keep placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR, compile_catalogs, create_i18n, format_date, use_locale

PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+>")
ROOT = LOCALES_DIR.parent


def _catalog(locale: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale=locale)


def _key(message) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
    """A message's identity: its context (``pgettext``) and its singular id."""
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


def _code_message_ids(tmp_path: Path) -> set[tuple[str | None, str]]:
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_",
            "-k",
            "__",
            "-k",
            "N_",
            "-k",
            "lazy_gettext",
            "-k",
            "ngettext:1,2",
            "-k",
            "pgettext:1c,2",
            "-k",
            "npgettext:1c,2,3",
            "-o",
            str(template),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as pot:
        return {_key(message) for message in read_po(pot) if message.id}


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_every_message_in_the_code_is_translated(locale: str, tmp_path: Path) -> None:
    catalog = _catalog(locale)
    translated = {
        _key(m)
        for m in catalog
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string]) and not m.fuzzy
    }
    missing = sorted(_code_message_ids(tmp_path) - translated)
    assert not missing, (
        f"{len(missing)} messages lack a {locale} translation (see README, Translations): {missing[:10]}"
    )


@pytest.mark.parametrize("locale", ["ky", "ru"])
def test_translations_keep_placeholders_and_tags(locale: str) -> None:
    for message in _catalog(locale):
        if not message.id or not message.string:
            continue
        source = message.id if isinstance(message.id, str) else message.id[-1]
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        for form in forms:
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(form)), source
            assert sorted(TAG.findall(source)) == sorted(TAG.findall(form)), source


def test_kyrgyz_is_not_a_copy_of_russian() -> None:
    russian = {m.id: m.string for m in _catalog("ru") if m.id}
    copies = [m.id for m in _catalog("ky") if m.id and len(m.id) > 20 and m.string == russian.get(m.id)]
    assert not copies, copies[:5]


def test_catalogs_compile_and_are_used() -> None:
    compile_catalogs()
    i18n = create_i18n("ky")
    assert set(i18n.available_locales) >= {"ky", "ru"}
    with use_locale("ru", i18n):
        from bot.i18n import _

        russian = _("Only association coordinators can do this.")
    with use_locale("ky", i18n):
        kyrgyz = _("Only association coordinators can do this.")
    assert russian != kyrgyz


def test_dates_are_in_the_readers_language() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 12, 5, 20, 30, tzinfo=UTC)  # already 6 December in Bishkek (UTC+6)
    zone = ZoneInfo("Asia/Bishkek")
    assert format_date(moment, zone, "ru").replace("\u202f", " ") == "6 декабря 2026 г."
    assert "декабрь" in format_date(moment, zone, "ky") and "6" in format_date(moment, zone, "ky")


def test_a_refusal_is_worded_in_the_language_of_whoever_reads_it() -> None:
    """The service raises once, without a language; each reader gets the message in theirs, with
    numbers and dates written their way."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.errors import N_, InvalidInput, UserFacingError
    from bot.i18n import error_text, format_number
    from bot.validation import check_length
    from tests.texts import tr

    with pytest.raises(InvalidInput) as caught:
        check_length("я" * 5000, max_length=4096)
    for locale in ("ru", "ky"):
        with use_locale(locale):
            expected = tr(
                "That is too long: {length} characters, at most {limit}. Please shorten it and send again.",
                locale,
                length=format_number(5000),
                limit=format_number(4096),
            )
            assert error_text(caught.value) == expected
    with use_locale("ru"):
        assert "5\xa0000" in error_text(caught.value)  # «5 000», not «5000»

    moment = datetime(2026, 12, 5, 20, 30, tzinfo=UTC)  # already 6 December in Bishkek
    dated = UserFacingError(N_("Submitted to {addressee} on {date}"), addressee="Жогорку Кеңеш", date=moment)
    with use_locale("ru"):
        text = error_text(dated, ZoneInfo("Asia/Bishkek")).replace("\u202f", " ")
    addressee, date = "Жогорку Кеңеш", "6 декабря 2026 г."
    assert text == tr("Submitted to {addressee} on {date}", "ru", addressee=addressee, date=date)


def test_a_context_gives_a_word_its_grammatical_place() -> None:
    """«rejected» is «отклонён» for an act and «отклонено» for a proposal; a kind of municipality is
    plural as a group's label and singular in one municipality's cell."""
    from bot.i18n import pgettext
    from bot.labels import act_fate_label, decision_label, kind_label
    from models import ActFate, MunicipalityKind, ProposalDecision

    with use_locale("ru"):
        assert act_fate_label(ActFate.REJECTED) == "отклонён"
        assert decision_label(ProposalDecision.REJECTED) == "отклонено"
        assert kind_label(MunicipalityKind.AYIL_AIMAK) == "айылные аймаки"
        assert kind_label(MunicipalityKind.AYIL_AIMAK, one=True) == "айылный аймак"
        assert pgettext("no such context", "rejected") == "rejected"
    with use_locale("ky"):
        assert kind_label(MunicipalityKind.AYIL_AIMAK) == "айыл аймактары"
        assert kind_label(MunicipalityKind.AYIL_AIMAK, one=True) == "айыл аймагы"
