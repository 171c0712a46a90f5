"""Importing the municipal registry (oblasts, districts, municipalities, associations) from CSV or XLSX.

``parse_registry_file`` turns a file into checked rows or raises ``RegistryFileError`` with every
problem it found; ``import_registry`` upserts the rows by СОАТЕ code in one transaction and reports
what changed (or, in a dry run, what would change); ``describe_problem`` and ``describe_changes``
render both in the current locale.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import PurePath
from typing import Any

import openpyxl
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import _, format_number
from bot.services import audit
from models import Association, AssociationMembership, District, Municipality, MunicipalityKind, Oblast
from models.registry import search_key

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "Change",
    "ChangeAction",
    "Counts",
    "FieldChange",
    "ProblemCode",
    "RegistryChanges",
    "RegistryFileError",
    "RegistryProblem",
    "RegistryRow",
    "Unit",
    "UnitRef",
    "describe_changes",
    "describe_problem",
    "import_registry",
    "parse_registry_file",
]

REQUIRED_COLUMNS = ("soate_code", "name_ru", "kind")
OPTIONAL_COLUMNS = (
    "name_ky",
    "district_ru",
    "district_ky",
    "district_soate",
    "oblast_ru",
    "oblast_ky",
    "oblast_soate",
    "population",
    "associations",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# Bots may download files of at most 20 MB; a registry of tens of thousands of rows is far smaller.
# The command-line import keeps the same limit, so a file refused in the bot is refused there too.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PROBLEMS = 20  # a file with a shifted column would otherwise produce thousands of lines
MAX_EXAMPLES = 30  # enough to recognise the change, short enough for one Telegram message
MAX_VALUE_SHOWN = 60
NAME_LENGTH = 200  # the name columns of oblast, district and municipality
ASSOCIATION_NAME_LENGTH = 300
MAX_POPULATION = 10**10  # far above any municipality, and safely inside BIGINT

SOATE_PATTERN = re.compile(r"[0-9]{14}")
SOATE_WITH_FRACTION = re.compile(r"([0-9]{14})\.0*")  # "41702205805000.0" from a spreadsheet export
DIGITS = re.compile(r"[0-9]+")
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
CSV_SUFFIXES = frozenset({"", ".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


# --- what the file says ----------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRef:
    """An oblast or district as a row names it: code, Russian name, Kyrgyz name when given."""

    soate: str
    name_ru: str
    name_ky: str | None = None


@dataclass(frozen=True)
class RegistryRow:
    """One municipality from the file; ``None`` in an optional field means "keep the stored value"."""

    row: int  # as the user sees it in the file: the header is row 1
    soate: str
    name_ru: str
    kind: MunicipalityKind
    name_ky: str | None = None
    population: int | None = None
    # The oblast is the municipality itself for cities of republican rank (Bishkek, Osh).
    oblast: UnitRef | None = None
    district: UnitRef | None = None
    # False when the file has no oblast columns: the stored oblast and district are kept.
    has_placement: bool = True
    # None when the file has no associations column; otherwise the exact list of memberships.
    associations: tuple[str, ...] | None = None


class ProblemCode(enum.StrEnum):
    EMPTY_FILE = "empty_file"
    NOT_UTF8 = "not_utf8"
    NOT_A_TABLE = "not_a_table"
    NO_ROWS = "no_rows"
    MISSING_COLUMN = "missing_column"
    DUPLICATE_COLUMN = "duplicate_column"
    EMPTY_VALUE = "empty_value"
    BAD_SOATE = "bad_soate"
    UNKNOWN_KIND = "unknown_kind"
    BAD_POPULATION = "bad_population"
    TOO_LONG = "too_long"
    DUPLICATE_SOATE = "duplicate_soate"
    NAME_CONFLICT = "name_conflict"
    OBLAST_CONFLICT = "oblast_conflict"
    MISSING_PAIR = "missing_pair"
    DISTRICT_WITHOUT_OBLAST = "district_without_oblast"
    MORE_PROBLEMS = "more_problems"


@dataclass(frozen=True)
class RegistryProblem:
    """One thing wrong with the file, located by row (header = 1) and column name."""

    code: ProblemCode
    row: int | None = None
    column: str | None = None
    value: str | None = None  # the offending value as given (shortened); the count for MORE_PROBLEMS
    soate: str | None = None  # the oblast or district code a conflict is about
    other_row: int | None = None  # where the conflicting earlier value is
    other_value: str | None = None  # the earlier value, or the column that is given for MISSING_PAIR


class RegistryFileError(Exception):
    """The file cannot be imported; ``problems`` lists what is wrong, at most about MAX_PROBLEMS."""

    def __init__(self, problems: list[RegistryProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the registry file: {problems[:3]}")
        self.problems = problems


class _Problems:
    """Collects problems, keeping the first MAX_PROBLEMS and counting the rest."""

    def __init__(self) -> None:
        self.items: list[RegistryProblem] = []
        self.total = 0

    def add(self, code: ProblemCode, row: int | None = None, column: str | None = None, **extra: Any) -> None:
        self.total += 1
        if len(self.items) < MAX_PROBLEMS:
            for key in ("value", "other_value"):
                if isinstance(extra.get(key), str):
                    extra[key] = _shorten(extra[key])
            self.items.append(RegistryProblem(code, row, column, **extra))

    def raise_if_any(self) -> None:
        if not self.total:
            return
        problems = list(self.items)
        if self.total > len(problems):
            problems.append(RegistryProblem(ProblemCode.MORE_PROBLEMS, value=str(self.total - len(problems))))
        raise RegistryFileError(problems)


def _fail(code: ProblemCode, row: int | None = None, column: str | None = None) -> RegistryFileError:
    return RegistryFileError([RegistryProblem(code, row, column)])


def _shorten(value: str) -> str:
    return value if len(value) <= MAX_VALUE_SHOWN else value[: MAX_VALUE_SHOWN - 1] + "…"


# --- reading the table -----------------------------------------------------------------------------


def _read_csv(content: bytes) -> list[tuple[int, list[Any]]]:
    """Records numbered from 1 (blank lines count, as a spreadsheet shows them)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _fail(ProblemCode.NOT_UTF8, content[: error.start].count(b"\n") + 1) from error
    if "\x00" in text:  # a binary file that happens to decode, e.g. a PDF
        raise _fail(ProblemCode.NOT_A_TABLE)
    first_line = text.lstrip("\r\n").partition("\n")[0]
    # The delimiter that splits the header most: Excel writes ";" in locales with a decimal comma.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[Any]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, list(record)))
    except csv.Error as error:
        raise _fail(ProblemCode.NOT_A_TABLE, len(records) + 1) from error
    return records


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    """Rows of the first sheet, numbered as Excel numbers them."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zip, XML, KeyError) on a damaged file
        raise _fail(ProblemCode.NOT_A_TABLE) from error
    try:
        if not workbook.worksheets:
            raise _fail(ProblemCode.NOT_A_TABLE)
        sheet = workbook.worksheets[0]
        # Some writers store a wrong <dimension>, which would cut reading short; read the whole sheet.
        sheet.reset_dimensions()
        return [
            (number, list(values))
            for number, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        ]
    except RegistryFileError:
        raise
    except Exception as error:  # damaged sheet XML surfaces only while iterating
        raise _fail(ProblemCode.NOT_A_TABLE) from error
    finally:
        workbook.close()


def _read_table(content: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    suffix = PurePath(filename).suffix.lower()
    if not content.strip():
        raise _fail(ProblemCode.EMPTY_FILE, 1)
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)  # the content decides: an .xlsx renamed to .csv still works
    if suffix in XLSX_SUFFIXES or suffix == ".xls" or content.startswith(OLE_MAGIC):
        raise _fail(ProblemCode.NOT_A_TABLE)
    if suffix not in CSV_SUFFIXES:
        raise _fail(ProblemCode.NOT_A_TABLE)
    return _read_csv(content)


# --- cell values -----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A cell as text with whitespace collapsed; numbers that lost their type come back as digits."""
    if type(value) is str:  # the common case first: this runs for every cell of every row
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _blank(cells: list[Any]) -> bool:
    for cell in cells:
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return False
    return True


def _column_key(header: Any) -> str:
    return _text(header).lstrip("\ufeff").casefold().replace(" ", "_").replace("-", "_")


def _soate(value: Any) -> str | None:
    """A 14-digit code from text, an int, or a float that Excel made of it; None when malformed."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else str(value)
    else:
        text = "".join(str(value).split())
        if match := SOATE_WITH_FRACTION.fullmatch(text):
            text = match.group(1)
    return text if SOATE_PATTERN.fullmatch(text) else None


def _population(value: Any) -> int | None:
    """A non-negative whole number; spaces (incl. no-break and thin) may separate thousands."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    if isinstance(value, int):
        number = value
    else:
        text = "".join(str(value).split())  # str.split() also splits on U+00A0, U+2009 and U+202F
        if not DIGITS.fullmatch(text):
            return None
        number = int(text)
    return number if 0 <= number <= MAX_POPULATION else None


def _kind_key(text: str) -> str:
    text = text.casefold().replace("ё", "е").replace("_", " ").replace("-", " ").rstrip(".")
    return " ".join(text.split())


_KIND_WORDS: dict[MunicipalityKind, tuple[str, ...]] = {
    MunicipalityKind.AYIL_AIMAK: (
        "ayil_aimak",
        "aiyl aimak",
        "ayil okmotu",
        "aiyl okmotu",
        "айылный аймак",
        "айыл аймагы",
        "айылдык аймак",
        "айыл аймак",
        "айыл окмоту",
        "айыл өкмөтү",
        "сельская управа",
    ),
    MunicipalityKind.CITY: (
        "city",
        "город",
        "г",
        "шаар",
        "город республиканского значения",
        "город областного значения",
        "республикалык маанидеги шаар",
        "облустук маанидеги шаар",
    ),
    MunicipalityKind.TOWN: (
        "town",
        "town_or_settlement",
        "settlement",
        "поселок",
        "поселок городского типа",
        "пгт",
        "шаарча",
        "кыштак",
        "город районного значения",
        "райондук маанидеги шаар",
    ),
}
KIND_ALIASES: dict[str, MunicipalityKind] = {
    _kind_key(word): kind for kind, words in _KIND_WORDS.items() for word in words
}


def _association_names(value: Any) -> tuple[str, ...]:
    """Names separated by ";", blanks dropped, the same name (ignoring case) kept once."""
    names: dict[str, str] = {}
    for part in _text(value).split(";"):
        name = part.strip()
        if name:
            names.setdefault(name.casefold(), name)
    return tuple(names.values())


# --- parsing ---------------------------------------------------------------------------------------


class _RowParser:
    """Turns records into RegistryRows, collecting problems; one instance per file."""

    def __init__(self, columns: dict[str, int], problems: _Problems) -> None:
        self.columns = columns
        self.problems = problems
        self.has_placement = "oblast_soate" in columns
        # Thousands of rows repeat the same district and oblast: check each distinct one once.
        self._units: dict[tuple[str, str, str, str], UnitRef] = {}

    def parse(self, row: int, cells: list[Any]) -> RegistryRow | None:
        raw = {column: cells[index] if index < len(cells) else None for column, index in self.columns.items()}
        text = {column: _text(value) for column, value in raw.items()}
        problems, before = self.problems, self.problems.total

        soate = _soate(raw["soate_code"])
        if not text["soate_code"]:
            problems.add(ProblemCode.EMPTY_VALUE, row, "soate_code")
        elif soate is None:
            problems.add(ProblemCode.BAD_SOATE, row, "soate_code", value=text["soate_code"])
        name_ru = self._name(text, row, "name_ru", required=True)
        name_ky = self._name(text, row, "name_ky", required=False)

        kind = KIND_ALIASES.get(_kind_key(text["kind"]))
        if not text["kind"]:
            problems.add(ProblemCode.EMPTY_VALUE, row, "kind")
        elif kind is None:
            problems.add(ProblemCode.UNKNOWN_KIND, row, "kind", value=text["kind"])

        population: int | None = None
        if text.get("population"):
            population = _population(raw["population"])
            if population is None:
                problems.add(ProblemCode.BAD_POPULATION, row, "population", value=text["population"])

        district = self._unit(raw, text, row, "district")
        oblast = self._unit(raw, text, row, "oblast")
        if district is not None and not (text.get("oblast_soate") or text.get("oblast_ru")):
            problems.add(ProblemCode.DISTRICT_WITHOUT_OBLAST, row, "oblast_soate")

        associations: tuple[str, ...] | None = None
        if "associations" in raw:
            associations = _association_names(text["associations"])
            for association in associations:
                if len(association) > ASSOCIATION_NAME_LENGTH:
                    problems.add(ProblemCode.TOO_LONG, row, "associations", value=association)

        if problems.total > before or soate is None or name_ru is None or kind is None:
            return None
        if self.has_placement:
            if oblast is None:
                # Empty oblast: a city of republican rank, which is an oblast-level unit of its own.
                oblast = UnitRef(soate, name_ru, name_ky)
            if district is not None and district.soate == oblast.soate:
                # A city of oblast rank names its oblast as the district: it sits directly under the oblast.
                district = None
        return RegistryRow(
            row=row,
            soate=soate,
            name_ru=name_ru,
            kind=kind,
            name_ky=name_ky,
            population=population,
            oblast=oblast,
            district=district,
            has_placement=self.has_placement,
            associations=associations,
        )

    def _name(self, text: dict[str, str], row: int, column: str, *, required: bool) -> str | None:
        value = text.get(column, "")
        if not value:
            if required:
                self.problems.add(ProblemCode.EMPTY_VALUE, row, column)
            return None
        if len(value) > NAME_LENGTH:
            self.problems.add(ProblemCode.TOO_LONG, row, column, value=value)
            return None
        return value

    def _unit(self, raw: dict[str, Any], text: dict[str, str], row: int, level: str) -> UnitRef | None:
        """The district or oblast a row names, None when not given or broken (a problem is noted)."""
        code_column, name_column, ky_column = f"{level}_soate", f"{level}_ru", f"{level}_ky"
        code, name, name_ky = text.get(code_column, ""), text.get(name_column, ""), text.get(ky_column, "")
        if not code and not name:
            return None
        key = (level, code, name, name_ky)
        if cached := self._units.get(key):
            return cached
        if not code or not name:
            missing, given = (code_column, name_column) if not code else (name_column, code_column)
            self.problems.add(ProblemCode.MISSING_PAIR, row, missing, other_value=given)
            return None
        soate = _soate(raw[code_column])
        if soate is None:
            self.problems.add(ProblemCode.BAD_SOATE, row, code_column, value=code)
            return None
        checked_name = self._name(text, row, name_column, required=True)
        checked_ky = self._name(text, row, ky_column, required=False)
        if checked_name is None or (name_ky and checked_ky is None):
            return None
        unit = self._units[key] = UnitRef(soate, checked_name, checked_ky)
        return unit


@dataclass
class _Unit:
    """An oblast or district as the whole file describes it, with the row that first named it."""

    soate: str
    name_ru: str
    name_ky: str | None
    row: int
    oblast_soate: str | None = None  # districts only
    oblast_row: int = 0


def _merge_unit(
    units: dict[str, _Unit],
    ref: UnitRef,
    row: int,
    columns: tuple[str, str],
    problems: _Problems,
) -> _Unit:
    """Record a unit; the same code must carry the same name in every row that gives it."""
    unit = units.get(ref.soate)
    if unit is None:
        unit = units[ref.soate] = _Unit(ref.soate, ref.name_ru, ref.name_ky, row)
        return unit
    name_column, ky_column = columns
    if unit.name_ru != ref.name_ru:
        problems.add(
            ProblemCode.NAME_CONFLICT,
            row,
            name_column,
            value=ref.name_ru,
            soate=ref.soate,
            other_row=unit.row,
            other_value=unit.name_ru,
        )
    elif ref.name_ky is not None:
        if unit.name_ky is None:
            unit.name_ky = ref.name_ky
        elif unit.name_ky != ref.name_ky:
            problems.add(
                ProblemCode.NAME_CONFLICT,
                row,
                ky_column,
                value=ref.name_ky,
                soate=ref.soate,
                other_row=unit.row,
                other_value=unit.name_ky,
            )
    return unit


def _collect_units(
    rows: Sequence[RegistryRow], problems: _Problems
) -> tuple[dict[str, _Unit], dict[str, _Unit]]:
    """The oblasts and districts named in the rows, checking duplicates and contradictions."""
    first_row: dict[str, int] = {}
    oblasts: dict[str, _Unit] = {}
    districts: dict[str, _Unit] = {}
    for row in rows:
        if row.soate in first_row:
            problems.add(
                ProblemCode.DUPLICATE_SOATE,
                row.row,
                "soate_code",
                value=row.soate,
                other_row=first_row[row.soate],
            )
            continue
        first_row[row.soate] = row.row
        if row.oblast is not None:
            own = row.oblast.soate == row.soate
            columns = ("name_ru", "name_ky") if own else ("oblast_ru", "oblast_ky")
            _merge_unit(oblasts, row.oblast, row.row, columns, problems)
        if row.district is not None and row.oblast is not None:
            district = _merge_unit(districts, row.district, row.row, ("district_ru", "district_ky"), problems)
            if district.oblast_soate is None:
                district.oblast_soate, district.oblast_row = row.oblast.soate, row.row
            elif district.oblast_soate != row.oblast.soate:
                problems.add(
                    ProblemCode.OBLAST_CONFLICT,
                    row.row,
                    "oblast_soate",
                    value=row.oblast.soate,
                    soate=row.district.soate,
                    other_row=district.oblast_row,
                    other_value=district.oblast_soate,
                )
    return oblasts, districts


def parse_registry_file(content: bytes, filename: str) -> list[RegistryRow]:
    """Read and check a registry file (CSV or XLSX); raise RegistryFileError listing every problem."""
    records = [(number, cells) for number, cells in _read_table(content, filename) if not _blank(cells)]
    if not records:
        raise _fail(ProblemCode.EMPTY_FILE, 1)
    header_row, header = records[0]
    problems = _Problems()
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = _column_key(title)
        if key not in COLUMNS:
            continue  # extra columns (notes, old codes) are allowed and ignored
        if key in columns:
            problems.add(ProblemCode.DUPLICATE_COLUMN, header_row, key)
        else:
            columns[key] = index
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.add(ProblemCode.MISSING_COLUMN, header_row, column)
    # A code without its name (or the reverse) cannot be checked, and a district needs its oblast.
    for level in ("district", "oblast"):
        code_column, name_column = f"{level}_soate", f"{level}_ru"
        if (code_column in columns) != (name_column in columns):
            problems.add(
                ProblemCode.MISSING_COLUMN, header_row, name_column if code_column in columns else code_column
            )
    if "district_soate" in columns and "oblast_soate" not in columns and "oblast_ru" not in columns:
        problems.add(ProblemCode.MISSING_COLUMN, header_row, "oblast_soate")
    # Without the right columns every row would repeat the same complaint: report the header alone.
    problems.raise_if_any()
    if len(records) == 1:
        raise _fail(ProblemCode.NO_ROWS, header_row)

    parser = _RowParser(columns, problems)
    rows = [row for row in (parser.parse(number, cells) for number, cells in records[1:]) if row is not None]
    _collect_units(rows, problems)
    problems.raise_if_any()
    return rows


# --- what changes ----------------------------------------------------------------------------------


class Unit(enum.StrEnum):
    OBLAST = "oblast"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"
    ASSOCIATION = "association"
    MEMBERSHIP = "membership"


class ChangeAction(enum.StrEnum):
    ADDED = "+"
    UPDATED = "~"
    REMOVED = "-"


@dataclass(frozen=True)
class FieldChange:
    """One column's value before and after, named as in the file (population, name_ky, ...)."""

    column: str
    old: str | int | None
    new: str | int | None


@dataclass(frozen=True)
class Change:
    """One example line of the summary."""

    action: ChangeAction
    unit: Unit
    name: str
    soate: str | None = None
    fields: tuple[FieldChange, ...] = ()
    association: str | None = None  # memberships only


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # memberships only: units missing from the file are kept, never deleted

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed

    @property
    def total(self) -> int:
        return self.changed + self.unchanged

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


@dataclass
class RegistryChanges:
    """What an import changed, or in a dry run would change."""

    dry_run: bool
    oblasts: Counts = field(default_factory=Counts)
    districts: Counts = field(default_factory=Counts)
    municipalities: Counts = field(default_factory=Counts)
    associations: Counts = field(default_factory=Counts)
    memberships: Counts = field(default_factory=Counts)
    not_in_file: int = 0  # municipalities in the database that the file does not mention (kept)
    examples: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(counts.changed for counts in self._all().values())

    def _all(self) -> dict[str, Counts]:
        return {
            "oblasts": self.oblasts,
            "districts": self.districts,
            "municipalities": self.municipalities,
            "associations": self.associations,
            "memberships": self.memberships,
        }

    def as_dict(self) -> dict[str, Any]:
        """The counts, for the audit log."""
        counts: dict[str, Any] = {name: counts.as_dict() for name, counts in self._all().items()}
        counts["not_in_file"] = self.not_in_file
        return counts

    def _note(self, change: Change) -> None:
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(change)


def _diff(*pairs: tuple[str, Any, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(column, old, new) for column, old, new in pairs if old != new)


def _plain(value: Any) -> str | int | None:
    """A value as the summary shows it (enum members by their file spelling)."""
    if value is None or isinstance(value, int):
        return value
    return str(value.value if isinstance(value, enum.Enum) else value)


@dataclass
class _Plan:
    """The writes an import needs, with oblasts and districts still named by code (ids come later)."""

    oblast_inserts: list[dict[str, Any]] = field(default_factory=list)
    oblast_updates: list[dict[str, Any]] = field(default_factory=list)
    district_inserts: list[dict[str, Any]] = field(default_factory=list)
    district_updates: list[dict[str, Any]] = field(default_factory=list)
    municipality_inserts: list[dict[str, Any]] = field(default_factory=list)
    municipality_updates: list[dict[str, Any]] = field(default_factory=list)
    association_inserts: list[str] = field(default_factory=list)
    membership_inserts: list[tuple[str, str]] = field(default_factory=list)  # (association key, soate)
    membership_deletes: list[tuple[int, int]] = field(default_factory=list)  # (association, municipality)


def _association_key(name: str) -> str:
    return name.casefold()


_MUNICIPALITY_FIELDS = (
    "id",
    "name_ru",
    "name_ky",
    "kind",
    "population",
    "oblast_soate",
    "district_soate",
    "search_name",
)


def _placed(row: RegistryRow, stored: bool) -> RegistryRow:
    """A row without an oblast is its own oblast-level unit, unless the file leaves placement alone."""
    if row.oblast is None and (row.has_placement or not stored):
        return replace(row, oblast=UnitRef(row.soate, row.name_ru, row.name_ky), has_placement=True)
    return row


async def _plan_units(
    session: AsyncSession, rows: Sequence[RegistryRow], changes: RegistryChanges, plan: _Plan
) -> list[RegistryRow]:
    """Compare oblasts, districts and municipalities with the database (one query per table)."""
    stored_oblasts = {
        row.soate: row
        for row in await session.execute(select(Oblast.id, Oblast.soate, Oblast.name_ru, Oblast.name_ky))
    }
    stored_districts = {
        row.soate: row
        for row in await session.execute(
            select(District.id, District.soate, District.name_ru, District.name_ky, District.oblast_id)
        )
    }
    stored_municipalities = {
        row.soate: row
        for row in await session.execute(
            select(
                Municipality.id,
                Municipality.soate,
                Municipality.name_ru,
                Municipality.name_ky,
                Municipality.kind,
                Municipality.oblast_id,
                Municipality.district_id,
                Municipality.population,
                Municipality.search_name,
            )
        )
    }
    oblast_codes = {row.id: row.soate for row in stored_oblasts.values()}
    district_codes = {row.id: row.soate for row in stored_districts.values()}

    rows = [_placed(row, row.soate in stored_municipalities) for row in rows]
    problems = _Problems()
    oblasts, districts = _collect_units(rows, problems)
    problems.raise_if_any()  # rows built by hand rather than by parse_registry_file may still contradict

    for unit in oblasts.values():
        stored = stored_oblasts.get(unit.soate)
        if stored is None:
            plan.oblast_inserts.append(
                {"soate": unit.soate, "name_ru": unit.name_ru, "name_ky": unit.name_ky}
            )
            changes.oblasts.added += 1
            changes._note(Change(ChangeAction.ADDED, Unit.OBLAST, unit.name_ru, unit.soate))
            continue
        name_ky = stored.name_ky if unit.name_ky is None else unit.name_ky
        fields = _diff(("name_ru", stored.name_ru, unit.name_ru), ("name_ky", stored.name_ky, name_ky))
        if not fields:
            changes.oblasts.unchanged += 1
            continue
        plan.oblast_updates.append({"id": stored.id, "name_ru": unit.name_ru, "name_ky": name_ky})
        changes.oblasts.updated += 1
        changes._note(Change(ChangeAction.UPDATED, Unit.OBLAST, unit.name_ru, unit.soate, fields))

    for unit in districts.values():
        stored = stored_districts.get(unit.soate)
        values = {"name_ru": unit.name_ru, "name_ky": unit.name_ky, "oblast_soate": unit.oblast_soate}
        if stored is None:
            plan.district_inserts.append({"soate": unit.soate, **values})
            changes.districts.added += 1
            changes._note(Change(ChangeAction.ADDED, Unit.DISTRICT, unit.name_ru, unit.soate))
            continue
        values["name_ky"] = stored.name_ky if unit.name_ky is None else unit.name_ky
        fields = _diff(
            ("name_ru", stored.name_ru, unit.name_ru),
            ("name_ky", stored.name_ky, values["name_ky"]),
            ("oblast_soate", oblast_codes[stored.oblast_id], unit.oblast_soate),
        )
        if not fields:
            changes.districts.unchanged += 1
            continue
        plan.district_updates.append({"id": stored.id, **values})
        changes.districts.updated += 1
        changes._note(Change(ChangeAction.UPDATED, Unit.DISTRICT, unit.name_ru, unit.soate, fields))

    in_file: set[str] = set()
    for row in rows:
        in_file.add(row.soate)
        stored = stored_municipalities.get(row.soate)
        if stored is None:
            assert row.oblast is not None  # _placed gave every new municipality an oblast
            plan.municipality_inserts.append(
                {
                    "soate": row.soate,
                    "name_ru": row.name_ru,
                    "name_ky": row.name_ky,
                    "kind": row.kind,
                    "population": row.population,
                    "oblast_soate": row.oblast.soate,
                    "district_soate": row.district.soate if row.district else None,
                    "search_name": search_key(row.name_ru, row.name_ky),
                }
            )
            changes.municipalities.added += 1
            changes._note(Change(ChangeAction.ADDED, Unit.MUNICIPALITY, row.name_ru, row.soate))
            continue
        name_ky = stored.name_ky if row.name_ky is None else row.name_ky
        population = stored.population if row.population is None else row.population
        stored_oblast = oblast_codes[stored.oblast_id]
        stored_district = district_codes.get(stored.district_id)
        if row.has_placement and row.oblast is not None:
            oblast_soate = row.oblast.soate
            district_soate = row.district.soate if row.district else None
        else:
            oblast_soate, district_soate = stored_oblast, stored_district
        search_name = search_key(row.name_ru, name_ky)
        new = (row.name_ru, name_ky, row.kind, population, oblast_soate, district_soate, search_name)
        # search_name is derived: a stale one (e.g. from an older search_key) is fixed quietly.
        if new == (
            stored.name_ru,
            stored.name_ky,
            stored.kind,
            stored.population,
            stored_oblast,
            stored_district,
            stored.search_name,
        ):
            changes.municipalities.unchanged += 1
            continue
        plan.municipality_updates.append(dict(zip(_MUNICIPALITY_FIELDS, (stored.id, *new), strict=True)))
        fields = _diff(
            ("name_ru", stored.name_ru, row.name_ru),
            ("name_ky", stored.name_ky, name_ky),
            ("kind", _plain(stored.kind), _plain(row.kind)),
            ("population", stored.population, population),
            ("oblast_soate", stored_oblast, oblast_soate),
            ("district_soate", stored_district, district_soate),
        )
        changes.municipalities.updated += 1
        changes._note(Change(ChangeAction.UPDATED, Unit.MUNICIPALITY, row.name_ru, row.soate, fields))
    changes.not_in_file = len(stored_municipalities.keys() - in_file)
    return rows


async def _plan_memberships(
    session: AsyncSession, rows: Sequence[RegistryRow], changes: RegistryChanges, plan: _Plan
) -> None:
    """Associations by name, and each listed municipality's memberships set exactly as the file says."""
    listed = [row for row in rows if row.associations is not None]
    if not listed:
        return  # no associations column: memberships are left as they are
    # The unique index is case-sensitive, so two stored names may differ only in case.
    association_ids: dict[str, list[int]] = {}
    association_names: dict[str, str] = {}
    for id_, name in await session.execute(
        select(Association.id, Association.name_ru).order_by(Association.id)
    ):
        key = _association_key(name)
        association_ids.setdefault(key, []).append(id_)
        association_names.setdefault(key, name)
    key_of = {id_: key for key, ids in association_ids.items() for id_ in ids}
    municipality_ids = dict((await session.execute(select(Municipality.soate, Municipality.id))).all())
    soate_of = {id_: soate for soate, id_ in municipality_ids.items()}
    current: dict[str, dict[str, list[int]]] = {}  # soate → association key → association ids
    for association_id, municipality_id in await session.execute(
        select(AssociationMembership.association_id, AssociationMembership.municipality_id)
    ):
        soate = soate_of[municipality_id]
        current.setdefault(soate, {}).setdefault(key_of[association_id], []).append(association_id)

    counted: set[str] = set()
    for row in listed:
        wanted = {_association_key(name): name for name in row.associations or ()}
        for key, name in wanted.items():
            if key in counted:
                continue
            counted.add(key)
            if key in association_names:
                changes.associations.unchanged += 1
            else:
                association_names[key] = name
                plan.association_inserts.append(name)
                changes.associations.added += 1
                changes._note(Change(ChangeAction.ADDED, Unit.ASSOCIATION, name))
        have = current.get(row.soate, {})
        for key in wanted:
            if key in have:
                changes.memberships.unchanged += 1
                continue
            plan.membership_inserts.append((key, row.soate))
            changes.memberships.added += 1
            changes._note(
                Change(
                    ChangeAction.ADDED,
                    Unit.MEMBERSHIP,
                    row.name_ru,
                    row.soate,
                    association=association_names[key],
                )
            )
        for key, ids in have.items():
            if key in wanted:
                continue
            plan.membership_deletes.extend((id_, municipality_ids[row.soate]) for id_ in ids)
            changes.memberships.removed += 1
            changes._note(
                Change(
                    ChangeAction.REMOVED,
                    Unit.MEMBERSHIP,
                    row.name_ru,
                    row.soate,
                    association=association_names[key],
                )
            )


async def _soate_ids(
    session: AsyncSession, model: type[Oblast] | type[District] | type[Municipality]
) -> dict[str, int]:
    result = await session.execute(select(model.soate, model.id))
    return dict(result.all())


def _resolved(
    values: Iterable[dict[str, Any]], oblast_ids: dict[str, int], district_ids: dict[str, int]
) -> list[dict[str, Any]]:
    """Rows with oblast_soate / district_soate replaced by the ids they now have."""
    resolved = []
    for item in values:
        item = dict(item)
        item["oblast_id"] = oblast_ids[item.pop("oblast_soate")]
        if "district_soate" in item:
            district_soate = item.pop("district_soate")
            item["district_id"] = district_ids[district_soate] if district_soate is not None else None
        resolved.append(item)
    return resolved


async def _apply(session: AsyncSession, plan: _Plan) -> None:
    """Write the plan with bulk statements: oblasts first, so that districts and municipalities find them."""
    if plan.oblast_inserts:
        await session.execute(insert(Oblast), plan.oblast_inserts)
    if plan.oblast_updates:
        await session.execute(update(Oblast), plan.oblast_updates)
    oblast_ids = await _soate_ids(session, Oblast)
    if plan.district_inserts:
        await session.execute(insert(District), _resolved(plan.district_inserts, oblast_ids, {}))
    if plan.district_updates:
        await session.execute(update(District), _resolved(plan.district_updates, oblast_ids, {}))
    if plan.municipality_inserts or plan.municipality_updates:
        district_ids = await _soate_ids(session, District)
        if plan.municipality_inserts:
            await session.execute(
                insert(Municipality), _resolved(plan.municipality_inserts, oblast_ids, district_ids)
            )
        if plan.municipality_updates:
            await session.execute(
                update(Municipality), _resolved(plan.municipality_updates, oblast_ids, district_ids)
            )
    if plan.association_inserts:
        await session.execute(insert(Association), [{"name_ru": name} for name in plan.association_inserts])
    if plan.membership_inserts:
        association_ids: dict[str, int] = {}
        for id_, name in await session.execute(
            select(Association.id, Association.name_ru).order_by(Association.id)
        ):
            association_ids.setdefault(_association_key(name), id_)
        municipality_ids = await _soate_ids(session, Municipality)
        await session.execute(
            insert(AssociationMembership),
            [
                {"association_id": association_ids[key], "municipality_id": municipality_ids[soate]}
                for key, soate in plan.membership_inserts
            ],
        )
    if plan.membership_deletes:
        connection = await session.connection()
        await connection.execute(
            delete(AssociationMembership).where(
                AssociationMembership.association_id == bindparam("association"),
                AssociationMembership.municipality_id == bindparam("municipality"),
            ),
            [
                {"association": association_id, "municipality": municipality_id}
                for association_id, municipality_id in plan.membership_deletes
            ],
        )


async def import_registry(
    session: AsyncSession,
    rows: list[RegistryRow],
    *,
    dry_run: bool,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> RegistryChanges:
    """Upsert the rows by СОАТЕ code in one transaction; a dry run writes nothing, only reports.

    Unchanged rows are not written at all, so a second import of the same file changes nothing.
    Municipalities missing from the file are kept (``not_in_file`` counts them). When applied, one
    ``registry.import`` audit entry records the counts and ``source`` (e.g. the file name).
    """
    changes = RegistryChanges(dry_run=dry_run)
    plan = _Plan()
    try:
        rows = await _plan_units(session, rows, changes, plan)
        await _plan_memberships(session, rows, changes, plan)
        if dry_run:
            # Nothing was written, so there is nothing to roll back; the caller's objects stay loaded.
            return changes
        await _apply(session, plan)
        audit.record(
            session,
            "registry.import",
            actor_id=actor_id,
            now=now,
            object_type="registry",
            counts=changes.as_dict(),
            rows=len(rows),
            source=source,
        )
        await session.commit()
    except Exception:
        if not dry_run:
            await session.rollback()  # all or nothing: a half-applied registry is worse than none
        raise
    return changes


# --- in words ---------------------------------------------------------------------------------------


def describe_problem(problem: RegistryProblem) -> str:
    """One sentence in the current locale, naming the row, the column and the bad value."""
    limit = ASSOCIATION_NAME_LENGTH if problem.column == "associations" else NAME_LENGTH
    values = {
        "row": problem.row if problem.row is not None else 1,
        "column": problem.column or "",
        "value": problem.value or "",
        "soate": problem.soate or "",
        "other_row": problem.other_row if problem.other_row is not None else "",
        "other_value": problem.other_value or "",
        "limit": limit,
    }
    match problem.code:
        case ProblemCode.EMPTY_FILE:
            text = _("The file is empty. Row 1 must name the columns: soate_code, name_ru, kind.")
        case ProblemCode.NOT_UTF8:
            text = _(
                "Row {row}: the file is not in UTF-8. "
                "Save it as “CSV UTF-8” or as an Excel workbook (.xlsx) and send it again."
            )
        case ProblemCode.NOT_A_TABLE:
            text = _(
                "The file cannot be read as a CSV or XLSX table. "
                "Send the registry as a .csv file (UTF-8) or an Excel workbook (.xlsx)."
            )
        case ProblemCode.NO_ROWS:
            text = _("Row {row} names the columns, but there are no municipalities below it.")
        case ProblemCode.MISSING_COLUMN:
            text = _("Row {row}: the column {column} is missing from the header.")
        case ProblemCode.DUPLICATE_COLUMN:
            text = _("Row {row}: the column {column} appears twice in the header.")
        case ProblemCode.EMPTY_VALUE:
            text = _("Row {row}, column {column}: the value is empty, but it is required.")
        case ProblemCode.BAD_SOATE:
            text = _(
                "Row {row}, column {column}: «{value}» is not a СОАТЕ code, which has exactly 14 digits."
            )
        case ProblemCode.UNKNOWN_KIND:
            text = _("Row {row}, column {column}: unknown kind «{value}»; use ayil_aimak, city or town.")
        case ProblemCode.BAD_POPULATION:
            text = _(
                "Row {row}, column {column}: «{value}» is not a population; "
                "it must be a whole number, 0 or more."
            )
        case ProblemCode.TOO_LONG:
            text = _("Row {row}, column {column}: the value is too long, at most {limit} characters.")
        case ProblemCode.DUPLICATE_SOATE:
            text = _("Row {row}, column {column}: the code {value} is already used in row {other_row}.")
        case ProblemCode.NAME_CONFLICT:
            text = _(
                "Row {row}, column {column}: the code {soate} is named «{value}» here, "
                "but «{other_value}» in row {other_row}."
            )
        case ProblemCode.OBLAST_CONFLICT:
            text = _(
                "Row {row}, column {column}: the district {soate} is in the oblast {value} here, "
                "but in {other_value} in row {other_row}."
            )
        case ProblemCode.MISSING_PAIR:
            text = _(
                "Row {row}, column {column}: the value is empty, but {other_value} is given; "
                "give both the code and the name."
            )
        case ProblemCode.DISTRICT_WITHOUT_OBLAST:
            text = _("Row {row}, column {column}: a district is given, so its oblast is needed too.")
        case ProblemCode.MORE_PROBLEMS:
            text = _("…and more problems: {value}.")
    return text.format(**values)


def _shown(value: str | int | None) -> str:
    if value is None or value == "":
        return "—"
    return format_number(value) if isinstance(value, int) else value


def _describe_change(change: Change) -> str:
    place = f"{change.name} ({change.soate})" if change.soate else change.name
    if change.unit is Unit.MEMBERSHIP:
        if change.action is ChangeAction.REMOVED:
            return _("- {municipality} leaves {association}").format(
                municipality=place, association=change.association
            )
        return _("+ {municipality} joins {association}").format(
            municipality=place, association=change.association
        )
    line = f"{change.action.value} {place}"
    if change.fields:
        line += ": " + "; ".join(
            f"{item.column} {_shown(item.old)} → {_shown(item.new)}" for item in change.fields
        )
    return line


def describe_changes(changes: RegistryChanges) -> str:
    """A summary in the current locale: counts per kind of unit, then example lines of what changed."""
    units = _("{label}: added {added}, updated {updated}, unchanged {unchanged}")
    lines = []
    for label, counts in (
        (_("Oblasts and cities of republican rank"), changes.oblasts),
        (_("Districts"), changes.districts),
        (_("Municipalities"), changes.municipalities),
        (_("Associations"), changes.associations),
    ):
        if counts.total:
            lines.append(
                units.format(
                    label=label,
                    added=format_number(counts.added),
                    updated=format_number(counts.updated),
                    unchanged=format_number(counts.unchanged),
                )
            )
    if changes.memberships.total:
        lines.append(
            _("Association memberships: added {added}, removed {removed}, unchanged {unchanged}").format(
                added=format_number(changes.memberships.added),
                removed=format_number(changes.memberships.removed),
                unchanged=format_number(changes.memberships.unchanged),
            )
        )
    if changes.not_in_file:
        lines.append(
            _("Municipalities in the registry but not in the file (kept as they are): {count}").format(
                count=format_number(changes.not_in_file)
            )
        )
    if not changes.changed:
        lines.append(_("Nothing to change: the registry already matches the file."))
        return "\n".join(lines)
    lines.append("")
    lines.extend(_describe_change(change) for change in changes.examples)
    if changes.changed > len(changes.examples):
        lines.append(
            _("…and more changes: {count}").format(
                count=format_number(changes.changed - len(changes.examples))
            )
        )
    return "\n".join(lines)
