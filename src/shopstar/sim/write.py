"""Write entity tables as Parquet (exact contract schema) or CSV (ISO-8601 text timestamps)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shopstar.contract.schemas import TIMESTAMP

FORMAT_SUFFIX = {"parquet": ".parquet", "csv": ".csv"}


def csv_ready(table: pa.Table) -> pa.Table:
    """``table`` with timestamps as ``2026-08-03T19:04:05Z`` text (whole seconds, UTC)."""
    columns = []
    for col in table.columns:
        if col.type == TIMESTAMP:
            seconds = pc.cast(col, pa.timestamp("s", tz="UTC"))
            col = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
        columns.append(col)
    return pa.Table.from_arrays(columns, names=table.column_names)


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path``; the format follows the suffix (``.parquet`` or ``.csv``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
        with path.open("wb") as fh:
            fh.write((",".join(table.column_names) + "\n").encode())
            pacsv.write_csv(csv_ready(table), fh, write_options=options)
    else:
        pq.write_table(table, path, compression="zstd")
