"""Importing the municipal registry from CSV and XLSX: structure, upserts, dry runs, bad files, summaries."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import use_locale
from bot.presentation.registry import describe_changes, describe_problem
from bot.services.registry import (
    MAX_EXAMPLES,
    MAX_PROBLEMS,
    ChangeAction,
    FieldChange,
    ProblemCode,
    RegistryChanges,
    RegistryFileError,
    RegistryProblem,
    RegistryRow,
    Unit,
    UnitRef,
    import_registry,
    parse_registry_file,
)
from bot.services.registry import writing as registry_writing
from models import (
    Association,
    AssociationMembership,
    AuditEntry,
    District,
    Municipality,
    MunicipalityKind,
    Oblast,
)
from models.registry import search_key
from tests.factories import clock_start

NOW = clock_start()  # when the imports happen; only the audit entry records it
HEADER = [
    "soate_code",
    "name_ru",
    "kind",
    "district_ru",
    "district_soate",
    "oblast_ru",
    "oblast_soate",
    "population",
]
# Invented units shaped like the real registry: an oblast with a district, a city of oblast rank whose
# "district" is the oblast itself, a town under that city (the city's code is its district code), and a
# city of republican rank with no oblast, which is an oblast-level unit with a town of its own.
OBLAST = ("Тестовая область", "41790000000000")
DISTRICT = ("Тестовый район", "41790205000000")
SMALL: list[list[str]] = [
    ["41790205805000", "Ак-Таш айылный аймак", "ayil_aimak", *DISTRICT, *OBLAST, "1200"],
    ["41790205807000", "Кара-Суу айылный аймак", "ayil_aimak", *DISTRICT, *OBLAST, "3 400"],
    ["41790410000010", "г. Тестабад", "city", *OBLAST, *OBLAST, "84 000"],
    ["41790410520010", "Тест-Пристань", "town_or_settlement", "г. Тестабад", "41790410000010", *OBLAST, ""],
    ["41791000000000", "г. Столица", "city", "", "", "", "", "1 100 000"],
    [
        "41791201510010",
        "Чон-Тест",
        "town_or_settlement",
        "Тестовый район города",
        "41791201000000",
        "г. Столица",
        "41791000000000",
        "",
    ],
]


def csv_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def xlsx_bytes(rows: Sequence[Sequence[Any]], header: Sequence[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def snapshot(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """Every registry row as plain values (codes instead of ids), read in a fresh session."""
    async with session_factory() as session:
        oblasts = sorted((await session.execute(select(Oblast.soate, Oblast.name_ru, Oblast.name_ky))).all())
        codes = dict((await session.execute(select(Oblast.id, Oblast.soate))).all())
        districts = sorted(
            (soate, name_ru, name_ky, codes[oblast_id])
            for soate, name_ru, name_ky, oblast_id in await session.execute(
                select(District.soate, District.name_ru, District.name_ky, District.oblast_id)
            )
        )
        district_codes = dict((await session.execute(select(District.id, District.soate))).all())
        municipalities = sorted(
            (
                row.id,
                row.soate,
                row.name_ru,
                row.name_ky,
                row.kind.value,
                row.population,
                row.search_name,
                codes[row.oblast_id],
                district_codes.get(row.district_id),
            )
            for row in await session.scalars(select(Municipality))
        )
        associations = sorted((await session.execute(select(Association.id, Association.name_ru))).all())
        memberships = sorted(
            (
                await session.execute(
                    select(AssociationMembership.association_id, AssociationMembership.municipality_id)
                )
            ).all()
        )
        audits = await session.scalar(select(func.count()).select_from(AuditEntry))
    return {
        "oblasts": oblasts,
        "districts": districts,
        "municipalities": municipalities,
        "associations": associations,
        "memberships": memberships,
        "audit": audits,
    }


async def municipality(session: AsyncSession, soate: str) -> Municipality:
    session.expire_all()
    found = await session.scalar(select(Municipality).where(Municipality.soate == soate))
    assert found is not None, soate
    return found


def counts(changes: RegistryChanges, unit: str) -> tuple[int, int, int]:
    group = getattr(changes, unit)
    return group.added, group.updated, group.unchanged


# --- the real registry -----------------------------------------------------------------------------


async def test_real_registry_loads_with_its_structure_and_reimports_as_no_change(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], registry_csv: Path
) -> None:
    content = await asyncio.to_thread(registry_csv.read_bytes)
    rows = parse_registry_file(content, registry_csv.name)
    assert len(rows) == 530

    changes = await import_registry(session, rows, dry_run=False, now=NOW, source=registry_csv.name)
    assert counts(changes, "municipalities") == (530, 0, 0)
    assert counts(changes, "oblasts") == (9, 0, 0)  # 7 oblasts + Bishkek + Osh

    # Check against the file read independently, row by row.
    expected = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    async with session_factory() as check:
        oblasts = {o.soate: o for o in await check.scalars(select(Oblast))}
        districts = {d.soate: d for d in await check.scalars(select(District))}
        stored = {m.soate: m for m in await check.scalars(select(Municipality))}
    assert len(stored) == 530
    republican = {row["soate_code"]: row["name_ru"] for row in expected if not row["oblast_soate"]}
    assert republican == {"41711000000000": "г. Бишкек", "41721000000000": "г. Ош"}
    real_oblasts = {row["oblast_soate"] for row in expected if row["oblast_soate"]} - set(republican)
    assert len(real_oblasts) == 7
    assert set(oblasts) == real_oblasts | set(republican)
    for soate, name in republican.items():
        assert oblasts[soate].name_ru == name
        assert stored[soate].oblast_id == oblasts[soate].id and stored[soate].district_id is None

    kinds = {"ayil_aimak": MunicipalityKind.AYIL_AIMAK, "city": MunicipalityKind.CITY}
    for row in expected:
        unit = stored[row["soate_code"]]
        assert unit.name_ru == row["name_ru"]
        assert unit.kind is kinds.get(row["kind"], MunicipalityKind.TOWN)
        assert unit.search_name == search_key(row["name_ru"], None)
        oblast_soate = row["oblast_soate"] or row["soate_code"]
        assert unit.oblast.soate == oblast_soate
        if row["district_soate"] in ("", row["oblast_soate"]):
            assert unit.district_id is None, row
        else:
            assert unit.district is not None and unit.district.soate == row["district_soate"]
            assert unit.district.name_ru == row["district_ru"]
            assert districts[row["district_soate"]].oblast_id == unit.oblast_id
    # Cities of oblast rank sit directly under their oblast; towns under a city have the city as district.
    assert stored["41702410000010"].district_id is None
    assert stored["41702410520010"].district.soate == "41702410000010"  # type: ignore[union-attr]

    before = await snapshot(session_factory)
    async with session_factory() as again:
        second = await import_registry(
            again, parse_registry_file(content, registry_csv.name), dry_run=False, now=NOW
        )
    assert second.changed == 0
    for unit in ("oblasts", "districts", "municipalities"):
        added, updated, _ = counts(second, unit)
        assert (added, updated) == (0, 0), unit
    assert second.municipalities.unchanged == 530
    after = await snapshot(session_factory)
    assert after["audit"] == before["audit"] + 1  # the import itself is recorded, nothing else moves
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in before.items() if k != "audit"
    }


# --- the small registry -------------------------------------------------------------------------------


async def test_structure_rules_on_a_small_file(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    rows = parse_registry_file(csv_bytes(SMALL), "registry.csv")
    changes = await import_registry(session, rows, dry_run=False, now=NOW)
    assert counts(changes, "oblasts") == (2, 0, 0)
    assert counts(changes, "districts") == (3, 0, 0)  # the city of Testabad acts as a district
    assert counts(changes, "municipalities") == (6, 0, 0)

    state = await snapshot(session_factory)
    placement = {row[1]: (row[7], row[8]) for row in state["municipalities"]}
    assert placement == {
        "41790205805000": ("41790000000000", "41790205000000"),
        "41790205807000": ("41790000000000", "41790205000000"),
        "41790410000010": ("41790000000000", None),  # city of oblast rank
        "41790410520010": ("41790000000000", "41790410000010"),  # town under the city
        "41791000000000": ("41791000000000", None),  # city of republican rank: its own oblast
        "41791201510010": ("41791000000000", "41791201000000"),
    }
    assert ("41791000000000", "г. Столица", None) in state["oblasts"]
    populations = {row[1]: row[5] for row in state["municipalities"]}
    assert populations["41790205807000"] == 3400 and populations["41791000000000"] == 1_100_000
    assert populations["41790410520010"] is None

    audit = await session.scalar(select(AuditEntry).where(AuditEntry.action == "registry.import"))
    assert audit is not None
    assert audit.details["counts"]["municipalities"]["added"] == 6


async def test_dry_run_reports_and_changes_nothing(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    empty = await snapshot(session_factory)
    rows = parse_registry_file(csv_bytes(SMALL), "registry.csv")
    changes = await import_registry(session, rows, dry_run=True, now=NOW)
    assert changes.dry_run
    assert counts(changes, "municipalities") == (6, 0, 0)
    assert counts(changes, "oblasts") == (2, 0, 0)
    assert await snapshot(session_factory) == empty

    await import_registry(session, rows, dry_run=False, now=NOW)
    loaded = await snapshot(session_factory)
    edited = [list(row) for row in SMALL]
    edited[0][7] = "1300"
    edited.append(["41790205810000", "Жаңы айылный аймак", "ayil_aimak", *DISTRICT, *OBLAST, ""])
    changes = await import_registry(
        session, parse_registry_file(csv_bytes(edited), "r.csv"), dry_run=True, now=NOW
    )
    assert counts(changes, "municipalities") == (1, 1, 5)
    assert await snapshot(session_factory) == loaded
    # The session stays usable after a dry run.
    assert (await municipality(session, "41790205805000")).population == 1200


async def test_xlsx_imports_the_same_as_csv(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    header = [title.upper() for title in reversed(HEADER)] + ["Примечание"]  # order and case are free
    typed: list[list[Any]] = []
    for row in SMALL:
        cells: list[Any] = list(row)
        cells[0] = int(cells[0])  # codes that lost their type in Excel: an int, or a float
        if cells[4]:
            cells[4] = float(cells[4])
        cells[7] = int(cells[7].replace(" ", "")) if cells[7] else None
        typed.append([*reversed(cells), "заметка"])
    from_xlsx = parse_registry_file(xlsx_bytes(typed, header), "registry.xlsx")
    from_csv = parse_registry_file(csv_bytes(SMALL), "registry.csv")
    assert from_xlsx == from_csv

    # The content decides, not the name: an .xlsx sent as .csv is still read as a workbook.
    assert parse_registry_file(xlsx_bytes(typed, header), "registry.csv") == from_csv

    await import_registry(session, from_xlsx, dry_run=False, now=NOW)
    again = await import_registry(session, from_csv, dry_run=True, now=NOW)
    assert again.changed == 0 and again.municipalities.unchanged == 6


async def test_xlsx_row_numbers_count_blank_rows(session: AsyncSession) -> None:
    rows: list[list[Any]] = [list(SMALL[0]), [None] * len(HEADER), list(SMALL[1])]
    rows[2][0] = "123"
    with pytest.raises(RegistryFileError) as caught:
        parse_registry_file(xlsx_bytes(rows), "registry.xlsx")
    assert caught.value.problems == [RegistryProblem(ProblemCode.BAD_SOATE, 4, "soate_code", value="123")]


async def test_update_is_reported_and_stored(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await import_registry(session, parse_registry_file(csv_bytes(SMALL), "r.csv"), dry_run=False, now=NOW)
    edited = [list(row) for row in SMALL]
    edited[0][1] = "Ак-Таш айылдык аймагы"
    edited[0][7] = "1 300"
    edited[1][3:5] = ["Новый район", "41790210000000"]  # moved to a new district
    # A handler's session already holds ORM objects (the user's municipality); bulk updates must cope.
    loaded = await municipality(session, SMALL[0][0])
    assert loaded.population == 1200

    changes = await import_registry(
        session, parse_registry_file(csv_bytes(edited), "r.csv"), dry_run=False, now=NOW
    )
    assert counts(changes, "municipalities") == (0, 2, 4)
    assert counts(changes, "districts") == (1, 0, 3)
    update = next(c for c in changes.examples if c.action is ChangeAction.UPDATED and c.soate == SMALL[0][0])
    assert update.unit is Unit.MUNICIPALITY
    assert set(update.fields) == {
        FieldChange("name_ru", "Ак-Таш айылный аймак", "Ак-Таш айылдык аймагы"),
        FieldChange("population", 1200, 1300),
    }

    stored = await municipality(session, SMALL[0][0])
    assert (stored.name_ru, stored.population) == ("Ак-Таш айылдык аймагы", 1300)
    assert stored.search_name == search_key("Ак-Таш айылдык аймагы", None)
    moved = await municipality(session, SMALL[1][0])
    assert moved.district is not None and moved.district.soate == "41790210000000"

    state = await snapshot(session_factory)
    again = await import_registry(
        session, parse_registry_file(csv_bytes(edited), "r.csv"), dry_run=False, now=NOW
    )
    assert again.changed == 0
    after = await snapshot(session_factory)
    assert after["municipalities"] == state["municipalities"]


async def test_kyrgyz_names_kinds_and_partial_files(session: AsyncSession) -> None:
    header = ["soate_code", "name_ru", "name_ky", "kind", "oblast_ru", "oblast_ky", "oblast_soate"]
    header += ["population"]
    rows = [
        [
            "41790205805000",
            "Ак-Таш айылный аймак",
            "Ак-Таш айыл аймагы",
            "Айыл аймагы",
            OBLAST[0],
            "Тест облусу",
            OBLAST[1],
            "12\u202f345",
        ],
        ["41790410000010", "г. Тестабад", "Тестабад шаары", "шаар", OBLAST[0], "", OBLAST[1], "7\u00a0000"],
        ["41790410520010", "Тест-Пристань", "", "Посёлок", OBLAST[0], "", OBLAST[1], "0"],
    ]
    parsed = parse_registry_file(csv_bytes(rows, header, delimiter=";"), "registry.csv")
    assert [row.kind for row in parsed] == [
        MunicipalityKind.AYIL_AIMAK,
        MunicipalityKind.CITY,
        MunicipalityKind.TOWN,
    ]
    assert [row.population for row in parsed] == [12345, 7000, 0]
    assert parsed[0].oblast == UnitRef(OBLAST[1], OBLAST[0], "Тест облусу")
    await import_registry(session, parsed, dry_run=False, now=NOW)
    stored = await municipality(session, "41790205805000")
    assert stored.name_ky == "Ак-Таш айыл аймагы"
    assert stored.search_name == search_key("Ак-Таш айылный аймак", "Ак-Таш айыл аймагы")
    assert stored.oblast.name_ky == "Тест облусу"

    # A file without the optional columns changes only what it has: placement, Kyrgyz names and
    # population stay as they are.
    minimal = csv_bytes([["41790205805000", "Ак-Таш айылный аймак", "ayil_aimak"]], HEADER[:3])
    changes = await import_registry(session, parse_registry_file(minimal, "m.csv"), dry_run=False, now=NOW)
    assert changes.changed == 0 and changes.not_in_file == 2
    stored = await municipality(session, "41790205805000")
    assert (stored.name_ky, stored.population, stored.oblast.soate) == (
        "Ак-Таш айыл аймагы",
        12345,
        OBLAST[1],
    )


async def test_associations_set_memberships_exactly(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    header = [*HEADER, "associations"]
    first = [
        [*SMALL[0], "Союз МСУ; Ассоциация городов"],
        [*SMALL[1], "Союз МСУ"],
        [*SMALL[2], ""],
    ]
    changes = await import_registry(
        session, parse_registry_file(csv_bytes(first, header), "a.csv"), dry_run=False, now=NOW
    )
    assert counts(changes, "associations") == (2, 0, 0)
    assert (changes.memberships.added, changes.memberships.removed) == (3, 0)

    # Same names in another case are the same association; a municipality's list is set exactly.
    second = [
        [*SMALL[0], "союз мсу"],
        [*SMALL[1], "Союз МСУ;Новая ассоциация"],
        [*SMALL[2], ""],
    ]
    changes = await import_registry(
        session, parse_registry_file(csv_bytes(second, header), "a.csv"), dry_run=False, now=NOW
    )
    assert counts(changes, "associations") == (1, 0, 1)
    assert (changes.memberships.added, changes.memberships.removed, changes.memberships.unchanged) == (
        1,
        1,
        2,
    )
    removed = [c for c in changes.examples if c.action is ChangeAction.REMOVED]
    assert [(c.soate, c.association) for c in removed] == [(SMALL[0][0], "Ассоциация городов")]

    async with session_factory() as check:
        names = dict((await check.execute(select(Association.id, Association.name_ru))).all())
        members = {
            (names[association_id], soate)
            for association_id, soate in await check.execute(
                select(AssociationMembership.association_id, Municipality.soate).join(
                    Municipality, Municipality.id == AssociationMembership.municipality_id
                )
            )
        }
    assert members == {
        ("Союз МСУ", SMALL[0][0]),
        ("Союз МСУ", SMALL[1][0]),
        ("Новая ассоциация", SMALL[1][0]),
    }

    # Without the associations column, memberships are left alone.
    state = await snapshot(session_factory)
    changes = await import_registry(
        session, parse_registry_file(csv_bytes(SMALL[:3]), "r.csv"), dry_run=False, now=NOW
    )
    assert changes.changed == 0
    assert (await snapshot(session_factory))["memberships"] == state["memberships"]


async def test_apply_is_all_or_nothing(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await import_registry(session, parse_registry_file(csv_bytes(SMALL[:2]), "r.csv"), dry_run=False, now=NOW)
    before = await snapshot(session_factory)
    original = registry_writing._apply

    async def apply_then_fail(session: AsyncSession, plan: Any) -> None:
        await original(session, plan)  # every write done, then the failure
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(registry_writing, "_apply", apply_then_fail)
    with pytest.raises(RuntimeError):
        await import_registry(session, parse_registry_file(csv_bytes(SMALL), "r.csv"), dry_run=False, now=NOW)
    # The half-done writes are rolled back, not left in the session for the caller's next commit.
    await session.commit()
    assert await snapshot(session_factory) == before


async def test_contradicting_rows_built_by_hand_are_refused(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await import_registry(session, parse_registry_file(csv_bytes(SMALL), "r.csv"), dry_run=False, now=NOW)
    before = await snapshot(session_factory)
    oblast = UnitRef(OBLAST[1], OBLAST[0])
    rows = [
        RegistryRow(2, "41790205899000", "А", MunicipalityKind.TOWN, oblast=oblast),
        RegistryRow(3, "41790205899000", "Б", MunicipalityKind.TOWN, oblast=oblast),
    ]
    with pytest.raises(RegistryFileError) as caught:
        await import_registry(session, rows, dry_run=False, now=NOW)
    assert caught.value.problems[0].code is ProblemCode.DUPLICATE_SOATE
    assert await snapshot(session_factory) == before


# --- bad files ----------------------------------------------------------------------------------------


def _with(row: int, column: int, value: str) -> list[list[str]]:
    rows = [list(cells) for cells in SMALL]
    rows[row][column] = value
    return rows


BAD_FILES: dict[str, tuple[bytes, str, RegistryProblem]] = {
    "bad soate": (
        csv_bytes(_with(1, 0, "4179020580700")),
        "r.csv",
        RegistryProblem(ProblemCode.BAD_SOATE, 3, "soate_code", value="4179020580700"),
    ),
    "bad district soate": (
        csv_bytes(_with(0, 4, "4179-0205")),
        "r.csv",
        RegistryProblem(ProblemCode.BAD_SOATE, 2, "district_soate", value="4179-0205"),
    ),
    "unknown kind": (
        csv_bytes(_with(2, 2, "village")),
        "r.csv",
        RegistryProblem(ProblemCode.UNKNOWN_KIND, 4, "kind", value="village"),
    ),
    "empty name": (
        csv_bytes(_with(3, 1, "  ")),
        "r.csv",
        RegistryProblem(ProblemCode.EMPTY_VALUE, 5, "name_ru"),
    ),
    "missing column": (
        csv_bytes([row[:2] + row[3:] for row in SMALL], [c for c in HEADER if c != "kind"]),
        "r.csv",
        RegistryProblem(ProblemCode.MISSING_COLUMN, 1, "kind"),
    ),
    "duplicate code": (
        csv_bytes(_with(4, 0, SMALL[1][0])),
        "r.csv",
        RegistryProblem(ProblemCode.DUPLICATE_SOATE, 6, "soate_code", value=SMALL[1][0], other_row=3),
    ),
    "non-numeric population": (
        csv_bytes(_with(0, 7, "много")),
        "r.csv",
        RegistryProblem(ProblemCode.BAD_POPULATION, 2, "population", value="много"),
    ),
    "negative population": (
        csv_bytes(_with(0, 7, "-5")),
        "r.csv",
        RegistryProblem(ProblemCode.BAD_POPULATION, 2, "population", value="-5"),
    ),
    "district named twice": (
        csv_bytes(_with(1, 3, "Другой район")),
        "r.csv",
        RegistryProblem(
            ProblemCode.NAME_CONFLICT,
            3,
            "district_ru",
            value="Другой район",
            soate=DISTRICT[1],
            other_row=2,
            other_value=DISTRICT[0],
        ),
    ),
    "district code without its name": (
        csv_bytes(_with(0, 3, "")),
        "r.csv",
        RegistryProblem(ProblemCode.MISSING_PAIR, 2, "district_ru", other_value="district_soate"),
    ),
    "non-UTF-8 blob": (
        csv_bytes([]) + "41790205805000,Ак-Таш,ayil_aimak\r\n".encode("cp1251"),
        "r.csv",
        RegistryProblem(ProblemCode.NOT_UTF8, 2),
    ),
    "empty file": (b"", "r.csv", RegistryProblem(ProblemCode.EMPTY_FILE, 1)),
    "only blank lines": (b"\r\n\r\n", "r.csv", RegistryProblem(ProblemCode.EMPTY_FILE, 1)),
    "header only": (csv_bytes([]), "r.csv", RegistryProblem(ProblemCode.NO_ROWS, 1)),
    "not a workbook": (
        b"PK\x03\x04 definitely not a zip",
        "r.xlsx",
        RegistryProblem(ProblemCode.NOT_A_TABLE),
    ),
    "xlsx name, text inside": (csv_bytes(SMALL), "r.xlsx", RegistryProblem(ProblemCode.NOT_A_TABLE)),
    "old excel": (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
        "r.xls",
        RegistryProblem(ProblemCode.NOT_A_TABLE),
    ),
    "a picture": (b"\x89PNG\r\n\x1a\n" + bytes(64), "photo.png", RegistryProblem(ProblemCode.NOT_A_TABLE)),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
async def test_bad_file_is_refused_and_nothing_changes(
    case: str, session: AsyncSession, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await import_registry(session, parse_registry_file(csv_bytes(SMALL), "good.csv"), dry_run=False, now=NOW)
    before = await snapshot(session_factory)
    content, filename, expected = BAD_FILES[case]

    with pytest.raises(RegistryFileError) as caught:
        rows = parse_registry_file(content, filename)
        await import_registry(session, rows, dry_run=False, now=NOW)  # not reached: the file is refused first
    assert caught.value.problems == [expected]
    assert await snapshot(session_factory) == before

    for locale in ("ru", "ky"):
        with use_locale(locale):
            text = describe_problem(expected)
        if expected.row is not None:
            assert str(expected.row) in text, (locale, text)
        for part in (expected.column, expected.value, expected.other_value):
            if part:
                assert part in text, (locale, text)
        if expected.other_row is not None:
            assert str(expected.other_row) in text, (locale, text)


def test_every_problem_is_listed_with_a_cap() -> None:
    rows = [list(row) for row in SMALL]
    rows[0][0] = "1"
    rows[1][2] = "деревня"
    rows[2][7] = "1.5"
    with pytest.raises(RegistryFileError) as caught:
        parse_registry_file(csv_bytes(rows), "r.csv")
    assert [(p.code, p.row, p.column) for p in caught.value.problems] == [
        (ProblemCode.BAD_SOATE, 2, "soate_code"),
        (ProblemCode.UNKNOWN_KIND, 3, "kind"),
        (ProblemCode.BAD_POPULATION, 4, "population"),
    ]

    many = [["x", "", "?", *SMALL[0][3:]] for _ in range(50)]  # three problems in each of 50 rows
    with pytest.raises(RegistryFileError) as caught:
        parse_registry_file(csv_bytes(many), "r.csv")
    problems = caught.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == RegistryProblem(ProblemCode.MORE_PROBLEMS, value=str(150 - MAX_PROBLEMS))
    for locale in ("ru", "ky"):
        with use_locale(locale):
            assert str(150 - MAX_PROBLEMS) in describe_problem(problems[-1])


def test_oversized_values_and_header_problems() -> None:
    with pytest.raises(RegistryFileError) as caught:
        parse_registry_file(csv_bytes(_with(0, 1, "Я" * 201)), "r.csv")
    (problem,) = caught.value.problems
    assert (problem.code, problem.row, problem.column) == (ProblemCode.TOO_LONG, 2, "name_ru")
    assert problem.value is not None and len(problem.value) <= 60

    header = ["soate_code", "name_ru", "kind", "kind", "district_ru", "district_soate"]
    with pytest.raises(RegistryFileError) as caught:
        parse_registry_file(csv_bytes([], header), "r.csv")
    assert [(p.code, p.column) for p in caught.value.problems] == [
        (ProblemCode.DUPLICATE_COLUMN, "kind"),
        (ProblemCode.MISSING_COLUMN, "oblast_soate"),
    ]


# --- in words --------------------------------------------------------------------------------------


async def test_describe_changes_in_both_locales(session: AsyncSession) -> None:
    rows = parse_registry_file(csv_bytes(SMALL), "r.csv")
    added = await import_registry(session, rows, dry_run=False, now=NOW)
    edited = parse_registry_file(csv_bytes(_with(0, 7, "1300")), "r.csv")
    updated = await import_registry(session, edited, dry_run=True, now=NOW)
    unchanged = await import_registry(session, rows, dry_run=True, now=NOW)

    for locale in ("ru", "ky"):
        with use_locale(locale):
            text_added = describe_changes(added)
            text_updated = describe_changes(updated)
            text_unchanged = describe_changes(unchanged)
        assert f"+ Ак-Таш айылный аймак ({SMALL[0][0]})" in text_added
        assert f"+ г. Столица ({SMALL[4][0]})" in text_added
        assert "6" in text_added and "2" in text_added
        line = next(line for line in text_updated.splitlines() if SMALL[0][0] in line)
        assert line.startswith("~ Ак-Таш айылный аймак") and "population" in line
        assert "1" in line and "200" in line and "300" in line
        assert SMALL[1][0] not in text_updated  # only what changes is listed
        assert "+" not in text_unchanged and "~" not in text_unchanged


async def test_examples_are_capped(session: AsyncSession) -> None:
    rows = [
        [f"417902058{number:02d}000", f"Аймак {number}", "ayil_aimak", *DISTRICT, *OBLAST, ""]
        for number in range(40)
    ]
    changes = await import_registry(
        session, parse_registry_file(csv_bytes(rows), "r.csv"), dry_run=True, now=NOW
    )
    assert changes.changed == 42  # the oblast, the district and 40 municipalities
    assert len(changes.examples) == MAX_EXAMPLES
    for locale in ("ru", "ky"):
        with use_locale(locale):
            text = describe_changes(changes)
        assert len([line for line in text.splitlines() if line.startswith("+ ")]) == MAX_EXAMPLES
        assert "12" in text.splitlines()[-1]


def test_the_import_service_returns_data_and_the_channels_word_it() -> None:
    """No text is made in the service: a problem carries its message key and values, which the channel
    translates; and no part of the service grows into a god-module again."""
    with pytest.raises(RegistryFileError) as caught:
        parse_registry_file(csv_bytes(_with(0, 0, "417")), "r.csv")
    (problem,) = caught.value.problems
    assert problem.key.startswith("Row {row}, column {column}: «{value}» is not a СОАТЕ code")
    params = problem.params
    assert (params["row"], params["column"], params["value"]) == (2, "soate_code", "417")
    with use_locale("ru"):
        assert describe_problem(problem) != problem.key.format(**problem.params)  # translated by the channel

    package = Path(import_registry.__code__.co_filename).parent
    for source in package.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "bot.i18n" not in text, source.name
        assert len(text.splitlines()) <= 400, source.name
