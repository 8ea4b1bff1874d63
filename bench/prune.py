"""Pruning score runs: time and disk given back by ``shopstar runs prune`` on a saved result.

    .venv/bin/python bench/prune.py RESULT [--runs K] [--backend sqlite,postgresql]
                                    [--postgres URL] [--db-dir DIR]

``RESULT`` is a result saved by ``bench/publish.py save``. Into a fresh app DB per backend, it
publishes that result ``K`` times (default 3), then measures with the real CLI, each in its own
process: ``shopstar runs`` (the listing counts every run's rows), ``shopstar runs prune --keep 1``
(wall time of the command, and the deletion alone as the command reports it), the database's
size before and after (SQLite: the file after a WAL checkpoint; PostgreSQL:
``pg_database_size``), on SQLite the size after one more publish (which reuses the freed pages),
then ``prune --keep 1 --vacuum``. Last, an abandoned run: a publish in a subprocess is killed
(SIGKILL) ``--kill-after`` seconds after its run appears ``running``, and ``prune --keep 1``
removes that run (its publisher on this host is dead), timed from the kill.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

PUBLISH = """
import datetime as dt, json, sys, time
from pathlib import Path
import pyarrow.parquet as pq
from shopstar.analytics.publish import publish
from shopstar.analytics.run import ScoreResult
from shopstar.db import make_engine, make_sessionmaker, upgrade
src, url, times = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
meta = json.loads((src / "meta.json").read_text())
tables = [pq.read_table(src / f"{n}.parquet") for n in ("metrics", "stars", "rising", "trends")]
result = ScoreResult(dt.date.fromisoformat(meta["as_of"]), meta["currency"], *tables)
upgrade(url)
engine = make_engine(url)
for _ in range(times):
    t0 = time.perf_counter()
    run_id = publish(make_sessionmaker(engine), result, "duckdb")
    print(f"published run {run_id} in {time.perf_counter() - t0:.2f} s", flush=True)
engine.dispose()
"""


def _size(backend: str, url: str, name: str) -> int:
    """Bytes the database takes on disk (SQLite: the file once its WAL is checkpointed)."""
    if backend == "sqlite":
        with sqlite3.connect(name) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(Path(name + s).stat().st_size for s in ("", "-wal") if Path(name + s).exists())
    out = subprocess.run(
        ["psql", url, "-Atc", "SELECT pg_database_size(current_database())"],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(out.stdout.strip())


def _shopstar(url: str, home: str, *args: str) -> tuple[float, str]:
    env = {**os.environ, "SHOPSTAR_DATABASE_URL": url, "SHOPSTAR_HOME": home}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "shopstar", *args], env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"shopstar {' '.join(args)} failed: {done.stderr}")
    return seconds, done.stderr


def _running(backend: str, url: str, path: str) -> list[str]:
    """Ids of the runs still ``running``."""
    sql = "SELECT id FROM score_runs WHERE status = 'running'"
    if backend == "sqlite":
        with sqlite3.connect(path) as conn:
            return [str(r[0]) for r in conn.execute(sql)]
    out = subprocess.run(["psql", url, "-Atc", sql], check=True, capture_output=True, text=True)
    return out.stdout.split()


def _abandon(args: argparse.Namespace, backend: str, url: str, path: str) -> str:
    """Start a publish, kill it ``args.kill_after`` s after its run appears; the run's id."""
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISH, args.result, url, "1"])
    while not (running := _running(backend, url, path)):
        if publisher.poll() is not None:
            raise SystemExit("the publish ended before its run was seen running")
        time.sleep(0.01)
    time.sleep(args.kill_after)
    if publisher.poll() is not None:
        raise SystemExit("the publish ended before the kill: use a smaller --kill-after")
    publisher.send_signal(signal.SIGKILL)
    publisher.wait()
    return running[0]


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def _bench(args: argparse.Namespace, backend: str) -> None:
    name = f"ss_prune_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        path = str(Path(args.db_dir) / f"{name}.db")
        url = f"sqlite:///{path}"
    else:
        subprocess.run(["psql", args.postgres, "-qc", f"CREATE DATABASE {name}"], check=True)
        url, path = f"{args.postgres.rsplit('/', 1)[0]}/{name}", name
    home = tempfile.mkdtemp(prefix="ss-prune-home-")
    try:
        subprocess.run(
            [sys.executable, "-c", PUBLISH, args.result, url, str(args.runs)], check=True
        )
        before = _size(backend, url, path)
        listed, _ = _shopstar(url, home, "runs", "--format", "csv")
        print(f"{backend}\t{args.runs} runs: {_mib(before)}; `shopstar runs` {listed:.2f} s")
        wall, err = _shopstar(url, home, "runs", "prune", "--keep", "1")
        deletion = re.search(r"deleted (\d+) run\(s\), ([\d,]+) rows, in ([\d.]+) s", err)
        assert deletion is not None, err
        after = _size(backend, url, path)
        print(
            f"{backend}\tprune --keep 1: {wall:.2f} s wall, deleted {deletion[1]} runs "
            f"({deletion[2]} rows) in {deletion[3]} s; {_mib(before)} -> {_mib(after)}"
        )
        if backend == "sqlite":
            subprocess.run([sys.executable, "-c", PUBLISH, args.result, url, "1"], check=True)
            refilled = _size(backend, url, path)
            print(f"{backend}\tone more publish into the freed pages: {_mib(refilled)}")
            wall, _ = _shopstar(url, home, "runs", "prune", "--keep", "1", "--vacuum")
            print(
                f"{backend}\tprune --keep 1 --vacuum: {wall:.2f} s wall; "
                f"{_mib(refilled)} -> {_mib(_size(backend, url, path))}"
            )
        run_id = _abandon(args, backend, url, path)
        killed = time.perf_counter()
        wall, err = _shopstar(url, home, "runs", "prune", "--keep", "1")
        assert f"run {run_id} was abandoned" in err, err
        assert run_id not in _running(backend, url, path)
        print(
            f"{backend}	publish killed {args.kill_after:g} s into its run: prune --keep 1 "
            f"removed the abandoned run {time.perf_counter() - killed:.2f} s after the kill "
            f"({wall:.2f} s wall)"
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(path + suffix).unlink(missing_ok=True)
        else:
            drop = f"DROP DATABASE {name} WITH (FORCE)"
            subprocess.run(["psql", args.postgres, "-qc", drop], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("result")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", default="sqlite,postgresql")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db-dir", default=tempfile.gettempdir())
    parser.add_argument(
        "--kill-after", type=float, default=1.0, help="seconds into the publish to kill it"
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    for backend in args.backend.split(","):
        _bench(args, backend)
    print(f"load average after: {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
