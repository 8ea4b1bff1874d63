"""Scoring speed: wall time and peak memory of `shopstar score` against a floor.

    .venv/bin/python bench/score.py [--lines 1000000,10000000] [--weeks 16] [--spark-at 1000000]
                                    [--lakes DIR]

For each size a marketplace is simulated (order lines scale with creators x weeks) and ingested
into a fresh SHOPSTAR_HOME; then, in the same run and on the same lake files, each measured in
its own process with /usr/bin/time:
- `shopstar score` on DuckDB (read the lake, every analytic, publish into SQLite);
- the floor: one raw DuckDB SQL query computing GMV per creator x category over the same Parquet;
- `shopstar score --engine spark` at the --spark-at size, for reference.

With ``--lakes DIR`` each size's ingested lake is kept in ``DIR/<lines>/`` and reused by later
runs (a 10M lake takes ~70 s and 5 GB RAM to simulate); its app DB is removed before each run.
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


def _size(lines: int, weeks: int, spark: bool, lakes: Path | None) -> dict[str, float]:
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
    args = parser.parse_args()
    print("| order lines | creators | floor s (MiB) | score s (MiB) | score / floor | spark s |")
    print("|---|---|---|---|---|---|")
    for target in (int(n) for n in args.lines.split(",")):
        r = _size(target, args.weeks, target == args.spark_at, args.lakes)
        spark = f"{r['spark_s']:.1f}" if "spark_s" in r else "-"
        print(
            f"| {r['lines']:,.0f} | {r['creators']:,.0f} | {r['floor_s']:.2f} ({r['floor_mb']:.0f})"
            f" | {r['score_s']:.2f} ({r['score_mb']:.0f}) | {r['score_s'] / r['floor_s']:.1f}x"
            f" | {spark} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
