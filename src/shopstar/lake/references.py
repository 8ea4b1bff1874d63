"""Referential gaps (an order for an unknown product): accepted, and reported as warnings."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from shopstar.contract.validation import quote_ident

if TYPE_CHECKING:
    from shopstar.lake.merge import Merged

# (entity, column) -> (referenced entity, its key column)
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("products", "shop_id"): ("shops", "shop_id"),
    ("creators", "agency_id"): ("agencies", "agency_id"),
    ("creator_daily", "creator_id"): ("creators", "creator_id"),
    ("content", "creator_id"): ("creators", "creator_id"),
    ("content_products", "content_id"): ("content", "content_id"),
    ("content_products", "product_id"): ("products", "product_id"),
    ("content_daily", "content_id"): ("content", "content_id"),
    ("orders", "product_id"): ("products", "product_id"),
    ("orders", "creator_id"): ("creators", "creator_id"),
    ("orders", "content_id"): ("content", "content_id"),
    ("refunds", "order_line_id"): ("orders", "order_line_id"),
}


def reference_warnings(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    parts: Mapping[str, list[str]],
    merged: Mapping[str, Merged],
) -> list[str]:
    """One warning per reference of this batch's accepted rows that points at nothing."""
    warnings = []
    for (entity, column), (target, target_key) in REFERENCES.items():
        result = merged.get(entity)
        if result is None or result.accepted_part is None:
            continue
        col = quote_ident(column)
        target_files = [str(root / p) for p in parts.get(target, [])]
        known = (
            f"SELECT {quote_ident(target_key)} AS k FROM read_parquet($target)"
            if target_files
            else "SELECT CAST(NULL AS VARCHAR) AS k WHERE FALSE"
        )
        params: dict[str, object] = {"source": str(root / result.accepted_part)}
        if target_files:
            params["target"] = target_files
        (row,) = con.execute(
            f"""SELECT count(*), min({col}) FROM read_parquet($source)
            WHERE {col} IS NOT NULL AND {col} NOT IN ({known})""",
            params,
        ).fetchall()
        if row[0]:
            rows, example = row
            warnings.append(
                f"{entity}: {rows} row{'s' if rows > 1 else ''} with a {column} not in {target}"
                f" (e.g. {example!r}); accepted"
            )
    return warnings
