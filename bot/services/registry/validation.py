"""Checking a registry file row by row: its municipalities, and the oblasts and districts they name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.services.registry.problems import ProblemCode, ProblemList, file_error
from bot.services.registry.reading import read_table
from bot.services.registry.values import (
    ASSOCIATION_NAME_LENGTH,
    COLUMNS,
    NAME_LENGTH,
    REQUIRED_COLUMNS,
    association_names,
    cell_text,
    column_key,
    is_blank,
    parse_kind,
    parse_population,
    parse_soate,
)
from models import MunicipalityKind


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



class _RowParser:
    """Turns records into RegistryRows, collecting problems; one instance per file."""

    def __init__(self, columns: dict[str, int], problems: ProblemList) -> None:
        self.columns = columns
        self.problems = problems
        self.has_placement = "oblast_soate" in columns
        # Thousands of rows repeat the same district and oblast: check each distinct one once.
        self._units: dict[tuple[str, str, str, str], UnitRef] = {}

    def parse(self, row: int, cells: list[Any]) -> RegistryRow | None:
        raw = {column: cells[index] if index < len(cells) else None for column, index in self.columns.items()}
        text = {column: cell_text(value) for column, value in raw.items()}
        problems, before = self.problems, self.problems.total

        soate = parse_soate(raw["soate_code"])
        if not text["soate_code"]:
            problems.add(ProblemCode.EMPTY_VALUE, row, "soate_code")
        elif soate is None:
            problems.add(ProblemCode.BAD_SOATE, row, "soate_code", value=text["soate_code"])
        name_ru = self._name(text, row, "name_ru", required=True)
        name_ky = self._name(text, row, "name_ky", required=False)

        kind = parse_kind(text["kind"])
        if not text["kind"]:
            problems.add(ProblemCode.EMPTY_VALUE, row, "kind")
        elif kind is None:
            problems.add(ProblemCode.UNKNOWN_KIND, row, "kind", value=text["kind"])

        population: int | None = None
        if text.get("population"):
            population = parse_population(raw["population"])
            if population is None:
                problems.add(ProblemCode.BAD_POPULATION, row, "population", value=text["population"])

        district = self._unit(raw, text, row, "district")
        oblast = self._unit(raw, text, row, "oblast")
        if district is not None and not (text.get("oblast_soate") or text.get("oblast_ru")):
            problems.add(ProblemCode.DISTRICT_WITHOUT_OBLAST, row, "oblast_soate")

        associations: tuple[str, ...] | None = None
        if "associations" in raw:
            associations = association_names(text["associations"])
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
        soate = parse_soate(raw[code_column])
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
    problems: ProblemList,
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


def collect_units(
    rows: Sequence[RegistryRow], problems: ProblemList
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
    records = [(number, cells) for number, cells in read_table(content, filename) if not is_blank(cells)]
    if not records:
        raise file_error(ProblemCode.EMPTY_FILE, 1)
    header_row, header = records[0]
    problems = ProblemList()
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = column_key(title)
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
        raise file_error(ProblemCode.NO_ROWS, header_row)

    parser = _RowParser(columns, problems)
    rows = [row for row in (parser.parse(number, cells) for number, cells in records[1:]) if row is not None]
    collect_units(rows, problems)
    problems.raise_if_any()
    return rows

