"""Publishing speed and memory: `publish()` of a saved score result into a fresh app DB.

    .venv/bin/python bench/publish.py save LAKE_HOME OUT   # score a lake once, keep the result
    .venv/bin/python bench/publish.py run OUT [--backend sqlite,postgresql] [--times N]
                                      [--replicate K | --scale F,F...] [--sqlite-path P,P...]
                                      [--postgres URL] [--db-dir DIR]

``save`` scores the lake under ``LAKE_HOME`` (a SHOPSTAR_HOME) on DuckDB and writes the four
result tables as Parquet into ``OUT`` (``meta.json`` holds as-of and currency). ``run`` then, each
measurement in its own process, loads that result (``--replicate K`` makes it K times larger:
copy k gets ``~k`` appended to its creator and product ids, so every key stays unique; ``--scale
F`` takes the first F of each table's rows, replicated as needed: 0.5 is half the result, 2.5 is
two and a half copies), migrates
a fresh app DB, and times ``publish()``: wall and CPU seconds (a loader process's included),
rows per second, the peak RSS that publishing added above the loaded Arrow tables (the kernel's
peak is reset just before) and a loader process's own peak RSS ("child").
Two baselines, in the same run and the same kind of process, write the same rows, already
prepared for the driver (not timed), into bare tables without keys or foreign keys, one call per
table: ``baseline`` from Python values (SQLite, one ``executemany``) or CSV (PostgreSQL, one text
``COPY``), ``adbc`` from Arrow tables in the column types (money as text on SQLite) through ADBC's
``adbc_ingest`` (SQLite: a prepared INSERT bound row by row in C; PostgreSQL: binary ``COPY``).
The ratios are publish / each baseline. ``--no-baseline`` skips both (``baseline`` holds every
row as Python values at once: ~7 GiB for 11M rows). ``--sqlite-path insert,loader`` times SQLite's
two publishing paths at every scale whatever ``LOADER_ROWS`` would choose (``auto``: as
``publish()`` chooses), to place the cut-off between them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

SAVE = """
import json, sys
from pathlib import Path
import pyarrow.parquet as pq
from shopstar.analytics.engines import connect
from shopstar.analytics.run import score
from shopstar.analytics.source import lake_tables
from shopstar.lake import Lake
con = connect("duckdb")
result = score(con, lake_tables(con, Lake(Path(sys.argv[1]) / "lake")))
con.disconnect()
out = Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
RESULTS = ("metrics", "stars", "rising", "trends")
for name in RESULTS:
    pq.write_table(getattr(result, name), out / f"{name}.parquet")
meta = {"as_of": str(result.as_of), "currency": result.currency}
(out / "meta.json").write_text(json.dumps(meta))
print(json.dumps({n: getattr(result, n).num_rows for n in RESULTS}))
"""

# argv: result dir, scale, db url, mode (publish | baseline | adbc), SQLite path (auto | insert |
# loader); prints one JSON line
MEASURE = """
import datetime as dt, io, json, math, os, resource, sys, threading, time
from pathlib import Path
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
from pyarrow import csv
from sqlalchemy import BigInteger
from shopstar.analytics import publish as pub
from shopstar.analytics.run import ScoreResult
from shopstar.db import make_engine, make_sessionmaker, upgrade

src, scale, url, mode, path = Path(sys.argv[1]), float(sys.argv[2]), *sys.argv[3:6]
copies = math.ceil(scale)
# the path publish() takes on SQLite: LOADER_ROWS is read when it is called
pub.LOADER_ROWS = {"auto": pub.LOADER_ROWS, "insert": 2**62, "loader": 0}[path]
KEYS = {"metrics": "creator_id", "stars": "creator_id", "rising": "creator_id",
        "trends": "product_id"}
def load(name):
    table = pq.read_table(src / f"{name}.parquet")
    size = round(table.num_rows * scale)
    if copies == 1:
        return table.slice(0, size)
    key = KEYS[name]
    i = table.schema.get_field_index(key)
    parts = [table.set_column(i, key, pc.binary_join_element_wise(table.column(key), f"~{k}", ""))
             for k in range(copies)]
    return pa.concat_tables(parts).slice(0, size).combine_chunks()
meta = json.loads((src / "meta.json").read_text())
result = ScoreResult(dt.date.fromisoformat(meta["as_of"]), meta["currency"],
                     *(load(n) for n in ("metrics", "stars", "rising", "trends")))
upgrade(url)
engine = make_engine(url)
factory = make_sessionmaker(engine)
rows = {"metrics": pub.metric_rows(result.metrics), "stars": pub.score_rows(result.stars),
        "rising": pub.rising_rows(result.rising), "trends": pub.trend_rows(result.trends)}
count = sum(t.num_rows for t in rows.values())
names = {"metrics": "creator_category_metrics", "stars": "creator_category_scores",
         "rising": "rising_stars", "trends": "product_trends"}
prepared = {}
MODELS = {"metrics": pub.CreatorCategoryMetric, "stars": pub.CreatorCategoryScore,
          "rising": pub.RisingStar, "trends": pub.ProductTrend}
def arrow_for_driver(key, table):  # what binary COPY / SQLite bind: the columns' own types
    types = []
    for field in table.schema:
        kind = MODELS[key].__table__.c[field.name].type
        if pa.types.is_decimal(field.type) and engine.dialect.name == "sqlite":
            types.append(pa.string())
        elif (pa.types.is_int64(field.type) and engine.dialect.name == "postgresql"
              and not isinstance(kind, BigInteger)):
            types.append(pa.int32())
        else:
            types.append(field.type)
    return table.cast(pa.schema(list(zip(table.column_names, types))))
if mode in ("baseline", "adbc"):  # the driver's input, prepared before the clock starts
    for key, table in rows.items():
        table = getattr(table, "to_table", lambda t=table: t)()  # older code returned tables
        table = table.add_column(0, "run_id", pa.array([1] * table.num_rows, pa.int64()))
        if mode == "adbc":
            prepared[key] = (table.column_names, arrow_for_driver(key, table))
        elif engine.dialect.name == "sqlite":
            values = [(c.cast(pa.string()) if pa.types.is_decimal(c.type) else c).to_pylist()
                      for c in table.columns]
            prepared[key] = (table.column_names, list(zip(*values)))
        else:
            buffer = io.BytesIO()
            csv.write_csv(table, buffer, csv.WriteOptions(include_header=False))
            prepared[key] = (table.column_names, buffer.getvalue())
    with engine.begin() as conn:
        for key in rows:
            like = (f"AS SELECT * FROM {names[key]} WHERE 0" if engine.dialect.name == "sqlite"
                    else f"(LIKE {names[key]})")
            conn.exec_driver_sql(f"CREATE TABLE bare_{key} {like}")
del result
def rss_kib():
    return int(Path("/proc/self/statm").read_text().split()[1]) * resource.getpagesize() // 1024
child_peak_kib = 0  # a loader process's own peak RSS (after exec), sampled while it runs
def watch_children(stop):
    global child_peak_kib
    children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    while not stop.wait(0.01):
        for pid in children.read_text().split():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:  # it has just exited
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    child_peak_kib = max(child_peak_kib, int(line.split()[1]))
stop = threading.Event()
threading.Thread(target=watch_children, args=(stop,), daemon=True).start()
def hwm_kib():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS to the current RSS
before = rss_kib()
t0, c0 = time.perf_counter(), time.process_time()
if mode == "publish":
    result = ScoreResult(dt.date.fromisoformat(meta["as_of"]), meta["currency"],
                         *(load(n) for n in ("metrics", "stars", "rising", "trends")))
    before = rss_kib()  # the Arrow tables, as a caller of publish() holds them
    Path("/proc/self/clear_refs").write_text("5")
    t0, c0 = time.perf_counter(), time.process_time()
    pub.publish(factory, result, "duckdb")
elif mode == "adbc":
    import adbc_driver_postgresql.dbapi, adbc_driver_sqlite.dbapi
    module = adbc_driver_sqlite if engine.dialect.name == "sqlite" else adbc_driver_postgresql
    engine.dispose()  # no other SQLite library's connection open on the file in this process
    uri = url if engine.dialect.name == "postgresql" else Path(engine.url.database).as_uri()
    with module.dbapi.connect(uri) as conn, conn.cursor() as cursor:
        for key, (_, data) in prepared.items():
            cursor.adbc_ingest(f"bare_{key}", data, mode="append")
        conn.commit()
else:
    with engine.begin() as conn:
        driver = conn.connection.driver_connection
        for key, (columns, data) in prepared.items():
            cols = ", ".join(columns)
            if engine.dialect.name == "sqlite":
                marks = ", ".join("?" * len(columns))
                driver.executemany(f"INSERT INTO bare_{key} ({cols}) VALUES ({marks})", data)
            else:
                with driver.cursor() as cur, cur.copy(
                    f"COPY bare_{key} ({cols}) FROM STDIN (FORMAT csv)"
                ) as copy:
                    copy.write(data)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
stop.set()
children = resource.getrusage(resource.RUSAGE_CHILDREN)  # a loader process, if publish used one
print(json.dumps({"s": seconds, "cpu": cpu + children.ru_utime + children.ru_stime,
                  "rows": count, "rss_mib": before / 1024, "added_mib": (hwm_kib() - before) / 1024,
                  "child_mib": child_peak_kib / 1024}))
engine.dispose()
"""


def _save(home: str, out: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SAVE, home, out], check=True, text=True, capture_output=True
    )
    print(done.stdout.strip())


def _fresh_db(backend: str, db_dir: Path, postgres: str) -> tuple[str, str]:
    """A URL of a fresh, empty database on ``backend`` and its name (a file or a database)."""
    name = f"ss_publish_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        path = db_dir / f"{name}.db"
        return f"sqlite:///{path}", str(path)
    subprocess.run(["psql", postgres, "-qc", f"CREATE DATABASE {name}"], check=True)
    return f"{postgres.rsplit('/', 1)[0]}/{name}", name


def _drop_db(backend: str, name: str, postgres: str) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
        return
    subprocess.run(["psql", postgres, "-qc", f"DROP DATABASE {name} WITH (FORCE)"], check=True)


def _measure(
    args: argparse.Namespace, backend: str, mode: str, scale: float, path: str
) -> dict[str, float]:
    url, name = _fresh_db(backend, args.db_dir, args.postgres)
    try:
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, args.result, str(scale), url, mode, path],
            check=True,
            text=True,
            capture_output=True,
        )
    finally:
        _drop_db(backend, name, args.postgres)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _line(label: str, figures: dict[str, float]) -> str:
    child = f", child {figures['child_mib']:.0f} MiB" if figures.get("child_mib") else ""
    return (
        f"{label}\t{figures['s']:.2f} s\t{figures['cpu']:.2f} CPU-s\t"
        f"{figures['rows'] / figures['s']:,.0f} rows/s\t"
        f"+{figures['added_mib']:.0f} MiB over {figures['rss_mib']:.0f} MiB{child}"
    )


def _run(args: argparse.Namespace) -> None:
    print(
        f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load average before: "
        f"{os.getloadavg()[0]:.2f}",
        flush=True,
    )
    scales = [float(s) for s in args.scale.split(",")] if args.scale else [args.replicate]
    for backend in args.backend.split(","):
        paths = args.sqlite_path.split(",") if backend == "sqlite" else ["auto"]
        modes = ("publish", "baseline", "adbc") if args.baseline else ("publish",)
        for scale in scales:
            runs: dict[tuple[str, str], list[dict[str, float]]] = {
                (path, mode): [] for path in paths for mode in modes
            }
            for _ in range(args.times):  # the paths alternate: drift in load hits both alike
                for path, mode in runs:
                    figures = _measure(args, backend, mode, scale, path)
                    runs[path, mode].append(figures)
                    label = f"{backend}\t{scale:g}x\t{figures['rows']:,}\t{path}\t{mode}"
                    print(_line(label, figures), flush=True)
            for (path, mode), figures_list in runs.items():
                seconds = sorted(f["s"] for f in figures_list)
                print(
                    f"{backend} {scale:g}x ({figures_list[0]['rows']:,} rows) {path} {mode}: "
                    f"median {statistics.median(seconds):.2f} s "
                    f"(min {seconds[0]:.2f}, max {seconds[-1]:.2f})",
                    flush=True,
                )
    print(
        f"{time.strftime('%H:%M:%S', time.gmtime())} UTC, load average after: "
        f"{os.getloadavg()[0]:.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    save = sub.add_parser("save", help="score a lake and keep its result as Parquet")
    save.add_argument("home")
    save.add_argument("out")
    run = sub.add_parser("run", help="time publish() of a saved result")
    run.add_argument("result")
    run.add_argument("--backend", default="sqlite,postgresql")
    run.add_argument("--times", type=int, default=3)
    run.add_argument("--replicate", type=int, default=1)
    run.add_argument(
        "--scale", default="", help="comma-separated fractions or multiples of the result"
    )
    run.add_argument(
        "--sqlite-path",
        default="auto",
        help="comma-separated SQLite paths to time: auto (publish()'s choice), insert, loader",
    )
    run.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    run.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_false",
        help="publish only (a baseline holds every row as Python values at once)",
    )
    run.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    if args.command == "save":
        _save(args.home, args.out)
    else:
        _run(args)


if __name__ == "__main__":
    main()
