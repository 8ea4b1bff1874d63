"""``shopstar runs``, ``runs prune`` and ``runs delete`` through the real CLI, on SQLite and
PostgreSQL: the listing, what is deleted and what never is (the served run, runs still being
published), partitions really dropped, and a property over random sequences of operations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from typer.testing import CliRunner

from appworld import BACKENDS, PostgresServer, run_shopstar
from shopstar.analytics.engines import compressed_store, connect
from shopstar.analytics.publish import publish
from shopstar.analytics.published import ScoreRun, latest_run
from shopstar.analytics.run import ScoreResult
from shopstar.analytics.runs import RESULT_MODELS
from shopstar.analytics.scratch import stale
from shopstar.cli import app, load_commands
from shopstar.db import make_engine, make_sessionmaker
from shopstar.db.types import utcnow
from shopstar.errors import ShopstarError
from shopstar.sim import SimConfig, generate

RESULT_TABLES = [m.__tablename__ for m in RESULT_MODELS.values()]
MONEY = pa.decimal128(38, 2)


def scored(seed: int, creators: int = 6) -> ScoreResult:
    """A small made-up score result, different for every ``seed``: ``creators`` creators in
    two categories (metrics for two windows), half of them rising, as many products."""
    rng = np.random.default_rng(seed)
    ids = [f"c{i}" for i in range(creators)]
    cats = ["beauty" if i % 2 else "home" for i in range(creators)]
    n = creators
    floats = lambda: rng.random(n).round(6)  # noqa: E731
    ints = lambda: rng.integers(0, 1000, n)  # noqa: E731
    cents = lambda: pa.array([Decimal(int(c)) / 100 for c in rng.integers(0, 10**6, n)], MONEY)  # noqa: E731
    metrics = pa.concat_tables(
        pa.table(
            {
                "creator_id": ids,
                "category": cats,
                "window_days": [window] * n,
                "gmv": cents(),
                "net_gmv": cents(),
                "order_lines": ints(),
                "items_sold": ints(),
                "views": ints(),
                "clicks": ints(),
                "posts": ints(),
                "ctr": floats(),
                "cvr": floats(),
                "gpm": floats(),
                "video_gmv": cents(),
                "live_gmv": cents(),
                "products_promoted": ints(),
                "prev_gmv": cents(),
                "gmv_growth": floats(),
            }
        )
        for window in (7, 28)
    )
    skill = floats()
    stars = pa.table(
        {
            "creator_id": ids,
            "category": cats,
            "views": ints(),
            "posts": ints(),
            "lines": ints(),
            "expected": floats(),
            "gmv": cents(),
            "prior_strength": floats(),
            "multiplier": np.exp(skill),
            "skill": skill,
            "skill_low": skill - 0.1,
            "skill_high": skill + 0.1,
            "reach": floats(),
            "posts_per_week": floats(),
            "value_per_view": floats(),
            "star_score": floats(),
        }
    )
    rising = pa.table(
        {
            "creator_id": ids,
            "category": cats,
            "skill": skill,
            "skill_low": skill - 0.1,
            "star_score": floats(),
            "reach": floats(),
            "followers": ints(),
            "follower_growth": floats(),
            "reach_growth": floats(),
            "rising_score": floats(),
            "reason": ["fast growth"] * n,
            "is_rising": [i % 2 == 0 for i in range(n)],
        }
    )
    trends = pa.table(
        {
            "product_id": [f"p{i}" for i in range(n)],
            "category": cats,
            **{f"units_w{w}": ints() for w in (1, 2, 3, 4)},
            "adopters": ints(),
            "adopters_prev": ints(),
            "velocity": floats(),
            "acceleration": floats(),
            "breakout": [i % 3 == 0 for i in range(n)],
            "trend_score": floats(),
        }
    )
    return ScoreResult(dt.date(2026, 11, 1), "USD", metrics, stars, rising, trends)


def publish_run(db_url: str, seed: int, creators: int = 6) -> int:
    """Publish :func:`scored` ``seed`` as a new complete run; its id."""
    engine = make_engine(db_url)
    try:
        return publish(make_sessionmaker(engine), scored(seed, creators), "duckdb")
    finally:
        engine.dispose()


def fail_run(db_url: str) -> None:
    """A publish that fails midway: its run is left ``failed``."""
    broken = scored(0)
    broken = ScoreResult(
        broken.as_of,
        "USD",
        broken.metrics.drop(["gmv"]),
        broken.stars,
        broken.rising,
        broken.trends,
    )
    engine = make_engine(db_url)
    try:
        with pytest.raises(KeyError):
            publish(make_sessionmaker(engine), broken, "duckdb")
    finally:
        engine.dispose()


def running_run(
    db_url: str,
    age: dt.timedelta,
    host: str | None = None,
    pid: int | None = None,
    start: str | None = None,
) -> int:
    """A run left ``running`` ``age`` ago (a killed publish, or one still loading), by the
    publisher ``host``, ``pid``, ``start`` (none recorded by default, as before revision 0006)."""
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            run = ScoreRun(
                as_of=dt.date(2026, 11, 1),
                engine="duckdb",
                currency="USD",
                status="running",
                created_at=utcnow() - age,
                publisher_host=host,
                publisher_pid=pid,
                publisher_start=start,
            )
            session.add(run)
            session.flush()
            return run.id
    finally:
        engine.dispose()


def db_state(db_url: str) -> dict[int, tuple[str, tuple[int, ...]]]:
    """Every run's status and row count per result table."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            runs = dict(conn.execute(text("SELECT id, status FROM score_runs")).tuples().all())
            counts = {
                name: dict(
                    conn.execute(text(f"SELECT run_id, count(*) FROM {name} GROUP BY run_id"))
                    .tuples()
                    .all()
                )
                for name in RESULT_TABLES
            }
    finally:
        engine.dispose()
    return {
        run_id: (status, tuple(counts[name].get(run_id, 0) for name in RESULT_TABLES))
        for run_id, status in runs.items()
    }


def served_rows(db_url: str) -> tuple[int | None, dict[str, list[tuple[Any, ...]]]]:
    """The served run's id and every row of it."""
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as session:
            run = latest_run(session)
            if run is None:
                return None, {}
            rows = {}
            for model in RESULT_MODELS.values():
                columns = [c for c in model.__table__.columns if c.name != "run_id"]
                query = select(*columns).where(model.run_id == run.id).order_by(*columns[:3])
                rows[model.__tablename__] = [tuple(r) for r in session.execute(query)]
            return run.id, rows
    finally:
        engine.dispose()


def partitions(db_url: str) -> set[str]:
    """PostgreSQL: the result tables' partitions (pg_inherits) and any table named like one
    (pg_class), so a detached-but-kept partition would show too."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            attached = conn.execute(
                text(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                    " WHERE c.relkind = 'r'"
                )
            ).scalars()
            named = conn.execute(
                text(
                    "SELECT relname FROM pg_class WHERE relkind IN ('r', 'p')"
                    " AND relname ~ '^(creator_category_metrics|creator_category_scores"
                    "|rising_stars|product_trends)_[0-9]+$'"
                )
            ).scalars()
            return set(attached) | set(named)
    finally:
        engine.dispose()


def cli(home: Path, db_url: str, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    """``shopstar ARGS`` on ``db_url``; it must exit with ``code``."""
    done = run_shopstar(home, *args, db_url=db_url)
    assert done.returncode == code, done.stdout + done.stderr
    return done


def listing(home: Path, db_url: str, *args: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(cli(home, db_url, *args, "--format", "json").stdout)
    return rows


# --- listing ------------------------------------------------------------------------------


def test_runs_listing_in_every_format(db_url: str, tmp_path: Path) -> None:
    assert cli(tmp_path, db_url, "runs", "--format", "json").stdout.strip() == "[]"
    first = publish_run(db_url, 1)
    fail_run(db_url)
    served = publish_run(db_url, 2, creators=8)
    publishing = running_run(db_url, dt.timedelta(seconds=5))

    runs = listing(tmp_path, db_url, "runs")
    assert [r["id"] for r in runs] == [publishing, served, served - 1, first]
    assert [(r["status"], r["served"]) for r in runs] == [
        ("running", False),
        ("complete", True),
        ("failed", False),
        ("complete", False),
    ]
    top = runs[1]
    assert (top["metric_rows"], top["score_rows"], top["rising_rows"], top["trend_rows"]) == (
        16,
        8,
        4,
        8,
    )
    assert top["total_rows"] == 36 and runs[3]["total_rows"] == 27 and runs[0]["total_rows"] == 0
    assert top["as_of"] == "2026-11-01" and top["engine"] == "duckdb" and top["currency"] == "USD"
    assert dt.datetime.fromisoformat(top["completed_at"]) >= dt.datetime.fromisoformat(
        top["started_at"]
    )
    assert runs[0]["completed_at"] is None

    as_csv = cli(tmp_path, db_url, "runs", "--format", "csv").stdout
    table = list(csv.DictReader(io.StringIO(as_csv)))
    assert [int(r["id"]) for r in table] == [r["id"] for r in runs]
    assert table[1]["served"] == "True" and table[1]["score_rows"] == "8"
    assert table[0]["completed_at"] == ""
    # no --format and not a terminal: CSV, as every listing
    assert cli(tmp_path, db_url, "runs").stdout == as_csv
    pretty = cli(tmp_path, db_url, "runs", "--format", "table").stdout
    assert "score runs" in pretty and "complete" in pretty  # every column: test_..._abandoned


def test_runs_listing_without_a_database(tmp_path: Path) -> None:
    done = run_shopstar(tmp_path / "home", "runs", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("id,as_of,engine,currency,status,served,")
    assert done.stdout.count("\n") == 1
    assert not (tmp_path / "home" / "shopstar.db").exists()


# --- prune and delete -----------------------------------------------------------------------


def test_prune_keeps_the_served_run_and_the_newest(db_url: str, tmp_path: Path) -> None:
    old = publish_run(db_url, 1)  # 1
    fail_run(db_url)  # 2
    publish_run(db_url, 3)  # 3
    killed = running_run(db_url, dt.timedelta(hours=3))  # 4: a publish killed long ago
    loading = running_run(db_url, dt.timedelta(minutes=2))  # 5: older, may still be loading
    kept = publish_run(db_url, 6)  # 6
    served = publish_run(db_url, 7)  # 7
    fail_run(db_url)  # 8: failed after the served run: kept, it says the last score failed
    publishing = running_run(db_url, dt.timedelta(hours=5))  # 9: newer than served
    before = db_state(db_url)
    stars = cli(tmp_path, db_url, "stars", "--category", "beauty", "--format", "csv").stdout
    served_before = served_rows(db_url)
    assert served_before[0] == served
    if db_url.startswith("postgresql"):
        assert {f"rising_stars_{i}" for i in (1, 3, 6, 7)} <= partitions(db_url)

    dry = cli(tmp_path, db_url, "runs", "prune", "--keep", "2", "--dry-run", "--format", "json")
    assert [(r["action"], r["id"]) for r in json.loads(dry.stdout)] == [
        ("would delete", old),
        ("would delete", 2),
        ("would delete", 3),
        ("would delete", killed),
    ]
    assert f"note: run {loading} started publishing 2 min ago" in dry.stderr
    assert db_state(db_url) == before

    done = cli(tmp_path, db_url, "runs", "prune", "--keep", "2", "--format", "csv")
    deleted = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [(r["action"], int(r["id"])) for r in deleted] == [
        ("deleted", old),
        ("deleted", 2),
        ("deleted", 3),
        ("deleted", killed),
    ]
    assert sum(int(r["total_rows"]) for r in deleted) == 54
    assert "deleted 4 run(s), 54 rows" in done.stderr
    after = db_state(db_url)
    assert after == {k: v for k, v in before.items() if k in (loading, kept, served, 8, publishing)}
    assert served_rows(db_url) == served_before
    assert cli(tmp_path, db_url, "stars", "--category", "beauty", "--format", "csv").stdout == stars
    if db_url.startswith("postgresql"):
        names = partitions(db_url)
        assert not any(n.endswith(("_1", "_3")) for n in names)
        assert {f"{t}_{i}" for t in RESULT_TABLES for i in (kept, served)} == names
        assert "VACUUM" not in done.stderr
    else:
        assert "--vacuum" in done.stderr

    again = cli(tmp_path, db_url, "runs", "prune", "--keep", "2", "--format", "csv")
    assert again.stdout.count("\n") == 1 and db_state(db_url) == after  # idempotent
    cli(tmp_path, db_url, "runs", "prune", "--keep", "1")
    assert set(db_state(db_url)) == {loading, served, 8, publishing}
    assert served_rows(db_url) == served_before
    cli(tmp_path, db_url, "runs", "prune", "--keep", "0", code=2)


def test_delete_refuses_the_served_run_and_runs_being_published(
    db_url: str, tmp_path: Path
) -> None:
    first = publish_run(db_url, 1)
    second = publish_run(db_url, 2)
    served = publish_run(db_url, 3)
    publishing = running_run(db_url, dt.timedelta(hours=2))
    before = db_state(db_url)

    for ids, reason in (
        ([first, served], f"run {served} is the one being served"),
        ([second, publishing], f"run {publishing} is being published"),
    ):
        refused = cli(tmp_path, db_url, "runs", "delete", *map(str, ids), code=1)
        assert refused.stderr.startswith(f"error: {reason}") and "nothing deleted" in refused.stderr
        assert refused.stderr.count("\n") == 1
        assert db_state(db_url) == before
    # the dry run of a refused delete is refused too
    cli(tmp_path, db_url, "runs", "delete", str(served), "--dry-run", code=1)

    dry = cli(tmp_path, db_url, "runs", "delete", str(first), "--dry-run")
    assert dry.stdout.startswith("action,") and f"would delete,{first}," in dry.stdout
    assert db_state(db_url) == before

    done = cli(tmp_path, db_url, "runs", "delete", str(first), str(second))
    assert f"deleted,{first}," in done.stdout and f"deleted,{second}," in done.stdout
    assert set(db_state(db_url)) == {served, publishing}
    again = cli(tmp_path, db_url, "runs", "delete", str(first), "42")  # idempotent
    assert f"note: run {first} does not exist" in again.stderr and "run 42" in again.stderr
    assert set(db_state(db_url)) == {served, publishing}
    if db_url.startswith("postgresql"):
        assert partitions(db_url) == {f"{t}_{served}" for t in RESULT_TABLES}


def test_sqlite_space_is_reused_or_vacuumed(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "app.db"
    shutil.copy(sqlite_template, path)
    db_url = f"sqlite:///{path}"
    for seed in range(3):
        publish_run(db_url, seed, creators=3000)
    cli(tmp_path, db_url, "runs", "prune", "--keep", "1")
    cli(tmp_path, db_url, "runs", "--format", "csv")  # a reader: checkpoints the WAL
    full = path.stat().st_size
    publish_run(db_url, 9, creators=3000)  # fills the freed pages: the file does not grow
    assert path.stat().st_size == full
    done = cli(tmp_path, db_url, "runs", "prune", "--keep", "1", "--vacuum")
    assert "vacuumed the SQLite file" in done.stderr
    assert path.stat().st_size < full / 2


@pytest.mark.postgres
def test_postgresql_prune_does_not_lock_the_run_table(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """Readers of ``score_runs`` (every page finds the served run there) are not blocked: the
    partitions are dropped without being detached first, which would take an exclusive lock on
    ``score_runs`` (dropping the triggers of the detached partition's foreign key)."""
    name = postgres_server.create(postgres_server.template)
    db_url = postgres_server.url_for(name)
    try:
        for seed in range(3):
            publish_run(db_url, seed)
        reader = make_engine(db_url)
        with reader.connect() as conn:
            conn.execute(text("SELECT count(*) FROM score_runs")).scalar()  # holds its lock
            started = time.monotonic()
            cli(tmp_path, db_url, "runs", "prune", "--keep", "1")
            assert time.monotonic() - started < 30
            conn.rollback()
        reader.dispose()
        assert set(db_state(db_url)) == {3}
    finally:
        postgres_server.drop(name)


@pytest.mark.postgres
def test_postgresql_prune_gives_up_while_a_publish_holds_the_tables(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """A publish creates its partitions ``LIKE`` the parents, holding a lock on them until it
    commits; prune waits 3 s for it (readers queue behind a waiting exclusive lock), then says
    so and deletes nothing; once the publish is done, it prunes."""
    name = postgres_server.create(postgres_server.template)
    db_url = postgres_server.url_for(name)
    try:
        for seed in range(2):
            publish_run(db_url, seed)
        before = db_state(db_url)
        publisher = make_engine(db_url)
        with publisher.connect() as conn:
            conn.execute(text("CREATE TABLE loading (LIKE creator_category_metrics)"))
            started = time.monotonic()
            busy = cli(tmp_path, db_url, "runs", "prune", "--keep", "1", code=1)
            assert 3 <= time.monotonic() - started < 30
            assert busy.stderr.startswith("error: run 1: could not lock its tables")
            assert "nothing was deleted for this run, try again" in busy.stderr
            assert db_state(db_url) == before
            conn.rollback()
        publisher.dispose()
        cli(tmp_path, db_url, "runs", "prune", "--keep", "1")
        assert set(db_state(db_url)) == {2}
    finally:
        postgres_server.drop(name)


# --- the property -------------------------------------------------------------------------

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("publish"), st.integers(0, 10**6)),
        st.tuples(st.just("fail"), st.just(0)),
        st.tuples(st.just("running"), st.sampled_from([1, 30, 180])),  # minutes ago
        st.tuples(st.just("prune"), st.integers(1, 3)),
        st.tuples(st.just("delete"), st.lists(st.integers(1, 10), min_size=1, max_size=3)),
        st.tuples(st.just("dry-prune"), st.integers(1, 3)),
    ),
    min_size=1,
    max_size=8,
)


@contextmanager
def fresh_db(request: pytest.FixtureRequest, backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp / f"app-{time.monotonic_ns()}.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.create(server.template)
    try:
        yield server.url_for(name)
    finally:
        server.drop(name)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_served_run_never_changes_unless_a_newer_one_is_published(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    load_commands(["runs"])
    runner = CliRunner()

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(OPERATIONS)
    def check(operations: list[tuple[str, Any]]) -> None:
        with fresh_db(request, backend, tmp_path) as db_url:
            env = {"SHOPSTAR_DATABASE_URL": db_url, "SHOPSTAR_HOME": str(tmp_path)}
            expected: tuple[int | None, dict[str, list[tuple[Any, ...]]]] = (None, {})
            for op, arg in operations:
                before = db_state(db_url)
                if op == "publish":
                    run_id = publish_run(db_url, arg)
                    expected = served_rows(db_url)
                    assert expected[0] == run_id
                elif op == "fail":
                    fail_run(db_url)
                elif op == "running":
                    running_run(db_url, dt.timedelta(minutes=arg))
                else:
                    if op == "delete":
                        args = ["runs", "delete", *map(str, arg)]
                    else:
                        args = ["runs", "prune", "--keep", str(arg)]
                        args += ["--dry-run"] if op == "dry-prune" else []
                    done = runner.invoke(app, args, env=env)
                    after = db_state(db_url)
                    if done.exit_code != 0:
                        assert isinstance(done.exception, ShopstarError), done.output
                        assert op == "delete" and after == before
                    if op == "dry-prune":
                        assert after == before
                    # never touched: runs still running that are newer than the served one
                    # or started within the grace period
                    for run_id, (status, _) in before.items():
                        if status == "running" and (expected[0] is None or run_id > expected[0]):
                            assert after[run_id] == before[run_id]
                    # and what remains is unchanged
                    assert all(before[k] == v for k, v in after.items())
                assert served_rows(db_url) == expected

    check()


# --- leftover temporary directories ---------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_prune_removes_only_leftovers_of_dead_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = _dead_pid()
        dirs = {
            "dead-duckdb": scratch / f"shopstar-duckdb-{dead}-{'ab' * 16}",
            "dead-facts": scratch / f"shopstar-facts-{dead}-k2j_x9a1",
            "alive": scratch / f"shopstar-duckdb-{alive.pid}-{'cd' * 16}",
            "old-name": scratch / f"shopstar-duckdb-{'ef' * 16}",  # no pid: unknown owner
            "other": scratch / "shopstar-facts-notapid",
        }
        for path in dirs.values():
            path.mkdir()
            (path / "facts.duckdb").write_bytes(b"x" * 1000)
        (scratch / f"shopstar-facts-{dead}-file").write_text("a file, not a directory")
        home = tmp_path / "home"
        db_url = f"sqlite:///{tmp_path / 'app.db'}"

        dry = cli(home, db_url, "runs", "prune", "--keep", "1", "--dry-run")
        assert f"would remove {dirs['dead-duckdb']} (1,000 bytes)" in dry.stderr
        assert f"would remove {dirs['dead-facts']}" in dry.stderr
        assert all(path.exists() for path in dirs.values())

        done = cli(home, db_url, "runs", "prune", "--keep", "1")
        assert f"removed {dirs['dead-duckdb']}" in done.stderr
        assert f"process {dead} which no longer runs" in done.stderr
        left = {name for name, path in dirs.items() if path.exists()}
        assert left == {"alive", "old-name", "other"}
        assert (scratch / f"shopstar-facts-{dead}-file").exists()
        assert not (tmp_path / "app.db").exists()  # pruning creates no database
    finally:
        alive.kill()
        alive.wait()


def test_scoring_temp_directories_are_recognised_once_their_process_is_gone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The names the engines give their directories are the ones :func:`stale` parses: a copy
    renamed for a dead pid is found, the live ones are not."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    con = connect("duckdb")
    (row,) = con.raw_sql("SELECT current_setting('temp_directory')").fetchall()
    spill = Path(row[0])
    spill.mkdir()  # DuckDB creates it when it first spills
    try:
        with compressed_store(con):
            (facts,) = tmp_path.glob("shopstar-facts-*")
            assert stale(tmp_path) == []
            dead = _dead_pid()
            for path in (spill, facts):
                assert path.name.startswith(f"shopstar-{path.name.split('-')[1]}-{os.getpid()}-")
                shutil.copytree(path, tmp_path / path.name.replace(str(os.getpid()), str(dead)))
            assert {s.pid for s in stale(tmp_path)} == {dead} and len(stale(tmp_path)) == 2
    finally:
        con.disconnect()


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SHOPSTAR_HOME with a small simulated marketplace ingested."""
    root: Path = tmp_path_factory.mktemp("runs-market")
    generate(root / "sim", SimConfig(creators=150, weeks=10, seed=5))
    home = root / "home"
    done = run_shopstar(home, "ingest", str(root / "sim"), "--format", "csv")
    assert done.returncode == 0, done.stderr
    return home


@pytest.mark.slow
def test_killed_score_leaves_temp_that_the_next_score_removes(market: Path, tmp_path: Path) -> None:
    """A ``shopstar score`` killed while its facts are in their compressed store leaves that
    directory; the next score removes it and publishes. A 4MB memory limit forces the store at
    this size (8k order lines: 2.5MB of facts), and the run then fails for lack of memory ~0.5 s
    later (the store is polled every 5 ms); the next run has the default limit."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {
        **os.environ,
        "SHOPSTAR_HOME": str(market),
        "SHOPSTAR_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "TMPDIR": str(scratch),
    }
    command = [sys.executable, "-m", "shopstar", "score"]
    small = {**env, "SHOPSTAR_DUCKDB_MEMORY_LIMIT": "4MB"}
    victim = subprocess.Popen(command, env=small, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # the store's file, not only its directory (made just before it: a kill between the two,
    # seen on a loaded machine, would leave an empty directory)
    while not list(scratch.glob(f"shopstar-facts-{victim.pid}-*/facts.duckdb")):
        assert victim.poll() is None and time.monotonic() < deadline, "no facts store seen"
        time.sleep(0.005)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    (left,) = scratch.glob(f"shopstar-facts-{victim.pid}-*")
    assert (left / "facts.duckdb").exists()

    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert f"removed {left}" in done.stderr and done.stdout.startswith("score run 1 published")
    assert not left.exists()
    assert not list(scratch.iterdir())  # the second run's own directories are gone too
