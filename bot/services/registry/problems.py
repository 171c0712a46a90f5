"""What can be wrong with a registry file: each problem located by row and column, with a message key."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from bot.errors import N_
from bot.services.registry.values import ASSOCIATION_NAME_LENGTH, NAME_LENGTH

MAX_PROBLEMS = 20  # a file with a shifted column would otherwise produce thousands of lines
MAX_VALUE_SHOWN = 60


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


MESSAGES: dict[ProblemCode, str] = {
    ProblemCode.EMPTY_FILE: N_("The file is empty. Row 1 must name the columns: soate_code, name_ru, kind."),
    ProblemCode.NOT_UTF8: N_(
        "Row {row}: the file is not in UTF-8. "
        "Save it as “CSV UTF-8” or as an Excel workbook (.xlsx) and send it again."
    ),
    ProblemCode.NOT_A_TABLE: N_(
        "The file cannot be read as a CSV or XLSX table. "
        "Send the registry as a .csv file (UTF-8) or an Excel workbook (.xlsx)."
    ),
    ProblemCode.NO_ROWS: N_("Row {row} names the columns, but there are no municipalities below it."),
    ProblemCode.MISSING_COLUMN: N_("Row {row}: the column {column} is missing from the header."),
    ProblemCode.DUPLICATE_COLUMN: N_("Row {row}: the column {column} appears twice in the header."),
    ProblemCode.EMPTY_VALUE: N_("Row {row}, column {column}: the value is empty, but it is required."),
    ProblemCode.BAD_SOATE: N_(
        "Row {row}, column {column}: «{value}» is not a СОАТЕ code, which has exactly 14 digits."
    ),
    ProblemCode.UNKNOWN_KIND: N_(
        "Row {row}, column {column}: unknown kind «{value}»; use ayil_aimak, city or town."
    ),
    ProblemCode.BAD_POPULATION: N_(
        "Row {row}, column {column}: «{value}» is not a population; it must be a whole number, 0 or more."
    ),
    ProblemCode.TOO_LONG: N_(
        "Row {row}, column {column}: the value is too long, at most {limit} characters."
    ),
    ProblemCode.DUPLICATE_SOATE: N_(
        "Row {row}, column {column}: the code {value} is already used in row {other_row}."
    ),
    ProblemCode.NAME_CONFLICT: N_(
        "Row {row}, column {column}: the code {soate} is named «{value}» here, "
        "but «{other_value}» in row {other_row}."
    ),
    ProblemCode.OBLAST_CONFLICT: N_(
        "Row {row}, column {column}: the district {soate} is in the oblast {value} here, "
        "but in {other_value} in row {other_row}."
    ),
    ProblemCode.MISSING_PAIR: N_(
        "Row {row}, column {column}: the value is empty, but {other_value} is given; "
        "give both the code and the name."
    ),
    ProblemCode.DISTRICT_WITHOUT_OBLAST: N_(
        "Row {row}, column {column}: a district is given, so its oblast is needed too."
    ),
    ProblemCode.MORE_PROBLEMS: N_("…and more problems: {value}."),
}


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

    @property
    def key(self) -> str:
        """The message for this kind of problem, an English msgid that the channel translates."""
        return MESSAGES[self.code]

    @property
    def params(self) -> dict[str, Any]:
        """The values for the message's placeholders."""
        return {
            "row": self.row if self.row is not None else 1,
            "column": self.column or "",
            "value": self.value or "",
            "soate": self.soate or "",
            "other_row": self.other_row if self.other_row is not None else "",
            "other_value": self.other_value or "",
            "limit": ASSOCIATION_NAME_LENGTH if self.column == "associations" else NAME_LENGTH,
        }


class RegistryFileError(Exception):
    """The file cannot be imported; ``problems`` lists what is wrong, at most about MAX_PROBLEMS."""

    def __init__(self, problems: list[RegistryProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the registry file: {problems[:3]}")
        self.problems = problems


class ProblemList:
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


def file_error(code: ProblemCode, row: int | None = None, column: str | None = None) -> RegistryFileError:
    """The error for a file with one problem that stops reading it at all."""
    return RegistryFileError([RegistryProblem(code, row, column)])


def _shorten(value: str) -> str:
    return value if len(value) <= MAX_VALUE_SHOWN else value[: MAX_VALUE_SHOWN - 1] + "…"

