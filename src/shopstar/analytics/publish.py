"""Write a :class:`~shopstar.analytics.run.ScoreResult` into the app DB as a new score run.

The rows, as :mod:`shopstar.analytics.publish_rows` prepares them, go from Arrow straight to
ADBC's drivers, which bind them in C (no Python value per row), in chunks of
:data:`~shopstar.analytics.publish_rows.CHUNK_ROWS` (memory stays bounded whatever the result's
size): on PostgreSQL by binary COPY into a fresh table per result table that is then attached as
the run's partition; on SQLite, large results through a loader process
(:mod:`shopstar.analytics.sqlite_load` says why), small ones by multi-row INSERTs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    URL,
    BigInteger,
    Boolean,
    Engine,
    Float,
    Integer,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shopstar.analytics import liveness
from shopstar.analytics.publish_rows import (
    Rows,
    metric_rows,
    rising_rows,
    run_chunks,
    score_rows,
    trend_rows,
)
from shopstar.analytics.published import (
    CreatorCategoryMetric,
    CreatorCategoryScore,
    ProductTrend,
    RisingStar,
    ScoreRun,
    partition_name,
)
from shopstar.analytics.run import ScoreResult
from shopstar.analytics.sqlite_load import CACHE_KIB, COMMIT
from shopstar.db.types import ExactDecimal, utcnow

INSERT_VARIABLES = 999  # values per SQLite INSERT (SQLite's limit before 3.32: any build)
# SQLite results from this many rows go through the ADBC loader process, whose start and pipe
# only pay off on large results: the two paths cross between 300k and 500k rows, measured
# (docs/performance.md, "Session 6": medians 300k 2.55 s with INSERTs vs 2.76 s with the loader,
# 400k 2.84 vs 3.00 s, 500k 3.47 vs 3.17 s; at load ~12, 347k 6.09 vs 6.00 s), and at a tie the
# INSERTs cost less CPU
LOADER_ROWS = 400_000


def _attach(cursor: Any, table: Any, rows: Rows, run_id: int) -> None:
    """PostgreSQL: binary COPY ``rows`` into a fresh table of their own, then attach it as the
    run's partition of ``table``: PostgreSQL builds its primary key in one sorted pass and checks
    the foreign key to ``score_runs`` with one query, instead of both row by row."""
    part = partition_name(table.name, run_id)
    cursor.execute(f'CREATE TABLE "{part}" (LIKE "{table.name}")')
    # the partition's bound as a constraint: ATTACH then needs no scan to prove it
    cursor.execute(f'ALTER TABLE "{part}" ADD CHECK (run_id = {run_id})')
    cursor.adbc_ingest(part, _stream(rows, table, run_id, sqlite=False), mode="append")
    cursor.execute(f'ALTER TABLE "{table.name}" ATTACH PARTITION "{part}" FOR VALUES IN ({run_id})')
    # statistics before the run is served: until autovacuum gets to a fresh partition, the
    # planner guesses its size and picks slow plans for the first pages read from it
    cursor.execute(f'ANALYZE "{part}"')


def _copy(engine: Engine, run_id: int, loads: Iterator[tuple[type[Any], Rows]]) -> None:
    """PostgreSQL: load ``loads`` into new partitions of run ``run_id`` and mark it complete,
    in one transaction of an ADBC connection of its own (rows bound from Arrow in C, binary
    COPY); whatever fails, closing the connection uncommitted leaves nothing, no partition."""
    import adbc_driver_postgresql.dbapi  # here: it imports pandas, which readers need not

    uri = adbc_uri(engine.url)
    with (
        closing(adbc_driver_postgresql.dbapi.connect(uri)) as connection,
        closing(connection.cursor()) as cursor,
    ):
        for model, rows in loads:
            if rows.num_rows > 0:
                _attach(cursor, model.__table__, rows, run_id)
        cursor.execute(
            "UPDATE score_runs SET status = 'complete', completed_at = $1"
            " WHERE id = $2 AND status = 'running' RETURNING id",
            (utcnow(), run_id),
        )
        if cursor.fetchone() is None:
            raise RunGone(run_id)
        connection.commit()


def _insert(session: Session, table: Any, rows: Rows, run_id: int) -> None:
    """SQLite: INSERT ``rows`` chunk by chunk, :data:`INSERT_VARIABLES` values per statement
    (many rows per statement cost a quarter less than one row each)."""
    width = rows.table.num_columns + 1
    per = max(1, INSERT_VARIABLES // width)
    columns = ", ".join(f'"{name}"' for name in ("run_id", *rows.table.column_names))
    row = f"({', '.join('?' * width)})"
    many = f'INSERT INTO "{table.name}" ({columns}) VALUES {", ".join([row] * per)}'
    one = f'INSERT INTO "{table.name}" ({columns}) VALUES {row}'
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    # a page cache large enough for the whole load keeps SQLite from spilling mid-transaction
    (cache,) = cursor.execute("PRAGMA cache_size").fetchone()
    cursor.execute(f"PRAGMA cache_size = {CACHE_KIB}")
    try:
        for chunk in run_chunks(rows, table, run_id):
            # money is text on SQLite (see shopstar.db.types.ExactDecimal)
            values = [
                (c.cast(pa.string()) if pa.types.is_decimal(c.type) else c).to_pylist()
                for c in chunk.columns
            ]
            full = len(values[0]) // per * per
            flat: list[Any] = [None] * (full * width)  # row after row, value after value
            for i, column in enumerate(values):
                flat[i::width] = column[:full]
            step = per * width
            cursor.executemany(many, (flat[k : k + step] for k in range(0, len(flat), step)))
            cursor.executemany(one, zip(*(column[full:] for column in values), strict=True))
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(cache)}")
        cursor.close()


class RunGone(RuntimeError):
    """The run is no longer ``running`` when its rows are to be committed: ``shopstar runs``
    deleted it as abandoned (its publisher looked dead), or it was marked failed. Nothing of it
    is committed, so it never becomes the served run."""

    def __init__(self, run_id: int) -> None:
        super().__init__(f"run {run_id} is no longer running: nothing committed")


class LoaderError(RuntimeError):
    """The SQLite loader process failed; its message says why (nothing was committed)."""


def adbc_uri(url: str | URL) -> str:
    """The ADBC URI of the app DB at SQLAlchemy ``url``: the SQLite file as a ``file:`` URI, or
    libpq's ``postgresql://`` URI (SQLAlchemy's driver name dropped, the rest kept)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError(f"{parsed!r}: publishing needs a database file, not memory")
        return Path(parsed.database).resolve().as_uri()
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _driver_type(column: Any, sqlite: bool) -> pa.DataType:
    """The Arrow type ADBC binds to ``column``: money as text on SQLite (as
    :class:`~shopstar.db.types.ExactDecimal` stores it), on PostgreSQL the column's own width
    (binary COPY takes no int8 for an int4 column)."""
    kind = column.type
    if isinstance(kind, ExactDecimal):
        return pa.string() if sqlite else pa.decimal128(38, kind.scale)
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, Integer):
        return pa.int64() if sqlite or isinstance(kind, BigInteger) else pa.int32()
    if isinstance(kind, Float):
        return pa.float64()
    return pa.string()


def _stream(rows: Rows, table: Any, run_id: int, *, sqlite: bool) -> pa.RecordBatchReader:
    """``rows`` as an Arrow stream in the driver's types, pulled chunk by chunk
    (:func:`~shopstar.analytics.publish_rows.run_chunks`): one chunk is converted at a time."""
    names = ["run_id", *rows.table.column_names]
    schema = pa.schema([(name, _driver_type(table.c[name], sqlite)) for name in names])
    chunks = (c.cast(schema) for c in run_chunks(rows, table, run_id))
    return pa.RecordBatchReader.from_batches(schema, (b for c in chunks for b in c.to_batches()))


def _ingest(engine: Engine, run_id: int, loads: Iterator[tuple[type[Any], Rows]]) -> None:
    """SQLite: stream ``loads`` as Arrow to a loader process (see
    :mod:`shopstar.analytics.sqlite_load` for why a process), which binds the rows from Arrow in
    C and commits them with the switch of the run to ``complete``, or nothing. The loader
    starts first: it gets ready while the rows are ranked and sorted."""
    command = [sys.executable, "-m", "shopstar.analytics.sqlite_load", adbc_uri(engine.url)]
    pipe = subprocess.PIPE  # unbuffered: after a broken pipe, closing has nothing to flush
    with subprocess.Popen([*command, str(run_id)], stdin=pipe, stderr=pipe, bufsize=0) as loader:
        assert loader.stdin is not None and loader.stderr is not None
        try:
            for model, rows in loads:
                stream = _stream(rows, model.__table__, run_id, sqlite=True)
                loader.stdin.write(f"{model.__tablename__}\n".encode())
                with pa.ipc.new_stream(loader.stdin, stream.schema) as writer:
                    for batch in stream:
                        writer.write_batch(batch)
            # completed_at as SQLAlchemy writes it (its text format on SQLite): the ORM reads it
            to_db = ScoreRun.__table__.c.completed_at.type.bind_processor(engine.dialect)
            completed = to_db(utcnow()) if to_db else utcnow()
            loader.stdin.write(COMMIT + f"{completed}\n".encode())
            loader.stdin.close()
        except BrokenPipeError:
            pass  # the loader stopped early: why is on its standard error
        except BaseException:
            loader.kill()  # it never got COMMIT: it commits nothing
            raise
        error = loader.stderr.read().decode(errors="replace").strip()
    if loader.returncode != 0:
        raise LoaderError(f"publishing run {run_id} into SQLite failed: {error}")


def _loads(result: ScoreResult) -> Iterator[tuple[type[Any], Rows]]:
    """Each result table's model and rows, prepared as they are asked for."""
    yield CreatorCategoryMetric, metric_rows(result.metrics)
    yield CreatorCategoryScore, score_rows(result.stars)
    yield RisingStar, rising_rows(result.rising)
    yield ProductTrend, trend_rows(result.trends)


def publish(factory: sessionmaker[Session], result: ScoreResult, engine: str) -> int:
    """Publish ``result`` as a new score run and make it the current one; return its id.

    The run is recorded ``running`` first, with this process as its publisher (host, pid and
    start: :func:`shopstar.analytics.liveness.current`), so that ``shopstar runs`` can tell a run
    left behind by a killed publish; its rows and the switch from ``running`` to ``complete``
    then commit in one transaction, or the run is marked ``failed`` and has no rows. A run no
    longer ``running`` by then commits nothing (:class:`RunGone`). SQLite results of
    :data:`LOADER_ROWS` rows or more go through the ADBC loader process, smaller ones through
    multi-row INSERTs in this process."""
    with factory.begin() as session:
        me = liveness.current()
        run = ScoreRun(
            as_of=result.as_of,
            engine=engine,
            currency=result.currency,
            publisher_host=me.host,
            publisher_pid=me.pid,
            publisher_start=me.start,
        )
        session.add(run)
        session.flush()
        run_id = run.id
        bind = session.connection().engine
    try:
        if bind.dialect.name == "postgresql":
            _copy(bind, run_id, _loads(result))
        elif sum(t.num_rows for t in (result.metrics, result.stars, result.trends)) >= LOADER_ROWS:
            _ingest(bind, run_id, _loads(result))
        else:
            with factory.begin() as session:
                for model, rows in _loads(result):
                    if rows.num_rows > 0:
                        _insert(session, model.__table__, rows, run_id)
                done = session.execute(
                    update(ScoreRun)
                    .where(ScoreRun.id == run_id, ScoreRun.status == "running")
                    .values(status="complete", completed_at=utcnow())
                )
                if done.rowcount != 1:  # type: ignore[attr-defined]
                    raise RunGone(run_id)
    except BaseException:
        with factory.begin() as session:
            session.execute(
                update(ScoreRun)
                .where(ScoreRun.id == run_id, ScoreRun.status == "running")
                .values(status="failed")
            )
        raise
    return run_id
