"""Namesakes told apart (issue 11): wherever municipalities are listed together, a name that repeats
carries its district (and its oblast where the district is not enough); a typed list asks which one."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.table import Table
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import documents
from bot.clock import ManualClock
from bot.flows.wizard import AMBIGUOUS_PLACES
from bot.flows.wizard_draft import split_list
from bot.services import consultations, places
from bot.services.export_data import export_data
from bot.services.namesakes import PlaceNames, distinct_names
from bot.services.registry import import_registry, parse_registry_file
from devtools.emulator import TelegramUser
from models import (
    Amendment,
    Answer,
    Consultation,
    ConsultationTarget,
    Municipality,
    MunicipalityKind,
    Role,
    Stance,
)
from models.answers import article_key
from models.registry import search_key
from tests.factories import SmallRegistry, add_user, clock_start, open_consultation
from tests.texts import tr

LOCALES = ("ky", "ru")
# The synthetic namesake of «Ак-Сай айылный аймак» (Ысык-Ата district), in Talas district.
TALAS_AK_SAI = ("41707215899000", "Ак-Сай айылный аймак", "Ак-Сай айыл аймагы")


def expected(registry: SmallRegistry, locale: str) -> dict[str, str]:
    """How the two Ак-Сай are shown in ``locale``."""
    name = "Ак-Сай айыл аймагы" if locale == "ky" else "Ак-Сай айылный аймак"
    return {
        "ysyk_ata": f"{name} ({registry.ysyk_ata.name(locale)})",
        "talas": f"{name} ({registry.talas_district.name(locale)})",
    }


async def add_namesake(session: AsyncSession, registry: SmallRegistry) -> Municipality:
    soate, name_ru, name_ky = TALAS_AK_SAI
    namesake = Municipality(
        soate=soate,
        name_ru=name_ru,
        name_ky=name_ky,
        kind=MunicipalityKind.AYIL_AIMAK,
        oblast=registry.talas,
        district=registry.talas_district,
        search_name=search_key(name_ru, name_ky),
    )
    session.add(namesake)
    await session.commit()
    return namesake


# ---- the rule --------------------------------------------------------------------------------------


def test_a_unique_name_stays_bare_and_a_repeated_one_carries_what_tells_it_apart() -> None:
    places_ = [
        PlaceNames(1, "Ак-Дебен", "Жети-Огузский район", "Иссык-Кульская область", "1"),
        PlaceNames(2, "Ак-Дебен", "Бакай-Атинский район", "Таласская область", "2"),
        PlaceNames(3, "Ашар", "Ысык-Атинский район", "Чуйская область", "3"),
        # Two districts of one name in two oblasts: the oblast is needed too.
        PlaceNames(4, "Октябрь", "Советский район", "Ошская область", "4"),
        PlaceNames(5, "Октябрь", "Советский район", "Чуйская область", "5"),
        # A city directly under its oblast is told apart by the oblast.
        PlaceNames(6, "Ак-Дебен", None, "Чуйская область", "6"),
        # The registry repeats even the district and the oblast: the СОАТЕ code is the last resort.
        PlaceNames(7, "Кызыл-Суу", "Кеминский район", "Чуйская область", "41708"),
        PlaceNames(8, "Кызыл-Суу", "Кеминский район", "Чуйская область", "41709"),
    ]
    assert distinct_names(places_) == {
        1: "Ак-Дебен (Жети-Огузский район)",
        2: "Ак-Дебен (Бакай-Атинский район)",
        3: "Ашар",
        4: "Октябрь (Советский район, Ошская область)",
        5: "Октябрь (Советский район, Чуйская область)",
        6: "Ак-Дебен (Чуйская область)",
        7: "Кызыл-Суу (Кеминский район, Чуйская область, 41708)",
        8: "Кызыл-Суу (Кеминский район, Чуйская область, 41709)",
    }


async def test_real_registry_namesakes_each_carry_their_district(
    session: AsyncSession, registry_csv: Path
) -> None:
    """Ак-Дебен (three) and Ак-Булун (two) in the real registry are told apart when searched."""
    content = await asyncio.to_thread(registry_csv.read_bytes)
    await import_registry(
        session, parse_registry_file(content, registry_csv.name), dry_run=False, now=clock_start()
    )
    for locale in LOCALES:
        found = await places.search_municipalities(session, "Ак-Дебен", 0, locale)
        assert sorted(found.labels.values()) == [
            "Ак-Дебенский айылный аймак (Аламудунский район)",
            "Ак-Дебенский айылный аймак (Бакай-Атинский район)",
            "Ак-Дебенский айылный аймак (Жети-Огузский район)",
        ]
        found = await places.search_municipalities(session, "Ак-Булун", 0, locale)
        assert sorted(found.labels.values()) == [
            "Ак-Булунский айылный аймак (Ак-Суйский район)",
            "Ак-Булунский айылный аймак (Тюпский район)",
        ]


# ---- pickers, the wizard's list, /responses (through the emulator) --------------------------------


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_invite_picker_search_tells_namesakes_apart(
    locale: str,
    admin: TelegramUser,
    registry: SmallRegistry,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    await add_namesake(session, registry)
    await add_user(session, 5301, role=Role.COORDINATOR, language=locale, now=clock.now())
    coordinator = make_user(5301, language_code=locale)
    await coordinator.send("/invite")
    replies = await coordinator.send("Ак-Сай")
    labels = expected(registry, locale)
    assert sorted(coordinator.buttons(replies[-1])[:2]) == sorted(labels.values())
    # A name that no other shares stays bare: Ашар under its district.
    replies = await coordinator.send("Ашар")
    assert registry.ysyk_ata_aimaks[1].name(locale) in coordinator.buttons(replies[-1])


async def to_audience_list(coordinator: TelegramUser, locale: str) -> None:
    """The wizard up to the step where the audience is typed as a list."""
    await coordinator.send("/new")
    await coordinator.send("Жайыттар жөнүндө")
    await coordinator.send("О пастбищах")
    for _ in range(6):  # the summaries, the link, the document, the initiator, the committee
        await coordinator.click(tr("Skip »", locale))
    await coordinator.click(tr("land", locale))
    await coordinator.click(tr("Next »", locale))
    await coordinator.click(tr("No", locale))
    await coordinator.click(tr("A list I type", locale))


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_ambiguous_name_in_the_typed_audience_is_asked_about(
    locale: str,
    admin: TelegramUser,
    registry: SmallRegistry,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    namesake = await add_namesake(session, registry)
    await add_user(session, 5302, role=Role.COORDINATOR, language=locale, now=clock.now())
    coordinator = make_user(5302, language_code=locale)
    await to_audience_list(coordinator, locale)
    ashar = registry.ysyk_ata_aimaks[1]

    replies = await coordinator.send(f"{ashar.name_ru}, Ак-Сай айылный аймак")
    asked = replies[-1].text
    assert asked.startswith(tr(AMBIGUOUS_PLACES, locale, choices="").split("\n")[0])
    labels = expected(registry, locale)
    assert f"{labels['talas']} — {namesake.soate}" in asked
    assert f"{labels['ysyk_ata']} — {registry.ysyk_ata_aimaks[0].soate}" in asked

    # Written as the bot showed it (with the comma-less district in brackets), it is taken.
    replies = await coordinator.send(f"{ashar.name_ru}\n{labels['talas']}")
    assert not replies[-1].text.startswith(tr(AMBIGUOUS_PLACES, locale, choices="").split("\n")[0])
    draft = await session.scalar(select(Consultation).execution_options(populate_existing=True))
    assert draft is not None and sorted(draft.audience["ids"]) == sorted([ashar.id, namesake.id])
    # The audience step names the list: the namesake with its district, Ашар (unique) bare.
    replies = await coordinator.click(tr("« Back", locale))
    assert f"{ashar.name(locale)}, {labels['talas']}" in replies[-1].text


@pytest.mark.parametrize("locale", LOCALES)
async def test_responses_list_both_namesakes_by_district(
    locale: str,
    admin: TelegramUser,
    registry: SmallRegistry,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    namesake = await add_namesake(session, registry)
    consultation = await open_consultation(session, registry, clock.now() + timedelta(days=5))
    # The Talas namesake is asked too (the consultation went to Chui oblast).
    session.add(ConsultationTarget(consultation_id=consultation.id, municipality_id=namesake.id))
    for municipality in (registry.ysyk_ata_aimaks[0], namesake):
        session.add(answer_row(consultation.id, municipality, clock))
    await session.commit()
    await add_user(session, 5303, role=Role.COORDINATOR, language=locale, now=clock.now())
    coordinator = make_user(5303, language_code=locale)
    await coordinator.send("/responses")
    await coordinator.click(coordinator.buttons()[0])
    replies = await coordinator.click(tr("Read the answers", locale))
    buttons = coordinator.buttons(replies[-1])
    labels = expected(registry, locale)
    assert labels["ysyk_ata"] in buttons and labels["talas"] in buttons
    # Those who have not answered: unique names stay bare.
    replies = await coordinator.click(tr("◀ Back", locale))
    replies = await coordinator.click(tr("Who has not answered", locale))
    assert f"• {registry.ysyk_ata_aimaks[1].name(locale)}\n" in replies[-1].text + "\n"


def answer_row(consultation_id: int, municipality: Municipality, clock: ManualClock) -> Answer:
    return Answer(
        consultation_id=consultation_id,
        municipality_id=municipality.id,
        version=1,
        is_current=True,
        submitted_at=clock.now(),
        stance=Stance.SUPPORT_WITH_AMENDMENTS,
        services=[],
        amendments=[Amendment(position=0, article="ст. 5", article_key=article_key("ст. 5"), wording="Да.")],
    )


# ---- the documents ---------------------------------------------------------------------------------


def table_headed(paper: DocxDocument, header: str) -> Table:
    return next(t for t in paper.tables if header in [c.text for c in t.rows[0].cells])


@pytest.mark.parametrize("locale", LOCALES)
async def test_documents_name_each_namesake_with_its_district(
    locale: str, session: AsyncSession, registry: SmallRegistry
) -> None:
    clock = ManualClock(clock_start())
    namesake = await add_namesake(session, registry)
    consultation = await open_consultation(session, registry, clock.now() + timedelta(days=5))
    for municipality in (registry.ysyk_ata_aimaks[0], namesake, registry.ysyk_ata_aimaks[1]):
        session.add(answer_row(consultation.id, municipality, clock))
    await session.commit()
    data = await export_data(session, consultation.id, locale, 0.5, ZoneInfo("Asia/Bishkek"), clock.now())
    labels = expected(registry, locale)
    ashar = registry.ysyk_ata_aimaks[1].name(locale)

    paper = Document(io.BytesIO(documents.position_paper(data)))
    annex = table_headed(paper, tr("Date of the answer", locale))
    names = [row.cells[1].text for row in annex.rows[1:]]
    assert sorted(names) == sorted([labels["ysyk_ata"], labels["talas"], ashar])
    proposals = table_headed(paper, tr("Proposed wording", locale))
    behind = proposals.rows[1].cells[-1].text  # the three municipalities behind article 5
    assert labels["talas"] in behind and labels["ysyk_ata"] in behind and ashar in behind

    workbook = load_workbook(io.BytesIO(documents.answers_workbook(data)))
    raw = list(workbook.worksheets[0].iter_rows(values_only=True))
    column = raw[0].index(tr("Municipality", locale))
    assert sorted(row[column] for row in raw[1:]) == sorted([labels["ysyk_ata"], labels["talas"], ashar])
    amendments = [row[2] for row in workbook.worksheets[2].iter_rows(values_only=True)][1:]
    assert sorted(amendments) == sorted([labels["ysyk_ata"], labels["talas"], ashar])

    content = documents.answers_csv(data).decode("utf-8-sig")
    assert labels["talas"] in content and labels["ysyk_ata"] in content


def test_a_typed_list_keeps_the_comma_inside_brackets_with_its_name() -> None:
    typed = "Ашар айылный аймак, Ак-Сай (Таласский район, Таласская область)\nг. Токмок"
    assert split_list(typed) == [
        "Ашар айылный аймак",
        "Ак-Сай (Таласский район, Таласская область)",
        "г. Токмок",
    ]


async def test_a_name_with_its_district_and_oblast_or_a_soate_code_picks_one_namesake(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    namesake = await add_namesake(session, registry)
    ak_sai = registry.ysyk_ata_aimaks[0]
    named = await consultations.municipalities_named(
        session,
        [
            "Ак-Сай айыл аймагы (Талас району, Талас облусу)",  # in Kyrgyz, district and oblast
            f"Ак-Сай айылный аймак — {ak_sai.soate}",  # as the bot lists the choices
            "Ак-Сай айылный аймак (Кеминский район)",  # no such namesake
        ],
        "ky",
    )
    assert named.ids == sorted([ak_sai.id, namesake.id])
    assert named.unknown == ["Ак-Сай айылный аймак (Кеминский район)"] and named.ambiguous == []
