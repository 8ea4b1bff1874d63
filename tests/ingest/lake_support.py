"""Helpers for the ingest tests: write inputs, read a lake's full contents, run the CLI."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import duckdb
import ibis

from shopstar.analytics.source import lake_tables
from shopstar.analytics.summary import summary
from shopstar.contract import ENTITIES
from shopstar.lake import Lake

ORDER_COLUMNS = list(ENTITIES["orders"].column_names)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Write a UTF-8 CSV with a header row."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def contents(lake: Lake) -> dict[str, list[tuple[Any, ...]]]:
    """Every entity's rows, sorted: two lakes are equal when this is."""
    con = duckdb.connect()
    out: dict[str, list[tuple[Any, ...]]] = {}
    for name, entity in ENTITIES.items():
        files = [str(p) for p in lake.files(name)]
        if not files:
            out[name] = []
            continue
        cols = ", ".join(entity.column_names)
        out[name] = con.execute(
            f"SELECT {cols} FROM read_parquet(?) ORDER BY ALL", [files]
        ).fetchall()
    return out


def summaries(
    lake: Lake, by: tuple[str | None, ...] = (None, "category", "shop", "creator")
) -> dict[str | None, list[dict[str, Any]]]:
    """The summary overall and by each grouping in ``by``."""
    tables = lake_tables(ibis.duckdb.connect(), lake)
    return {key: summary(tables, key) for key in by}  # type: ignore[arg-type]


def fingerprint(lake: Lake) -> dict[str, tuple[int, int]]:
    """Per entity (row count, sum of row hashes): cheap equality of big lakes."""
    con = duckdb.connect()
    out = {}
    for name, entity in ENTITIES.items():
        files = [str(p) for p in lake.files(name)]
        if not files:
            out[name] = (0, 0)
            continue
        cols = ", ".join(entity.column_names)
        row = con.execute(
            f"SELECT count(*), coalesce(sum(hash({cols})::HUGEINT), 0) FROM read_parquet(?)",
            [files],
        ).fetchone()
        assert row is not None
        out[name] = (int(row[0]), int(row[1]))
    return out
