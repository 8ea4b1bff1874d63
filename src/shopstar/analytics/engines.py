"""Connections to the engines the Ibis pipelines run on: DuckDB (default) and PySpark."""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import duckdb
import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from shopstar.analytics.scratch import scratch_prefix
from shopstar.config import DUCKDB_MEMORY_LIMIT, DUCKDB_SPILL_LIMIT
from shopstar.errors import ShopstarError

EngineName = Literal["duckdb", "spark"]


def spark_session(master: str) -> object:
    """A Spark session on ``master``: UI off, UTC session time, few partitions, DuckDB-like
    (non-ANSI) arithmetic."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is an optional dependency
        raise ShopstarError("engine spark: install the `spark` extra (pyspark)") from exc
    return (
        SparkSession.builder.master(master)
        .appName("shopstar-score")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.ansi.enabled", "false")  # x / 0 is null, as on DuckDB
        .config("spark.driver.memory", "4g")
        # results reach the driver (toPandas) and in-memory tables reach Spark as Arrow batches,
        # not converted row by row in Python
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )


def connect(
    engine: EngineName,
    spark_master: str = "local[2]",
    duckdb_memory_limit: str = DUCKDB_MEMORY_LIMIT,
    duckdb_spill_limit: str = DUCKDB_SPILL_LIMIT,
) -> BaseBackend:
    """An Ibis backend for ``engine``. DuckDB keeps to ``duckdb_memory_limit`` (e.g. ``8GB``)
    and spills what does not fit, up to ``duckdb_spill_limit`` (then the query fails rather
    than filling the disk), to a directory of its own under the system's temp directory
    (created when needed, removed when the connection closes)."""
    if engine == "duckdb":
        con = ibis.duckdb.connect()
        # DuckDB draws its own progress bar on stdout for long queries; the CLI reports progress
        con.raw_sql("SET enable_progress_bar = false")
        spill = Path(tempfile.gettempdir()) / f"{scratch_prefix('duckdb')}{uuid.uuid4().hex}"
        con.raw_sql(f"SET temp_directory = '{spill}'")
        limits = {
            "memory_limit": ("duckdb_memory_limit", duckdb_memory_limit),
            "max_temp_directory_size": ("duckdb_spill_limit", duckdb_spill_limit),
        }
        for option, (setting, value) in limits.items():
            try:
                con.raw_sql(f"SET {option} = '{value}'")
            except duckdb.Error as exc:
                raise ShopstarError(f"{setting}: {value!r}: {exc}") from exc
        return con
    if engine == "spark":
        return ibis.pyspark.connect(spark_session(spark_master))
    raise ShopstarError(f"engine: {engine!r} is not one of duckdb, spark")


_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def duckdb_memory_limit_bytes(con: BaseBackend) -> float:
    """The memory limit of a DuckDB connection in bytes (DuckDB shows it as e.g. ``7.4 GiB``)."""
    (row,) = con.raw_sql("SELECT current_setting('memory_limit')").fetchall()
    match = re.fullmatch(r"([0-9.]+) ?([A-Za-z]+)", str(row[0]).strip())
    if match is None or match.group(2) not in _UNITS:
        raise ShopstarError(f"duckdb memory_limit: cannot read {row[0]!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


@contextmanager
def compressed_store(con: BaseBackend) -> Iterator[str]:
    """A DuckDB database file of its own, in a fresh directory under the system's temp
    directory, attached to ``con`` for the duration: the name of the catalog to
    :func:`materialise` into. Its tables are stored compressed (~6x smaller than temporary
    tables) and read back from the file, so they take no memory or spill space beyond DuckDB's
    cache. Detached and removed on exit."""
    directory = Path(tempfile.mkdtemp(prefix=scratch_prefix("facts")))
    catalog = f"shopstar_facts_{uuid.uuid4().hex}"
    try:
        con.raw_sql(f"ATTACH '{directory / 'facts.duckdb'}' AS {catalog}")
        try:
            yield catalog
        finally:
            con.raw_sql(f"DETACH {catalog}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def materialise(
    con: BaseBackend, parts: list[ir.Table], catalog: str | None = None
) -> tuple[ir.Table, Callable[[], object]]:
    """The rows of ``parts`` (expressions of one schema) computed once on ``con`` into one
    table (on DuckDB a temporary table, or a table of the ``catalog`` of
    :func:`compressed_store`, filled one part after the other; on Spark a locally checkpointed
    DataFrame of their union), and the function that frees it."""
    expr, *more = parts
    if con.name == "duckdb":
        # by hand: Ibis's own DROP of a cached table comes out without its name on this DuckDB
        name = f"shopstar_{uuid.uuid4().hex}"
        if catalog is None:
            table = con.create_table(name, expr, temp=True)
            path = f'"{name}"'
        else:
            table = con.create_table(name, expr, database=f"{catalog}.main")
            path = f'{catalog}.main."{name}"'
        for part in more:
            con.raw_sql(f"INSERT INTO {path} {con.compile(part.select(*expr.columns))}")
        return table, lambda: con.raw_sql(f"DROP TABLE IF EXISTS {path}")
    for part in more:
        expr = expr.union(part.select(*expr.columns))
    # a checkpoint, not a cache: a cached DataFrame keeps its whole plan, which Spark analyses
    # again inside every query reading it (plans of facts built on facts grow multiplicatively:
    # the skill query's ran the driver out of heap). Ibis's raw_sql gives the query's DataFrame.
    name = f"shopstar_{uuid.uuid4().hex}"
    frame = con.raw_sql(con.compile(expr)).localCheckpoint(eager=True)
    # the checkpointed rows, in the JVM: DataFrame.unpersist leaves a checkpoint's rows in
    # memory, and neither Ibis nor PySpark has a public handle on them
    rows = frame._jdf.queryExecution().logical().rdd()
    frame.createOrReplaceTempView(name)
    table = con.table(name)
    if table.schema() != expr.schema():  # keep the types the expressions reading it expect
        table = table.cast(expr.schema())

    def release() -> None:
        frame.sparkSession.catalog.dropTempView(name)  # (Ibis's drop_view loses the name)
        rows.unpersist(False)

    return table, release
