"""Simulator throughput: order lines per second and peak memory at given order-line targets.

    python bench/sim.py [--lines 1000000,10000000] [--weeks 12] [--shard-creators N]

Order lines scale with creators x weeks (about LINES_PER_CREATOR_WEEK each, measured on the
default model); the creator count is chosen from the target and the actual count printed.
Each size runs in a fresh subprocess so its peak RSS is its own; wall and CPU seconds are
both printed because the machine may be shared (the load average is printed first).
Above ~11M order lines the simulator draws creators in shards (``--shard-creators`` sets the
shard size; 0 = automatic) and appends each shard to the files: the "shards" column says how many.
Baseline in the same run: reading every file the simulator wrote back with pyarrow (the cost
of merely touching that much data), printed with the ratio generate / baseline.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES_PER_CREATOR_WEEK = 6.9


def _one(lines: int, weeks: int, shard_creators: int) -> dict[str, float]:
    import pyarrow.parquet as pq

    from shopstar.sim import SimConfig, generate

    creators = max(10, math.ceil(lines / LINES_PER_CREATOR_WEEK / weeks))
    out = Path(tempfile.mkdtemp(prefix="shopstar-bench-sim-"))
    try:
        began, cpu_began = time.perf_counter(), time.process_time()
        config = SimConfig(
            creators=creators, weeks=weeks, seed=1, shard_creators=shard_creators or None
        )
        result = generate(out, config)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu_began
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        began = time.perf_counter()
        for path in out.rglob("*.parquet"):
            pq.read_table(path)
        baseline = time.perf_counter() - began
        size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "creators": creators,
        "weeks": weeks,
        "shards": len(result.shard_rows),
        "order_lines": result.order_lines,
        "rows_total": sum(result.rows.values()),
        "seconds": seconds,
        "cpu_seconds": cpu,
        "lines_per_s": result.order_lines / seconds,
        "peak_mb": peak_mb,
        "output_mb": size_mb,
        "baseline_read_s": baseline,
    }


def main() -> None:
    """Run each size in its own subprocess and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="1000000,10000000", help="order-line targets")
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--shard-creators", type=int, default=0, help="0: automatic")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_one(args.one, args.weeks, args.shard_creators)))
        return
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"{'target':>11} {'creators':>8} {'shards':>6} {'order lines':>12} {'all rows':>11} "
        f"{'seconds':>8} "
        f"{'cpu s':>6} {'lines/s':>9} {'peak MB':>8} {'out MB':>7} {'read-back s':>11} {'ratio':>6}"
    )
    shards = ["--shard-creators", str(args.shard_creators)]
    for target in (int(x) for x in args.lines.split(",")):
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(target), "--weeks", str(args.weeks), *shards],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(done.stdout)
        print(
            f"{target:>11,} {r['creators']:>8,} {r['shards']:>6} {r['order_lines']:>12,} "
            f"{r['rows_total']:>11,} "
            f"{r['seconds']:>8.1f} {r['cpu_seconds']:>6.1f} {r['lines_per_s']:>9,.0f} "
            f"{r['peak_mb']:>8,.0f} "
            f"{r['output_mb']:>7,.0f} {r['baseline_read_s']:>11.1f} "
            f"{r['seconds'] / r['baseline_read_s']:>6.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
