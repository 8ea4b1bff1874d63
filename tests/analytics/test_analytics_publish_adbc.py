"""ADBC in publishing: the URI derived from the app DB URL reaches the same database, and the
SQLite loader process commits a run's rows only when it has received all of them."""

from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from pathlib import Path

import adbc_driver_postgresql.dbapi
import adbc_driver_sqlite.dbapi
import pyarrow as pa
import pytest
from sqlalchemy import text

from shopstar.analytics.publish import adbc_uri
from shopstar.analytics.sqlite_load import COMMIT
from shopstar.db import make_engine, upgrade


def test_adbc_uri_of_a_sqlite_file_is_an_absolute_file_uri(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert adbc_uri("sqlite:///app.db") == (tmp_path / "app.db").as_uri()
    assert adbc_uri("sqlite:////srv/my data/a#b.db") == "file:///srv/my%20data/a%23b.db"
    for memory in ("sqlite://", "sqlite:///:memory:"):
        with pytest.raises(ValueError, match="not memory"):
            adbc_uri(memory)


def test_adbc_uri_of_postgresql_is_libpq_s_with_everything_but_the_driver() -> None:
    url = "postgresql+psycopg://shop:p%40ss%2Fw@db.internal:6543/shopstar?sslmode=require"
    expected = "postgresql://shop:p%40ss%2Fw@db.internal:6543/shopstar?sslmode=require"
    assert adbc_uri(url) == expected
    assert adbc_uri("postgresql://postgres@127.0.0.1/app") == "postgresql://postgres@127.0.0.1/app"


def test_adbc_uri_reaches_the_app_database(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO score_runs (id, as_of, engine, status, created_at)"
                " VALUES (41, '2026-11-01', 'duckdb', 'running', '2026-11-01')"
            )
        )
    engine.dispose()
    module = adbc_driver_sqlite if db_url.startswith("sqlite") else adbc_driver_postgresql
    with (
        closing(module.dbapi.connect(adbc_uri(db_url))) as connection,
        closing(connection.cursor()) as cursor,
    ):
        cursor.execute("SELECT id, status FROM score_runs")
        assert cursor.fetchall() == [(41, "running")]


def _loader(path: Path, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "shopstar.analytics.sqlite_load", path.as_uri(), "1"]
    return subprocess.run(command, input=stdin, capture_output=True, check=False)


def _stream(table: str, rows: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, rows.schema) as writer:
        writer.write_table(rows)
    return f"{table}\n".encode() + sink.getvalue().to_pybytes()


def test_the_sqlite_loader_commits_only_a_complete_input(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO score_runs (id, as_of, engine, status, created_at)"
                " VALUES (1, '2026-11-01', 'duckdb', 'running', '2026-11-01')"
            )
        )
    trends = pa.table(
        {
            "run_id": [1, 1],
            "category": ["beauty", "beauty"],
            "product_id": ["p1", "p2"],
            "rank": [1, 2],
            "trend_score": [6.0, 2.5],
            **{f"units_w{i}": [3, 1] for i in range(1, 5)},
            "velocity": [0.5, 0.25],
            "acceleration": [0.0, 0.1],
            "adopters": [2, 1],
            "adopters_prev": [1, 1],
            "breakout": [True, False],
        }
    )
    cut = _stream("product_trends", trends)
    commit = COMMIT + b"2026-11-25 07:00:00.000000\n"
    for stdin, error in (
        (cut, "ended early"),  # every stream, no commit line
        (cut + commit[:-1], "ended early"),  # the commit line cut short
        (cut[: len(cut) // 2], ""),  # cut mid-stream
        (cut + _stream("product_trends", trends) + commit, "UNIQUE"),  # the same keys twice
    ):
        done = _loader(path, stdin)
        assert done.returncode == 1 and error in done.stderr.decode()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM product_trends")).scalar() == 0
            assert conn.execute(text("SELECT status FROM score_runs")).scalar() == "running"
    done = _loader(path, cut + commit)
    assert done.returncode == 0, done.stderr.decode()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM product_trends")).scalar() == 2
        status, completed = conn.execute(text("SELECT status, completed_at FROM score_runs")).one()
        assert (status, completed) == ("complete", "2026-11-25 07:00:00.000000")
    engine.dispose()


def test_the_sqlite_loader_commits_nothing_for_a_run_no_longer_running(tmp_path: Path) -> None:
    """A run marked failed, or deleted as abandoned, before the loader got its rows: a complete
    input commits nothing, so the run never becomes the served one."""
    path = tmp_path / "app.db"
    upgrade(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    trends = pa.table(
        {
            "run_id": [1],
            "category": ["beauty"],
            "product_id": ["p1"],
            "rank": [1],
            "trend_score": [6.0],
            **{f"units_w{i}": [3] for i in range(1, 5)},
            "velocity": [0.5],
            "acceleration": [0.0],
            "adopters": [2],
            "adopters_prev": [1],
            "breakout": [True],
        }
    )
    stdin = _stream("product_trends", trends) + COMMIT + b"2026-11-25 07:00:00.000000\n"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO score_runs (id, as_of, engine, status, created_at)"
                " VALUES (1, '2026-11-01', 'duckdb', 'failed', '2026-11-01')"
            )
        )
    done = _loader(path, stdin)
    assert done.returncode == 1 and "run 1 is no longer running" in done.stderr.decode()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM product_trends")).scalar() == 0
        assert conn.execute(text("SELECT status FROM score_runs")).scalar() == "failed"
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM score_runs"))
    done = _loader(path, stdin)  # deleted: its rows have no run to belong to
    assert done.returncode == 1 and "FOREIGN KEY" in done.stderr.decode()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM product_trends")).scalar() == 0
    engine.dispose()
