"""Messy input for ``--messy``: CSV files of bad rows (each with one known defect) and a file
re-sending rows already delivered (all duplicates).

The bad rows use their own ids, so each one is rejected on its own merits and nothing else
changes; the manifest records how many rejects and duplicates ingest should report.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa

from shopstar.sim.write import csv_ready

# entity -> (column, bad text, why ingest must reject it)
DEFECTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "orders": (
        ("unit_price", "12,5", "comma decimal"),
        ("unit_price", "-3.00", "negative money"),
        ("unit_price", "9.999", "three decimal places"),
        ("quantity", "0", "quantity must be positive"),
        ("quantity", "two", "not an integer"),
        ("status", "shipped", "unknown status"),
        ("ordered_at", "yesterday", "not a timestamp"),
        ("order_line_id", "", "empty key"),
        ("commission_rate", "1.5", "rate above 1"),
        ("product_id", "", "empty product id"),
    ),
    "refunds": (
        ("amount", "abc", "not a decimal"),
        ("amount", "-5.00", "negative money"),
        ("refunded_at", "2026-13-45T00:00:00Z", "impossible date"),
    ),
    "creator_daily": (
        ("followers", "-10", "negative count"),
        ("date", "03/08/2026", "not YYYY-MM-DD"),
    ),
    "content_daily": (("views", "1.5", "not an integer"),),
}
KEY_COLUMN = {
    "orders": "order_line_id",
    "refunds": "refund_id",
    "creator_daily": "date",
    "content_daily": "date",
}


def write_bad_rows(out: Path, entity: str, table: pa.Table) -> int:
    """Write ``<entity>-messy.csv`` of defective copies of the first rows of ``table``.

    Each copy gets a fresh key (so it can only be rejected, never a duplicate) and one defect.
    Returns the number of rows written.
    """
    defects = DEFECTS[entity]
    if len(table):
        picks = pa.array([i % len(table) for i in range(len(defects))])
        sample = csv_ready(table.take(picks)).to_pylist()
    else:  # nothing to copy: the row is all empty, still rejected
        sample = [dict.fromkeys(table.column_names) for _ in defects]
    key = KEY_COLUMN[entity]
    rows = []
    for i, (row, (column, bad, _why)) in enumerate(zip(sample, defects, strict=True)):
        text = {k: "" if v is None else str(v) for k, v in row.items()}
        if key == "date":  # keyed by (id, date): move the row to a date outside the data
            text["date"] = f"2001-01-{i + 1:02d}"
        else:
            text[key] = f"bad-{i + 1}"
        text[column] = bad
        rows.append(text)
    with (out / f"{entity}-messy.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=table.column_names, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def resent_rows(table: pa.Table, share: float = 0.05) -> pa.Table:
    """The first ``share`` of ``table``: delivered again, so every row is a duplicate."""
    return table.slice(0, max(1, int(len(table) * share)))
