"""Load a score run's rows into a SQLite app DB with ADBC, in a process of its own.

    python -m shopstar.analytics.sqlite_load URI RUN_ID

Standard input carries, for each table, its name on a line and then an Arrow IPC stream of its
rows, and at the end a line :data:`COMMIT` followed by the run's ``completed_at`` as stored. The
rows are bound from Arrow in C (ADBC's SQLite driver: a prepared INSERT per row) and, with the
switch of run ``RUN_ID`` from ``running`` to ``complete``, committed in one transaction once that
last line has arrived: an input cut short, or a run no longer ``running`` (deleted as abandoned,
or marked failed), commits nothing.

A process of its own because ADBC's driver links its own copy of SQLite: two SQLite libraries
with the same file open in one process release each other's POSIX locks, and one of them may
then reset or delete the WAL the other is using (https://www.sqlite.org/howtocorrupt.html, 2.2.1).
A separate process has only this copy, so the locks between it and the caller's connections
work as between any two processes.
"""

from __future__ import annotations

import sys
from typing import Any, BinaryIO

import adbc_driver_manager as adbc
import adbc_driver_sqlite
import pyarrow as pa

COMMIT = b"commit "  # starts the line after the last stream: the caller sent every row
BUSY_MS = 5000  # how long to wait for another writer (the app's connections use the same)
CACHE_KIB = -262_144  # page cache for the load (negative: KiB): no spill mid-transaction


def _execute(
    connection: adbc.AdbcConnection, sql: str, params: pa.RecordBatch | None = None
) -> int:
    """Run ``sql`` with ``params``; the number of rows it changed."""
    with adbc.AdbcStatement(connection) as statement:
        statement.set_sql_query(sql)
        if params is not None:
            schema, array = params.__arrow_c_array__()
            statement.bind(array, schema)
        return int(statement.execute_update())


def _append(connection: adbc.AdbcConnection, table: str, rows: Any) -> None:
    with adbc.AdbcStatement(connection) as statement:
        statement.set_options(
            **{
                adbc.INGEST_OPTION_TARGET_TABLE: table,
                adbc.INGEST_OPTION_MODE: adbc.INGEST_OPTION_MODE_APPEND,
            }
        )
        statement.bind_stream(rows.__arrow_c_stream__())
        statement.execute_update()


def load(uri: str, run_id: int, source: BinaryIO) -> None:
    """Append each stream of ``source`` to the table named before it and mark the run complete,
    all in one transaction; nothing is committed unless ``source`` ends with the
    :data:`COMMIT` line.
    ADBC's low-level API: its DB-API module would import pandas, doubling the start-up."""
    with (
        adbc_driver_sqlite.connect(uri) as database,
        adbc.AdbcConnection(database) as connection,  # autocommit: BEGIN is ours
    ):
        # outside a transaction: SQLite ignores foreign_keys within one
        for pragma in ("foreign_keys=ON", f"busy_timeout={BUSY_MS}", "synchronous=NORMAL"):
            _execute(connection, f"PRAGMA {pragma}")
        _execute(connection, f"PRAGMA cache_size={CACHE_KIB}")
        _execute(connection, "BEGIN IMMEDIATE")  # the write lock now, not at the first row
        while True:
            line = source.readline()
            if not line.endswith(b"\n"):  # the input ended, maybe mid-line
                raise RuntimeError("the rows ended early: nothing committed")
            if line.startswith(COMMIT):
                break
            with pa.ipc.open_stream(source) as reader:
                _append(connection, line.decode().strip(), reader)
        completed_at = line.removeprefix(COMMIT).decode().strip()
        update = (
            "UPDATE score_runs SET status = 'complete', completed_at = ?"
            " WHERE id = ? AND status = 'running'"
        )
        params = pa.record_batch({"at": [completed_at], "id": [run_id]})
        if _execute(connection, update, params) != 1:  # deleted or failed meanwhile
            raise RuntimeError(f"run {run_id} is no longer running: nothing committed")
        _execute(connection, "COMMIT")


def main() -> None:
    """Run :func:`load` on the command line's arguments and standard input; print a failure
    as one line on standard error and exit 1 (closing the connection discards the rows)."""
    uri, run_id = sys.argv[1:]
    try:
        load(uri, int(run_id), sys.stdin.buffer)
    except Exception as exc:
        sys.stderr.write(" ".join(str(exc).split()) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
