"""Read an export file (CSV or XLSX) into a header and text rows with their line numbers."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopstar.errors import UnreadableInput

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
PREFERRED_SHEET = "Sheet1"


@dataclass(frozen=True)
class Sheet:
    """An export's header and its data rows as ``(line number, cells)``; lines count from 1."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_sheet(path: Path) -> Sheet:
    """Read ``path`` as XLSX (by suffix) or CSV (UTF-8, with or without a byte-order mark)."""
    if not path.is_file():
        raise UnreadableInput(f"{path}: no such file")
    xlsx = path.suffix.lower() in XLSX_SUFFIXES
    rows = list(_xlsx_rows(path) if xlsx else _csv_rows(path))
    nonblank = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    if not nonblank:
        raise UnreadableInput(f"{path}: the file is empty (no header row)")
    (_, header), *data = nonblank
    return Sheet([h.strip().lstrip("\ufeff") for h in header], data)


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            start = 1
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise UnreadableInput(
            f"{path}: not UTF-8 text (byte {exc.start}); save the export as CSV UTF-8 or XLSX"
        ) from exc
    except csv.Error as exc:
        raise UnreadableInput(f"{path}: not a CSV file ({exc})") from exc


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise UnreadableInput(f"{path}: not an XLSX workbook ({exc})") from exc
    try:
        names: Sequence[str] = book.sheetnames
        sheet = book[PREFERRED_SHEET if PREFERRED_SHEET in names else names[0]]
        for number, row in enumerate(sheet.iter_rows(), start=1):
            yield number, [_cell_text(c.value, getattr(c, "number_format", "")) for c in row]
    finally:
        book.close()


def _cell_text(value: Any, number_format: str | None) -> str:
    """The text the export would have shown for a typed XLSX cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float):
        number = Decimal(str(value))
        if number_format and "%" in number_format:
            return f"{format(number * 100, 'f')}%"
        if number == number.to_integral_value() and abs(number) < 10**15:
            return str(int(number))
        return format(number, "f")
    return str(value)
