"""Write entity tables as Parquet (exact contract schema) or CSV (ISO-8601 text timestamps)."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from shopstar.contract.schemas import TIMESTAMP

FORMAT_SUFFIX = {"parquet": ".parquet", "csv": ".csv"}
COMPRESSION = "zstd"


def csv_ready(table: pa.Table) -> pa.Table:
    """``table`` with timestamps as ``2026-08-03T19:04:05Z`` text (whole seconds, UTC)."""
    columns = []
    for col in table.columns:
        if col.type == TIMESTAMP:
            seconds = pc.cast(col, pa.timestamp("s", tz="UTC"))
            col = pc.strftime(seconds, format="%Y-%m-%dT%H:%M:%SZ")
        columns.append(col)
    return pa.Table.from_arrays(columns, names=table.column_names)


def _csv_rows(table: pa.Table, path: Path, mode: str) -> None:
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with path.open(mode) as fh:
        if mode == "wb":
            fh.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(csv_ready(table), fh, write_options=options)


def write_table(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path``; the format follows the suffix (``.parquet`` or ``.csv``)."""
    with Appender() as files:
        files.write(table, path)


class Appender:
    """Files written piece by piece: a path's first table creates it, later tables are
    appended (Parquet row groups; CSV rows under the one header). Use as a context manager:
    Parquet files are complete once it exits. One table per path writes the same bytes as
    :func:`write_table`."""

    def __init__(self) -> None:
        self._parquet: dict[Path, pq.ParquetWriter] = {}
        self.rows: dict[Path, int] = {}

    def write(self, table: pa.Table, path: Path) -> None:
        """Append ``table`` to ``path`` (created, with its parent, on the first write)."""
        first = path not in self.rows
        if first:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif table.num_rows == 0:
            return
        if path.suffix == ".csv":
            _csv_rows(table, path, "wb" if first else "ab")
        else:
            if first:
                self._parquet[path] = pq.ParquetWriter(path, table.schema, compression=COMPRESSION)
            self._parquet[path].write_table(table)
        self.rows[path] = self.rows.get(path, 0) + table.num_rows

    def __enter__(self) -> Appender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for writer in self._parquet.values():
            writer.close()
        self._parquet.clear()
