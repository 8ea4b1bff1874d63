"""The lake as Ibis tables, on any Ibis backend (DuckDB by default, PySpark at scale)."""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from shopstar.contract import ENTITIES
from shopstar.lake import Lake


def lake_tables(con: Any, lake: Lake) -> dict[str, ir.Table]:
    """One Ibis table per entity over the lake's current, de-duplicated state.

    An entity with no data is an empty in-memory table of its canonical schema, so every
    pipeline can run on a partial lake. ``con`` is any Ibis backend connection.
    """
    tables: dict[str, ir.Table] = {}
    for name, entity in ENTITIES.items():
        schema = ibis.Schema.from_pyarrow(entity.schema)
        files = [str(path) for path in lake.files(name)]
        if not files:
            tables[name] = ibis.memtable(entity.schema.empty_table())
            continue
        table = _read_parquet(con, files, f"lake_{name}")
        tables[name] = table.select(
            **{col: table[col].cast(dtype) for col, dtype in schema.items()}
        )
    return tables


def _read_parquet(con: Any, files: list[str], table_name: str) -> ir.Table:
    if con.name == "pyspark":  # its read_parquet takes one path; Spark itself takes many
        con._session.read.parquet(*files).createOrReplaceTempView(table_name)
        return con.table(table_name)
    return con.read_parquet(files, table_name=table_name)
