"""The registry file's columns and the values in its cells: text, СОАТЕ codes, kinds, populations."""

from __future__ import annotations

import re
from typing import Any

from models import MunicipalityKind

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

NAME_LENGTH = 200  # the name columns of oblast, district and municipality
ASSOCIATION_NAME_LENGTH = 300
MAX_POPULATION = 10**10  # far above any municipality, and safely inside BIGINT

SOATE_PATTERN = re.compile(r"[0-9]{14}")
SOATE_WITH_FRACTION = re.compile(r"([0-9]{14})\.0*")  # "41702205805000.0" from a spreadsheet export
DIGITS = re.compile(r"[0-9]+")


def cell_text(value: Any) -> str:
    """A cell as text with whitespace collapsed; numbers that lost their type come back as digits."""
    if type(value) is str:  # the common case first: this runs for every cell of every row
        return " ".join(value.split())
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def is_blank(cells: list[Any]) -> bool:
    for cell in cells:
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return False
    return True


def column_key(header: Any) -> str:
    return cell_text(header).lstrip("\ufeff").casefold().replace(" ", "_").replace("-", "_")


def parse_soate(value: Any) -> str | None:
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


def parse_population(value: Any) -> int | None:
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


def parse_kind(text: str) -> MunicipalityKind | None:
    """The kind a cell names in any of the accepted spellings (English, Russian, Kyrgyz); None if unknown."""
    return KIND_ALIASES.get(_kind_key(text))


def association_names(value: Any) -> tuple[str, ...]:
    """Names separated by ";", blanks dropped, the same name (ignoring case) kept once."""
    names: dict[str, str] = {}
    for part in cell_text(value).split(";"):
        name = part.strip()
        if name:
            names.setdefault(name.casefold(), name)
    return tuple(names.values())

