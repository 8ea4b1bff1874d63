"""Read CSV, Parquet and JSON Lines files into :class:`RawInput` (text columns, line numbers).

A file is *unreadable* (:class:`UnreadableInput`, exit 2) when it is missing, empty, not of
its format at all, has a header that is not UTF-8, or lacks a required column. Everything
else is decided per row: a CSV row with the wrong number of fields, a JSON line that is not
an object, or a row holding bytes that are not UTF-8 is rejected with its line number and
the other rows go on.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shopstar.contract import ENTITIES
from shopstar.contract.validation import quote_ident
from shopstar.errors import UnreadableInput
from shopstar.lake.jsonl import lossy, read_jsonl
from shopstar.lake.raw import RawInput, Reject

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".jsonl": "jsonl"}
FORMATS[".ndjson"] = "jsonl"
BLOCK = 1 << 24  # bytes of CSV parsed per block


def file_format(path: Path) -> str | None:
    """``csv``, ``parquet`` or ``jsonl`` from the file's extension, None when unsupported."""
    return FORMATS.get(path.suffix.lower())


def read_file(path: Path, entity: str, progress: Callable[[int], None] | None = None) -> RawInput:
    """Read ``path`` as rows of ``entity``; raise :class:`UnreadableInput` when it can't be.

    ``progress(bytes_done)`` is called as a large CSV file is read.
    """
    fmt = file_format(path)
    if fmt is None:
        raise UnreadableInput(f"{path}: unsupported file type (use .csv, .parquet or .jsonl)")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableInput(f"{path}: no such file") from None
    except OSError as exc:
        raise UnreadableInput(f"{path}: cannot be read ({exc.strerror})") from None
    if size == 0:
        raise UnreadableInput(f"{path}: file is empty (no header row)")
    if fmt == "csv":
        raw = _read_csv(path, entity, progress)
    elif fmt == "jsonl":
        raw = read_jsonl(path, entity)
    else:
        raw = _read_parquet(path, entity)
    check_columns(raw)
    return raw


def check_columns(raw: RawInput) -> None:
    """Raise :class:`UnreadableInput` when a required (non-nullable) column is missing."""
    names = set(raw.table.column_names)
    missing = [
        c.name for c in ENTITIES[raw.entity].columns if not c.nullable and c.name not in names
    ]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise UnreadableInput(f"{raw.source}: missing required column{plural} {', '.join(missing)}")


def _header(path: Path) -> list[str]:
    with open(path, "rb") as fh:
        first = fh.readline()
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableInput(f"{path}: header row is not UTF-8 text") from None
    if not text.strip():
        raise UnreadableInput(f"{path}: file is empty (no header row)")
    names = [n.strip() for n in next(csv.reader([text]))]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UnreadableInput(f"{path}: header repeats column {', '.join(dupes)}")
    return names


def _read_csv(path: Path, entity: str, progress: Callable[[int], None] | None) -> RawInput:
    names = _header(path)
    try:
        table = _stream_csv(path, names, progress)
        lines: np.ndarray[Any, Any] = np.arange(2, table.num_rows + 2, dtype=np.int64)
        return RawInput(entity, path.name, table, lines)
    except pa.ArrowInvalid:
        pass  # bad bytes, wrong field counts or blank lines: re-read carefully
    invalid: list[pacsv.InvalidRow] = []
    table = _careful_csv(path, names, invalid)
    rejects = [
        Reject(
            row.number,
            {"line": row.text},
            f"line has {row.actual_columns} fields, the header has {row.expected_columns}",
        )
        for row in invalid
        if row.text.strip()
    ]
    skipped = np.array([row.number for row in invalid], dtype=np.int64)
    total = table.num_rows + len(skipped)
    all_lines = np.arange(2, total + 2, dtype=np.int64)
    lines = np.setdiff1d(all_lines, skipped, assume_unique=True)
    table, lines, bad = _decode_utf8(table, lines)
    return RawInput(entity, path.name, table, lines, rejects + bad)


def _stream_csv(path: Path, names: list[str], progress: Callable[[int], None] | None) -> pa.Table:
    """Every field as text, block by block (multi-threaded); raises ArrowInvalid on bad rows."""
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK),
        parse_options=pacsv.ParseOptions(ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    batches = []
    size = path.stat().st_size
    for batch in reader:
        batches.append(batch)
        if progress:
            progress(min(len(batches) * BLOCK, size))
    return pa.Table.from_batches(batches, schema=reader.schema)


def _careful_csv(path: Path, names: list[str], invalid: list[pacsv.InvalidRow]) -> pa.Table:
    """Every field as bytes, one thread (so rows with the wrong field count carry their line
    number); those rows are skipped and collected in ``invalid``."""

    def on_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    try:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                use_threads=False, column_names=names, skip_rows=1, block_size=BLOCK
            ),
            parse_options=pacsv.ParseOptions(
                ignore_empty_lines=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.binary()), strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid:
        raise UnreadableInput(f"{path}: not a readable CSV file") from None


def _decode_utf8(
    table: pa.Table, lines: np.ndarray[Any, Any]
) -> tuple[pa.Table, np.ndarray[Any, Any], list[Reject]]:
    """Turn binary columns into text, rejecting the rows holding bytes that are not UTF-8."""
    con = duckdb.connect()
    con.register("t", table)
    checks = " OR ".join(
        f"({quote_ident(n)} IS NOT NULL AND try(decode({quote_ident(n)})) IS NULL)"
        for n in table.column_names
    )
    mask = con.sql(f"SELECT coalesce({checks}, FALSE) FROM t").to_arrow_table().column(0)
    con.close()
    bad_idx = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
    rejects = []
    for i in bad_idx:
        row = {n: lossy(table.column(n)[int(i)].as_py()) for n in table.column_names}
        rejects.append(Reject(int(lines[i]), row, "line is not valid UTF-8 text"))
    keep = pa.compute.invert(mask)
    good = table.filter(keep)
    text = pa.table({n: good.column(n).cast(pa.string()) for n in good.column_names})
    return text, lines[~mask.to_numpy(zero_copy_only=False)], rejects


def _read_parquet(path: Path, entity: str) -> RawInput:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise UnreadableInput(f"{path}: not a readable Parquet file ({exc})") from None
    for name in ENTITIES[entity].column_names:
        if name in table.column_names and pa.types.is_nested(table.schema.field(name).type):
            kind = table.schema.field(name).type
            raise UnreadableInput(f"{path}: column {name} holds {kind}, not values")
    return RawInput(entity, path.name, table, np.arange(1, table.num_rows + 1, dtype=np.int64))
