"""Runs left ``running`` by a publisher that died: each run records its publishing process
(host, pid, start), ``shopstar runs`` says whether it is alive, and ``prune``/``delete`` remove
an abandoned run at once, on SQLite and PostgreSQL, while a live publisher's run (or one on
another host, within the grace) is left alone. Publishers are real processes, killed for real."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import text
from test_analytics_runs import (
    RESULT_TABLES,
    cli,
    db_state,
    listing,
    partitions,
    publish_run,
    running_run,
    scored,
    served_rows,
)

from appworld import PostgresServer
from shopstar.analytics import liveness
from shopstar.analytics.liveness import State
from shopstar.analytics.publish import LOADER_ROWS
from shopstar.cli.runs import RUN_COLUMNS
from shopstar.db import make_engine

# argv: a saved result (Parquet), the app DB URL; publishes it, prints the run id
PUBLISH = """
import datetime as dt, sys
from pathlib import Path
import pyarrow.parquet as pq
from shopstar.analytics.publish import publish
from shopstar.analytics.run import ScoreResult
from shopstar.db import make_engine, make_sessionmaker
src, url = Path(sys.argv[1]), sys.argv[2]
tables = [pq.read_table(src / f"{n}.parquet") for n in ("metrics", "stars", "rising", "trends")]
result = ScoreResult(dt.date(2026, 11, 1), "USD", *tables)
print(publish(make_sessionmaker(make_engine(url)), result, "duckdb"))
"""
KEYS = {
    "metrics": "creator_id",
    "stars": "creator_id",
    "rising": "creator_id",
    "trends": "product_id",
}


# copies of large_result that SQLite publishes through its loader process (4,000 rows counted
# towards LOADER_ROWS per copy), with a margin
LOADER_COPIES = math.ceil(LOADER_ROWS * 1.2 / 4_000)


def large_result(path: Path, copies: int = LOADER_COPIES) -> Path:
    """:func:`scored` with 1,000 creators, ``copies`` times over (ids made unique), saved as
    Parquet: 4,500 published rows per copy, 4,000 of them counted towards
    :data:`~shopstar.analytics.publish.LOADER_ROWS`."""
    base = scored(7, creators=1000)
    path.mkdir()
    for name, key in KEYS.items():
        table = getattr(base, name)
        i = table.schema.get_field_index(key)
        parts = [
            table.set_column(i, key, pc.binary_join_element_wise(table.column(key), f"~{k}", ""))
            for k in range(copies)
        ]
        pq.write_table(pa.concat_tables(parts), path / f"{name}.parquet")
    return path


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_for(condition: Callable[[], bool], what: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert process.poll() is None, f"the publisher ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within 2 min"
        time.sleep(0.005)


def _query(db_url: str, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


@contextmanager
def publisher(db_url: str, result: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A real publish of ``result`` in a subprocess, stopped (SIGSTOP) mid-load: SQLite once its
    loader process runs, PostgreSQL once its COPY has begun; yields it and its run id, and kills
    it at the end if it still runs."""
    command = [sys.executable, "-c", PUBLISH, str(result), db_url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        rows: list[tuple[object, ...]] = []

        def recorded() -> bool:
            rows[:] = _query(
                db_url,
                f"SELECT id FROM score_runs WHERE status = 'running' "
                f"AND publisher_pid = {process.pid}",
            )
            return bool(rows)

        _wait_for(recorded, "running run with its pid", process)
        if db_url.startswith("sqlite"):
            _wait_for(lambda: bool(_children(process.pid)), "loader process", process)
        else:
            copying = (
                "SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND query LIKE 'COPY%'"
            )
            _wait_for(lambda: bool(_query(db_url, copying)), "COPY", process)
        process.send_signal(signal.SIGSTOP)
        yield process, int(str(rows[0][0]))
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _runs(home: Path, db_url: str) -> dict[int, dict[str, object]]:
    return {r["id"]: r for r in listing(home, db_url, "runs")}


@pytest.mark.slow
def test_killed_publisher_s_run_is_pruned_at_once_a_live_one_s_never(
    db_url: str, tmp_path: Path
) -> None:
    result = large_result(tmp_path / "result")
    served = publish_run(db_url, 1)
    before = served_rows(db_url)
    with publisher(db_url, result) as (process, run_id):
        assert run_id > served
        runs = _runs(tmp_path, db_url)
        assert runs[run_id]["status"] == "running"
        assert runs[run_id]["publisher"] == f"{process.pid}@{socket.gethostname()}"
        assert runs[run_id]["publisher_state"] == "alive"  # stopped is alive
        assert runs[served]["publisher_state"] is None  # complete: no publisher to judge
        state = db_state(db_url)

        # alive: neither prune nor delete touches it
        cli(tmp_path, db_url, "runs", "prune", "--keep", "1")
        refused = cli(tmp_path, db_url, "runs", "delete", str(run_id), code=1)
        assert f"run {run_id} is being published (running, its publisher" in refused.stderr
        assert db_state(db_url) == state
        loaders = _children(process.pid)

        process.send_signal(signal.SIGKILL)
        process.wait()
        for loader in loaders:  # SQLite: the loader sees its input end and commits nothing
            deadline = time.monotonic() + 30
            while Path(f"/proc/{loader}").exists() and time.monotonic() < deadline:
                time.sleep(0.01)

        started = time.monotonic()
        done = cli(tmp_path, db_url, "runs", "prune", "--keep", "1", "--format", "json")
        assert time.monotonic() - started < 30  # at once, not after the hour's grace
    deleted = json.loads(done.stdout)
    assert [(r["action"], r["id"], r["publisher_state"]) for r in deleted] == [
        ("deleted", run_id, "dead")
    ]
    assert f"note: run {run_id} was abandoned: its publisher, process {process.pid}" in done.stderr
    assert set(db_state(db_url)) == {served}
    assert served_rows(db_url) == before
    if db_url.startswith("postgresql"):
        assert partitions(db_url) == {f"{t}_{served}" for t in RESULT_TABLES}
    newer = publish_run(db_url, 2)
    assert served_rows(db_url)[0] == newer


@pytest.mark.slow
@pytest.mark.postgres
def test_a_run_failed_meanwhile_is_never_completed_by_its_publisher(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """The publisher commits the run only if it is still ``running``: one marked failed (or
    deleted as abandoned) while it loads commits nothing and is never served. PostgreSQL's run
    row is free until the final switch; on SQLite the loader holds the write lock from its start
    (its own check: test_analytics_publish_adbc)."""
    name = postgres_server.create(postgres_server.template)
    db_url = postgres_server.url_for(name)
    try:
        result = large_result(tmp_path / "result", copies=30)
        served = publish_run(db_url, 1)
        before = served_rows(db_url)
        with publisher(db_url, result) as (process, run_id):
            engine = make_engine(db_url)
            with engine.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = 5000"))
                conn.execute(text(f"UPDATE score_runs SET status = 'failed' WHERE id = {run_id}"))
            engine.dispose()
            process.send_signal(signal.SIGCONT)
            _, err = process.communicate(timeout=120)
        assert process.returncode != 0 and f"run {run_id} is no longer running" in err
        assert db_state(db_url)[run_id] == ("failed", (0, 0, 0, 0))
        assert served_rows(db_url) == before and before[0] == served
        assert partitions(db_url) == {f"{t}_{served}" for t in RESULT_TABLES}
    finally:
        postgres_server.drop(name)


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def test_publisher_states_and_what_prune_and_delete_do_with_them(
    db_url: str, tmp_path: Path
) -> None:
    host, minutes, hours = socket.gethostname(), dt.timedelta(minutes=5), dt.timedelta(hours=3)
    alive, gone = _sleeper(), _sleeper()
    try:
        alive_start, gone_start = liveness.start_of(alive.pid), liveness.start_of(gone.pid)
        assert alive_start is not None and gone_start is not None
        boot = alive_start.split(":")[0]
        gone.kill()
        gone.wait()
        runs = {
            "dead": running_run(db_url, minutes, host, gone.pid, gone_start),
            "recycled": running_run(db_url, minutes, host, alive.pid, f"{boot}:1"),  # pid reused
            "alive": running_run(db_url, hours, host, alive.pid, alive_start),
            "elsewhere old": running_run(db_url, hours, "elsewhere", gone.pid, gone_start),
            "elsewhere new": running_run(db_url, minutes, "elsewhere", gone.pid, gone_start),
            "other boot": running_run(db_url, minutes, host, gone.pid, f"another-boot:{1}"),
        }
        served = publish_run(db_url, 1)
        newer_dead = running_run(db_url, minutes, host, gone.pid, gone_start)
        listed = _runs(tmp_path, db_url)
        states = {name: listed[i]["publisher_state"] for name, i in runs.items()}
        assert states == {
            "dead": "dead",
            "recycled": "dead",
            "alive": "alive",
            "elsewhere old": "unknown",
            "elsewhere new": "unknown",
            "other boot": "unknown",
        }
        assert listed[newer_dead]["publisher_state"] == "dead"
        assert listed[runs["alive"]]["publisher"] == f"{alive.pid}@{host}"

        refused = cli(tmp_path, db_url, "runs", "delete", str(runs["alive"]), code=1)
        assert "its publisher on this host is alive" in refused.stderr
        done = cli(tmp_path, db_url, "runs", "delete", str(runs["dead"]), str(runs["recycled"]))
        assert f"deleted,{runs['dead']}," in done.stdout
        assert f"deleted,{runs['recycled']}," in done.stdout
        assert f"note: run {runs['dead']} was abandoned" in done.stderr

        pruned = cli(tmp_path, db_url, "runs", "prune", "--keep", "1", "--format", "json")
        assert [r["id"] for r in json.loads(pruned.stdout)] == [runs["elsewhere old"], newer_dead]
        assert f"note: run {runs['elsewhere new']} started publishing 5 min ago" in pruned.stderr
        left = {runs["alive"], runs["elsewhere new"], runs["other boot"], served}
        assert set(db_state(db_url)) == left
    finally:
        alive.kill()
        alive.wait()


def test_liveness_of_processes(tmp_path: Path) -> None:
    me = liveness.current()
    assert (me.host, me.pid) == (socket.gethostname(), os.getpid())
    assert liveness.state(me.host, me.pid, me.start) == State.ALIVE
    assert me.start is not None
    boot, ticks = me.start.split(":")
    assert liveness.state(me.host, me.pid, f"{boot}:{int(ticks) + 1}") == State.DEAD
    assert liveness.state(me.host, me.pid, None) == State.ALIVE  # no start recorded: pid only
    assert liveness.state("elsewhere", me.pid, me.start) == State.UNKNOWN
    assert liveness.state(me.host, me.pid, f"another-boot:{ticks}") == State.UNKNOWN
    assert liveness.state(None, None, None) == State.UNKNOWN
    zombie = _sleeper()
    start = liveness.start_of(zombie.pid)
    zombie.kill()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{zombie.pid}/stat").read_text().split(") ")[1][0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert liveness.state(me.host, zombie.pid, start) == State.DEAD  # killed, not yet reaped
    zombie.wait()
    assert liveness.state(me.host, zombie.pid, start) == State.DEAD
    assert liveness.start_of(zombie.pid) is None


def test_runs_listing_names_every_column(tmp_path: Path, sqlite_template: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'app.db'}"
    shutil.copy(sqlite_template, tmp_path / "app.db")
    publish_run(db_url, 1)
    env = {
        **os.environ,
        "SHOPSTAR_HOME": str(tmp_path),
        "SHOPSTAR_DATABASE_URL": db_url,
        "COLUMNS": "400",
    }
    command = [sys.executable, "-m", "shopstar", "runs", "--format", "table"]
    pretty = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    assert all(column in pretty for column in RUN_COLUMNS)
