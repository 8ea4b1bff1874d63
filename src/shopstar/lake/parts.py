"""Part files: numbered Parquet files of one entity for one batch, in the canonical schema."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from shopstar.contract import ENTITIES
from shopstar.contract.validation import sql_string
from shopstar.lake.store import fsync_path

ROW_GROUP = 1 << 20  # rows per Parquet row group


def sql_list(paths: list[str]) -> str:
    """A DuckDB list literal of file paths."""
    return "[" + ", ".join(sql_string(p) for p in paths) + "]"


class PartWriter:
    """Writes numbered part files of one entity for one batch, flushed to disk."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, root: Path, entity: str, batch_id: str
    ) -> None:
        self.con = con
        self.root = root
        self.entity = entity
        self.batch_id = batch_id
        self.count = 0

    def write(self, query: str) -> str | None:
        """Write the rows of ``query`` to a new part; its relative path, or None when empty.

        Rows stream from DuckDB as Arrow batches into a Parquet file of the canonical schema
        (faster than DuckDB's own COPY here, and the file carries the exact Arrow types).
        """
        relative, path = self._next()
        schema = ENTITIES[self.entity].schema
        rows = 0
        reader = self.con.sql(query).to_arrow_reader(ROW_GROUP)
        with pq.ParquetWriter(path, schema, compression="zstd") as writer:
            for batch in reader:
                if batch.num_rows:
                    writer.write_batch(batch.cast(schema))
                    rows += batch.num_rows
        if not rows:
            path.unlink(missing_ok=True)
            return None
        fsync_path(path)
        fsync_path(path.parent)  # the new directory entry too
        return relative

    def write_table(self, table: pa.Table) -> str | None:
        """Write an Arrow table of the entity's columns to a new part (None when empty)."""
        if not table.num_rows:
            return None
        relative, path = self._next()
        pq.write_table(
            table.cast(ENTITIES[self.entity].schema),
            path,
            compression="zstd",
            row_group_size=ROW_GROUP,
        )
        fsync_path(path)
        fsync_path(path.parent)  # the new directory entry too
        return relative

    def _next(self) -> tuple[str, Path]:
        relative = f"{self.entity}/{self.batch_id}-{self.count}.parquet"
        self.count += 1
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        return relative, path
