"""Scoring speed: wall time and peak memory of `shopstar score` against a floor.

    .venv/bin/python bench/score.py [--lines 1000000,10000000] [--weeks 16] [--spark-at 1000000]
                                    [--lakes DIR] [--stages [duckdb|spark]]
                                    [--batch-lines 10000000] [--shard-creators N]

For each size a marketplace is simulated (order lines scale with creators x weeks) and ingested
into a fresh SHOPSTAR_HOME; then, in the same run and on the same lake files, each measured in
its own process with /usr/bin/time:
- `shopstar score` on DuckDB (read the lake, every analytic, publish into SQLite), with the peak
  disk use of its scratch directories (DuckDB's spill, the compressed facts store of large runs;
  the `SHOPSTAR_DUCKDB_*` settings of the environment apply, e.g. a small memory limit);
- the floor: one raw DuckDB SQL query computing GMV per creator x category over the same Parquet;
- the inputs floor: one raw DuckDB SQL query computing the two sums every metric row starts
  from, affiliate GMV and content views per creator x category (CONTRACT.md section 2), so
  reading the orders and the content tables (daily views, content, products shown) once each;
- `shopstar score --engine spark` at the --spark-at size, for reference.

Building a lake is measured too (wall, CPU, peak RSS), each in its own process: the simulator
(drawn in shards of creators above ~11M order lines, each appended to the files before the next
is drawn) and the ingest, in batches of whole shards of at most --batch-lines order lines (one
batch up to that size; the first batch also holds the dimensions). A batch is what `shopstar
ingest` does with those rows (the Parquet row groups of its shards, then `ingest_raw`).
With ``--lakes DIR`` each size's ingested lake is kept in ``DIR/<lines>-<weeks>w/`` and reused by
later runs, with its build figures (``build.json``); its app DB is removed before each run.
``--stages [duckdb|spark]`` also runs the job step by step on that engine (default DuckDB) in its
own process and prints each step's wall and CPU seconds (CPU counts every thread of this process:
on Spark the JVM's work is not in it; on a shared machine it moves less than wall time).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
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

# GMV and views per creator x category: each content's views summed once, then shared by the
# categories it shows (a content showing two products of one category counts its views once)
INPUTS_FLOOR = """
import sys, duckdb
from shopstar.lake import Lake
lake = Lake(sys.argv[1])
files = {name: [str(p) for p in lake.files(name)] for name in
         ("orders", "products", "content", "content_products", "content_daily")}
con = duckdb.connect()
for name, paths in files.items():
    con.execute(f"create view {name} as select * from read_parquet({paths!r})")
rows = con.execute(
    "with sales as (select o.creator_id, p.category, sum(o.quantity * o.unit_price) as gmv "
    "  from orders o join products p using (product_id) "
    "  where o.status <> 'cancelled' and o.creator_id is not null group by all), "
    "per_content as (select content_id, sum(views) as views from content_daily group by all), "
    "shown as (select distinct cp.content_id, p.category "
    "  from content_products cp join products p using (product_id)), "
    "seen as (select c.creator_id, s.category, sum(v.views) as views "
    "  from per_content v join content c using (content_id) join shown s using (content_id) "
    "  group by all) "
    "select count(*) from sales full join seen using (creator_id, category)"
).fetchall()
print(rows[0][0])
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
    facts.done("facts")
    lap("shared facts")
    stars = run._sorted(con, skill_table(facts, day), ["category", "creator_id"])
    facts.done("skill")
    lap("skill + reach + star_score")
    skills = ibis.memtable(stars.select(list(RISING_INPUT)))
    rising = run._sorted(con, rising_table(facts, day, skills), ["category", "creator_id"])
    facts.done("rising")
    lap("rising")
    keys = ["window_days", "category", "creator_id"]
    metrics = run._sorted(con, creator_metrics(facts, day), keys)
    facts.done("metrics")
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


# simulate into argv[1]: creators, weeks, shard creators (0 = automatic); prints the shards' rows
SIM = """
import json, sys
from pathlib import Path
from shopstar.sim import SimConfig, generate
creators, weeks, shard = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]) or None
config = SimConfig(creators=creators, weeks=weeks, seed=1, shard_creators=shard)
def progress(step, done, total):
    if step.endswith("content") or step in ("catalog", "truth", "done"):
        print(f"  sim {done}/{total}: {step}", file=sys.stderr, flush=True)
result = generate(Path(sys.argv[1]), config, progress)
print(json.dumps({"order_lines": result.order_lines, "rows": result.rows,
                  "shard_rows": result.shard_rows}))
"""

# ingest rows [start, stop) of each entity file of argv[1] (whole row groups) into lake argv[2]
INGEST = """
import json, sys
from pathlib import Path
import numpy as np, pyarrow.parquet as pq
from shopstar.lake import Lake, RawInput, ingest_raw
inputs = []
for name, (start, stop) in json.loads(sys.argv[3]).items():
    f = pq.ParquetFile(Path(sys.argv[1]) / f"{name}.parquet")
    sizes = [f.metadata.row_group(i).num_rows for i in range(f.metadata.num_row_groups)]
    ends = np.cumsum(sizes)
    groups = [i for i, end in enumerate(ends) if start < end <= stop]
    table = f.read_row_groups(groups)
    assert table.num_rows == stop - start, (name, start, stop, table.num_rows)
    lines = np.arange(start + 1, stop + 1, dtype=np.int64)
    inputs.append(RawInput(name, f"{name}.parquet", table, lines))
    del table
report = ingest_raw(Lake(sys.argv[2]), inputs)
print(json.dumps({row["entity"]: row for row in report.rows()}))
"""


def _timed(
    args: list[str], env: dict[str, str], *, show_stderr: bool = False
) -> tuple[dict[str, float], str]:
    """(wall s, CPU s (user + system) and peak RSS MiB of a command, its stdout); its stderr
    goes to ours with ``show_stderr`` (progress of long steps)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as times:
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%e %U %S %M", "-o", times.name, *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=None if show_stderr else subprocess.PIPE,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args[:3])} failed:\n{(done.stderr or '')[-2000:]}")
        wall, user, system, kib = times.read().strip().splitlines()[-1].split()
    figures = {"s": float(wall), "cpu": float(user) + float(system), "mib": int(kib) / 1024}
    return figures, done.stdout


class ScratchPeaks:
    """Peak disk use of the scoring runs' scratch directories (``shopstar-duckdb-*``: DuckDB's
    spill; ``shopstar-facts-*``: the compressed facts store) under the temp directory, sampled
    every second in a thread while the block runs (one scoring at a time: the bench lock)."""

    def __init__(self) -> None:
        self.mib = {"duckdb": 0.0, "facts": 0.0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        root = Path(tempfile.gettempdir())
        while not self._stop.wait(1.0):
            for kind in self.mib:
                total = 0
                for path in root.glob(f"shopstar-{kind}-*"):
                    for folder, _dirs, files in os.walk(path):
                        for name in files:
                            with contextlib.suppress(OSError):
                                total += (Path(folder) / name).lstat().st_size
                self.mib[kind] = max(self.mib[kind], total / 2**20)

    def __enter__(self) -> ScratchPeaks:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _batches(shard_rows: list[dict[str, int]], batch_lines: int) -> list[list[int]]:
    """Consecutive shards grouped into ingest batches of at most ``batch_lines`` order rows
    (a shard larger than that is a batch of its own)."""
    batches: list[list[int]] = []
    lines = 0
    for k, shard in enumerate(shard_rows):
        if batches and lines + shard["orders"] <= batch_lines:
            batches[-1].append(k)
            lines += shard["orders"]
        else:
            batches.append([k])
            lines = shard["orders"]
    return batches


def _build(
    root: Path, creators: int, weeks: int, batch_lines: int, shard_creators: int
) -> dict[str, float]:
    """Simulate into ``root/sim`` and ingest it into ``root/home/lake`` batch by batch (each
    step in its own process, at low priority); return the figures, and remove the sim files."""
    env = dict(os.environ)
    nice = ["nice", "-n", "10", sys.executable, "-c"]
    args = [str(root / "sim"), str(creators), str(weeks), str(shard_creators)]
    sim, out = _timed([*nice, SIM, *args], env, show_stderr=True)
    drawn = json.loads(out)
    shard_rows: list[dict[str, int]] = drawn["shard_rows"]
    facts = list(shard_rows[0])
    first = {name: 0 for name in facts}
    ingest = {"s": 0.0, "cpu": 0.0, "mib": 0.0}
    batches = _batches(shard_rows, batch_lines)
    for number, shards in enumerate(batches):
        ranges = {}
        if number == 0:
            ranges = {n: (0, rows) for n, rows in drawn["rows"].items() if n not in facts}
        for name in facts:
            rows = sum(shard_rows[k][name] for k in shards)
            ranges[name] = (first[name], first[name] + rows)
            first[name] += rows
        lake = str(root / "home" / "lake")
        one, _ = _timed([*nice, INGEST, str(root / "sim"), lake, json.dumps(ranges)], env)
        print(
            f"  ingest batch {number + 1}/{len(batches)}: {one['s']:.1f} s, "
            f"{one['cpu']:.1f} CPU s, {one['mib']:,.0f} MiB",
            file=sys.stderr,
            flush=True,
        )
        ingest = {"s": ingest["s"] + one["s"], "cpu": ingest["cpu"] + one["cpu"],
                  "mib": max(ingest["mib"], one["mib"])}  # fmt: skip
    shutil.rmtree(root / "sim")
    figures = {f"sim_{k}": v for k, v in sim.items()}
    figures.update({f"ingest_{k}": v for k, v in ingest.items()})
    figures.update(lines=drawn["order_lines"], shards=len(shard_rows), batches=len(batches))
    return figures


def _lake(
    root: Path, lines: int, weeks: int, batch_lines: int, shard_creators: int
) -> tuple[Path, dict[str, float], int]:
    """(SHOPSTAR_HOME holding an ingested lake of about ``lines`` order lines, its build
    figures, creators), simulated and ingested unless ``root`` already holds it."""
    home, stamp, built = root / "home", root / "lines.txt", root / "build.json"
    creators = max(10, math.ceil(lines / LINES_PER_CREATOR_WEEK / weeks))
    if stamp.exists():
        figures = json.loads(built.read_text()) if built.exists() else {}
        return home, {**figures, "lines": int(stamp.read_text())}, creators
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    figures = _build(root, creators, weeks, batch_lines, shard_creators)
    built.write_text(json.dumps(figures))
    stamp.write_text(str(int(figures["lines"])))
    return home, figures, creators


HEADER = (
    "| order lines | creators | floor s / CPU s (MiB) | inputs floor s / CPU s (MiB)"
    " | score s / CPU s (MiB) | score / floor | score / inputs floor | spark s |"
)


def _cell(r: dict[str, float], what: str) -> str:
    return f"{r[what + '_s']:.2f} / {r[what + '_cpu']:.1f} ({r[what + '_mib']:,.0f})"


def _size(lines: int, args: argparse.Namespace) -> dict[str, float] | None:
    lakes: Path | None = args.lakes
    root = (
        lakes / f"{lines}-{args.weeks}w"
        if lakes
        else Path(tempfile.mkdtemp(prefix="shopstar-bench-score-"))
    )
    try:
        home, built, creators = _lake(
            root, lines, args.weeks, args.batch_lines, args.shard_creators
        )
        if built.get("shards"):
            print(
                f"lake of {built['lines']:,.0f} order lines built: sim ({built['shards']:.0f} "
                f"shards) {_cell(built, 'sim')}, ingest ({built['batches']:.0f} batches) "
                f"{_cell(built, 'ingest')} [wall s / CPU s (peak MiB)]",
                flush=True,
            )
        if args.build_only:
            return None
        for leftover in home.glob("shopstar.db*"):
            leftover.unlink()
        env = {**os.environ, "SHOPSTAR_HOME": str(home)}
        env.pop("SHOPSTAR_DATABASE_URL", None)
        shopstar = [sys.executable, "-m", "shopstar", "score"]
        result = {"lines": float(built["lines"]), "creators": float(creators)}
        floor, _ = _timed([sys.executable, "-c", FLOOR, str(home / "lake")], env)
        inputs, _ = _timed([sys.executable, "-c", INPUTS_FLOOR, str(home / "lake")], env)
        with ScratchPeaks() as scratch:
            score, _ = _timed(shopstar, env)
        result.update({f"{kind}_scratch_mib": mib for kind, mib in scratch.mib.items()})
        result.update({f"floor_{k}": v for k, v in floor.items()})
        result.update({f"inputs_{k}": v for k, v in inputs.items()})
        result.update({f"score_{k}": v for k, v in score.items()})
        if args.stages:
            for leftover in home.glob("shopstar.db*"):
                leftover.unlink()
            done = subprocess.run(
                [sys.executable, "-c", STAGES, args.stages], env=env, capture_output=True, text=True
            )
            if done.returncode != 0:
                raise SystemExit(f"stages failed:\n{done.stderr[-2000:]}")
            print(f"{args.stages} stages at {built['lines']:,} order lines (stage, wall s, CPU s):")
            stages_out = [line for line in done.stdout.splitlines() if "\t" in line]
            print("\n".join(stages_out), flush=True)  # (not DuckDB's progress bars)
        if lines == args.spark_at:
            spark, _ = _timed([*shopstar, "--engine", "spark"], env)
            result["spark_s"] = spark["s"]
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
    parser.add_argument(
        "--batch-lines", type=int, default=10_000_000, help="order lines per ingest batch at most"
    )
    parser.add_argument(
        "--shard-creators", type=int, default=0, help="simulator shard size (0: automatic)"
    )
    parser.add_argument(
        "--build-only", action="store_true", help="build (or report) the lakes, measure nothing"
    )
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    for target in (int(n) for n in args.lines.split(",")):
        r = _size(target, args)
        if r is None:
            continue
        spark = f"{r['spark_s']:.1f}" if "spark_s" in r else "-"
        print(HEADER + "\n" + "|---" * HEADER.count(" | ") + "|---|")
        print(
            f"| {r['lines']:,.0f} | {r['creators']:,.0f} | {_cell(r, 'floor')}"
            f" | {_cell(r, 'inputs')} | {_cell(r, 'score')} | {r['score_s'] / r['floor_s']:.1f}x"
            f" | {r['score_s'] / r['inputs_s']:.1f}x | {spark} |",
            flush=True,
        )
        print(
            f"score's scratch on disk at its peak (sampled every second): DuckDB spill "
            f"{r['duckdb_scratch_mib']:,.0f} MiB, compressed facts store "
            f"{r['facts_scratch_mib']:,.0f} MiB",
            flush=True,
        )
        print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
