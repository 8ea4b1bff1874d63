"""Scoring speed: wall time and peak memory of `shopstar score` against a floor.

    .venv/bin/python bench/score.py [--lines 1000000,10000000] [--weeks 16] [--spark-at 1000000]
                                    [--lakes DIR] [--stages [duckdb|spark]]

For each size a marketplace is simulated (order lines scale with creators x weeks) and ingested
into a fresh SHOPSTAR_HOME; then, in the same run and on the same lake files, each measured in
its own process with /usr/bin/time:
- `shopstar score` on DuckDB (read the lake, every analytic, publish into SQLite);
- the floor: one raw DuckDB SQL query computing GMV per creator x category over the same Parquet;
- `shopstar score --engine spark` at the --spark-at size, for reference.

With ``--lakes DIR`` each size's ingested lake is kept in ``DIR/<lines>/`` and reused by later
runs (a 10M lake takes ~70 s and 5 GB RAM to simulate); its app DB is removed before each run.
``--stages [duckdb|spark]`` also runs the job step by step on that engine (default DuckDB) in its
own process and prints each step's wall and CPU seconds (CPU counts every thread of this process:
on Spark the JVM's work is not in it; on a shared machine it moves less than wall time).
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LINES_PER_CREATOR_WEEK = 6.9  # measured on the default simulator model

FLOOR = """
import sys, duckdb
from shopstar.lake import Lake
lake = Lake(sys.argv[1])
orders = [str(p) for p in lake.files("orders")]
products = [str(p) for p in lake.files("products")]
con = duckdb.connect()
rows = con.execute(
    "select o.creator_id, p.category, sum(o.quantity * o.unit_price) as gmv "
    "from read_parquet(?) o join read_parquet(?) p using (product_id) "
    "where o.status <> 'cancelled' and o.creator_id is not null group by all",
    [orders, products],
).fetchall()
print(len(rows))
"""

# the same job as `shopstar score`, step by step, each step timed (wall and CPU of all threads)
STAGES = """
import sys, time
t0, c0 = time.perf_counter(), time.process_time()
import ibis
from shopstar.analytics import run
from shopstar.analytics.engines import connect
from shopstar.analytics.metrics import creator_metrics
from shopstar.analytics.publish import publish
from shopstar.analytics.rising import RISING_INPUT, rising_table
from shopstar.analytics.skill import skill_table
from shopstar.analytics.source import lake_tables
from shopstar.analytics.trends import trend_table
from shopstar.config import get_settings
from shopstar.db import make_engine, make_sessionmaker, upgrade
from shopstar.lake import Lake
last = [t0, c0]
def lap(stage):
    now, cpu = time.perf_counter(), time.process_time()
    print(f"{stage}\t{now - last[0]:.2f}\t{cpu - last[1]:.2f}", flush=True)
    last[:] = [now, cpu]
lap("start-up (imports)")
settings = get_settings()
engine = sys.argv[1]
con = connect(engine)
tables = lake_tables(con, Lake(settings.lake_dir))
currency = next(iter(run.order_currencies(con, tables)))
day = run.latest_day(con, tables)
tables = run.in_currency(tables, currency)
lap("read lake, currency, as-of")
with run.shared_facts(con, tables, day) as facts:
    lap("shared facts")
    stars = run._sorted(con, skill_table(facts, day), ["category", "creator_id"])
    lap("skill + reach + star_score")
    skills = ibis.memtable(stars.select(list(RISING_INPUT)))
    rising = run._sorted(con, rising_table(facts, day, skills), ["category", "creator_id"])
    lap("rising")
    keys = ["window_days", "category", "creator_id"]
    metrics = run._sorted(con, creator_metrics(facts, day), keys)
    lap("metrics")
    trends = run._sorted(con, trend_table(facts, day), ["category", "product_id"])
    lap("trends")
con.disconnect()
result = run.ScoreResult(day, currency, metrics, stars, rising, trends)
upgrade(settings.db_url)
lap("migrations")
db = make_engine(settings.db_url)
publish(make_sessionmaker(db), result, engine)
lap("publish")
"""


def _timed(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of a command."""
    done = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    wall, kib = done.stderr.strip().splitlines()[-1].split()
    return float(wall), int(kib) / 1024


def _lake(root: Path, lines: int, weeks: int) -> tuple[Path, int, int]:
    """(SHOPSTAR_HOME holding an ingested lake of about ``lines`` order lines, order lines,
    creators), simulated and ingested unless ``root`` already holds it."""
    from shopstar.lake import Lake, ingest_paths
    from shopstar.sim import SimConfig, generate

    home, stamp = root / "home", root / "lines.txt"
    creators = max(10, math.ceil(lines / LINES_PER_CREATOR_WEEK / weeks))
    if stamp.exists():
        return home, int(stamp.read_text()), creators
    shutil.rmtree(root, ignore_errors=True)
    sim = generate(root / "sim", SimConfig(creators=creators, weeks=weeks, seed=1))
    ingest_paths(Lake(home / "lake"), [root / "sim"])
    shutil.rmtree(root / "sim")
    stamp.write_text(str(sim.order_lines))
    return home, sim.order_lines, creators


def _size(
    lines: int, weeks: int, spark: bool, lakes: Path | None, stages: str | None
) -> dict[str, float]:
    root = (
        lakes / f"{lines}-{weeks}w"
        if lakes
        else Path(tempfile.mkdtemp(prefix="shopstar-bench-score-"))
    )
    try:
        home, order_lines, creators = _lake(root, lines, weeks)
        for leftover in home.glob("shopstar.db*"):
            leftover.unlink()
        env = {**os.environ, "SHOPSTAR_HOME": str(home)}
        env.pop("SHOPSTAR_DATABASE_URL", None)
        shopstar = [sys.executable, "-m", "shopstar", "score"]
        result = {"lines": float(order_lines), "creators": float(creators)}
        result["floor_s"], result["floor_mb"] = _timed(
            [sys.executable, "-c", FLOOR, str(home / "lake")], env
        )
        result["score_s"], result["score_mb"] = _timed(shopstar, env)
        if stages:
            for leftover in home.glob("shopstar.db*"):
                leftover.unlink()
            done = subprocess.run(
                [sys.executable, "-c", STAGES, stages], env=env, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"stages failed:\n{done.stderr[-2000:]}")
            print(f"{stages} stages at {order_lines:,} order lines (stage, wall s, CPU s):")
            stages_out = [line for line in done.stdout.splitlines() if "\t" in line]
            print("\n".join(stages_out), flush=True)  # (not DuckDB's progress bars)
        if spark:
            result["spark_s"], result["spark_mb"] = _timed([*shopstar, "--engine", "spark"], env)
        return result
    finally:
        if lakes is None:
            shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    """Measure every size and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", default="1000000,10000000")
    parser.add_argument("--weeks", type=int, default=16)
    parser.add_argument("--spark-at", type=int, default=1_000_000)
    parser.add_argument("--lakes", type=Path, help="keep and reuse the lakes under this folder")
    parser.add_argument(
        "--stages",
        nargs="?",
        const="duckdb",
        choices=["duckdb", "spark"],
        help="also time each step of the job on this engine (default duckdb; own process)",
    )
    args = parser.parse_args()
    print("| order lines | creators | floor s (MiB) | score s (MiB) | score / floor | spark s |")
    print("|---|---|---|---|---|---|")
    for target in (int(n) for n in args.lines.split(",")):
        r = _size(target, args.weeks, target == args.spark_at, args.lakes, args.stages)
        spark = f"{r['spark_s']:.1f}" if "spark_s" in r else "-"
        print(
            f"| {r['lines']:,.0f} | {r['creators']:,.0f} | {r['floor_s']:.2f} ({r['floor_mb']:.0f})"
            f" | {r['score_s']:.2f} ({r['score_mb']:.0f}) | {r['score_s'] / r['floor_s']:.1f}x"
            f" | {spark} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
