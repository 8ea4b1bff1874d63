"""Render listings as a Rich table, CSV or JSON (CONTRACT.md §3 ``--format``)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.table import Table


class Format(StrEnum):
    """Output formats of listing commands."""

    table = "table"
    csv = "csv"
    json = "json"


FormatOption = typer.Option(
    None,
    "--format",
    help="table (default on a terminal), csv (default otherwise) or json.",
    case_sensitive=False,
)


def resolve_format(fmt: Format | None) -> Format:
    """The explicit format, or table on a terminal and csv otherwise."""
    if fmt is not None:
        return fmt
    return Format.table if sys.stdout.isatty() else Format.csv


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # exact text for amounts below 2**53 cents
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def render(
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: Format | None = None,
    *,
    title: str | None = None,
) -> None:
    """Print ``rows`` (mappings holding at least ``columns``) to stdout in ``fmt``."""
    fmt = resolve_format(fmt)
    materialised = list(rows)
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        for row in materialised:
            writer.writerow([_text(row.get(c)) for c in columns])
    elif fmt is Format.json:
        payload = [{c: row.get(c) for c in columns} for row in materialised]
        sys.stdout.write(json.dumps(payload, default=_json_default, indent=None) + "\n")
    else:
        table = Table(title=title, show_lines=False)
        for col in columns:
            table.add_column(col, overflow="fold")
        for row in materialised:
            table.add_row(*[_text(row.get(c)) for c in columns])
        Console(soft_wrap=True).print(table)
