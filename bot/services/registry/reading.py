"""Reading a registry file's bytes into numbered rows of cells (CSV in UTF-8, or the first XLSX sheet)."""

from __future__ import annotations

import csv
import io
from pathlib import PurePath
from typing import Any

import openpyxl

from bot.services.registry.problems import ProblemCode, RegistryFileError, file_error

# Bots may download files of at most 20 MB; a registry of tens of thousands of rows is far smaller.
# The command-line import keeps the same limit, so a file refused in the bot is refused there too.
MAX_FILE_BYTES = 20 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx is a zip archive
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls
CSV_SUFFIXES = frozenset({"", ".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})


def _read_csv(content: bytes) -> list[tuple[int, list[Any]]]:
    """Records numbered from 1 (blank lines count, as a spreadsheet shows them)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise file_error(ProblemCode.NOT_UTF8, content[: error.start].count(b"\n") + 1) from error
    if "\x00" in text:  # a binary file that happens to decode, e.g. a PDF
        raise file_error(ProblemCode.NOT_A_TABLE)
    first_line = text.lstrip("\r\n").partition("\n")[0]
    # The delimiter that splits the header most: Excel writes ";" in locales with a decimal comma.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[Any]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            records.append((number, list(record)))
    except csv.Error as error:
        raise file_error(ProblemCode.NOT_A_TABLE, len(records) + 1) from error
    return records


def _read_xlsx(content: bytes) -> list[tuple[int, list[Any]]]:
    """Rows of the first sheet, numbered as Excel numbers them."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (zip, XML, KeyError) on a damaged file
        raise file_error(ProblemCode.NOT_A_TABLE) from error
    try:
        if not workbook.worksheets:
            raise file_error(ProblemCode.NOT_A_TABLE)
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
        raise file_error(ProblemCode.NOT_A_TABLE) from error
    finally:
        workbook.close()


def read_table(content: bytes, filename: str) -> list[tuple[int, list[Any]]]:
    suffix = PurePath(filename).suffix.lower()
    if not content.strip():
        raise file_error(ProblemCode.EMPTY_FILE, 1)
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)  # the content decides: an .xlsx renamed to .csv still works
    if suffix in XLSX_SUFFIXES or suffix == ".xls" or content.startswith(OLE_MAGIC):
        raise file_error(ProblemCode.NOT_A_TABLE)
    if suffix not in CSV_SUFFIXES:
        raise file_error(ProblemCode.NOT_A_TABLE)
    return _read_csv(content)

