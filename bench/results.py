"""Whether a change to the scoring keeps its results: score a lake and keep the result tables,
then compare two such sets table by table.

    .venv/bin/python bench/results.py write LAKE_DIR OUT_DIR [--engine duckdb|spark]
    .venv/bin/python bench/results.py compare OUT_DIR OTHER_DIR

``write`` scores the lake (``run.score``: every analytic, nothing published) with the settings of
the environment (e.g. ``SHOPSTAR_DUCKDB_MEMORY_LIMIT=800MB`` for a run sized as a large one),
prints its wall and CPU seconds, and writes the four result tables (metrics, stars, rising,
trends) as Parquet. ``compare`` reads two such directories and says, per table, whether they are
equal with ``pyarrow.Table.equals`` (schemas, every row, floats bit for bit); exit code 1 if any
differs. To compare two versions of the code, run ``write`` with each version's ``src`` first on
``PYTHONPATH`` (e.g. from a ``git worktree``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq

from shopstar.analytics.engines import connect
from shopstar.analytics.run import score
from shopstar.analytics.source import lake_tables
from shopstar.config import get_settings
from shopstar.lake import Lake

TABLES = ("metrics", "stars", "rising", "trends")


def write(lake: Path, out: Path, engine: str) -> None:
    settings = get_settings()
    started, cpu = time.perf_counter(), time.process_time()
    con = connect(
        "spark" if engine == "spark" else "duckdb",
        settings.spark_master,
        settings.duckdb_memory_limit,
        settings.duckdb_spill_limit,
    )
    try:
        result = score(con, lake_tables(con, Lake(lake)))
    finally:
        con.disconnect()
    print(
        f"scored {lake} on {engine} (duckdb_memory_limit {settings.duckdb_memory_limit}): "
        f"{time.perf_counter() - started:.2f} s, {time.process_time() - cpu:.2f} CPU s "
        f"(this process), as of {result.as_of}"
    )
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        pq.write_table(getattr(result, name), out / f"{name}.parquet")


def compare(one: Path, other: Path) -> bool:
    same = True
    for name in TABLES:
        a, b = pq.read_table(one / f"{name}.parquet"), pq.read_table(other / f"{name}.parquet")
        equal = a.equals(b)
        same = same and equal
        print(f"{name}: {a.num_rows:,} / {b.num_rows:,} rows, {'equal' if equal else 'DIFFERENT'}")
    return same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    writing = sub.add_parser("write")
    writing.add_argument("lake", type=Path)
    writing.add_argument("out", type=Path)
    writing.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    comparing = sub.add_parser("compare")
    comparing.add_argument("one", type=Path)
    comparing.add_argument("other", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        write(args.lake, args.out, args.engine)
    elif not compare(args.one, args.other):
        sys.exit(1)


if __name__ == "__main__":
    main()
