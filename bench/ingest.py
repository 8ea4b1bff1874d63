"""Ingest benchmark: rows/s of ``shopstar ingest`` on an N-line orders CSV against the floor.

    python bench/ingest.py [--rows N] [--keep DIR] [--format csv|jsonl]

Generates N order lines (default 5,000,000) as CSV (or, with ``--format jsonl``, as JSON Lines
with ``quantity``, ``unit_price`` and ``commission_rate`` as JSON numbers and empty values as
``null``), then measures, each phase in its own process (peak memory is that process's
``ru_maxrss``):

* floor: plain ``pyarrow.csv.read_csv`` (``pyarrow.json.read_json``) +
  ``pyarrow.parquet.write_table`` of the same file;
* first ingest into an empty lake;
* second ingest of the same file (every row a duplicate).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

TARGET_ROWS_PER_S = 1_000_000
TARGET_FLOOR_RATIO = 0.3


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write ``rows`` realistic order lines (about 2% affiliate-less, 3% cancelled) as CSV."""
    rng = np.random.default_rng(seed)
    chunk = 1_000_000
    with pacsv.CSVWriter(path, _schema()) as writer:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            writer.write_table(_chunk(rng, start, n))


def _schema() -> pa.Schema:
    names = [
        "order_line_id", "order_id", "ordered_at", "updated_at", "product_id", "creator_id",
        "content_id", "quantity", "unit_price", "currency", "status", "commission_rate",
        "content_type",
    ]  # fmt: skip
    return pa.schema([(n, pa.string()) for n in names])


def _ids(prefix: str, values: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pa.array(values).cast(pa.string()), "")


def _chunk(rng: np.random.Generator, start: int, n: int) -> pa.Table:
    idx = np.arange(start, start + n)
    base = np.datetime64("2026-01-01T00:00:00", "s")
    seconds = rng.integers(0, 300 * 86400, n)
    ordered = pa.array(base + seconds.astype("timedelta64[s]"))
    updated = pa.array(base + (seconds + rng.integers(0, 86400, n)).astype("timedelta64[s]"))
    cents = rng.integers(50, 20000, n)
    price = pc.binary_join_element_wise(
        pa.array(cents // 100).cast(pa.string()),
        pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0"),
        ".",
    )
    creator = _ids("C", rng.integers(0, 50_000, n))
    affiliate = rng.random(n) < 0.7
    no_creator = pa.array(np.where(affiliate, None, ""), pa.string())
    creator = pc.if_else(pa.array(affiliate), creator, no_creator)
    status = np.where(rng.random(n) < 0.03, "cancelled", "placed")
    rate = np.where(rng.random(n) < 0.2, "0.15", "")
    kinds = np.array(["video", "live", "showcase"])[rng.integers(0, 3, n)]
    return pa.table(
        {
            "order_line_id": _ids("L", idx),
            "order_id": _ids("O", idx // 2),
            "ordered_at": pc.strftime(ordered, "%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": pc.strftime(updated, "%Y-%m-%dT%H:%M:%SZ"),
            "product_id": _ids("P", rng.integers(0, 20_000, n)),
            "creator_id": pc.fill_null(creator, ""),
            "content_id": pc.if_else(pa.array(affiliate), _ids("V", idx // 5), ""),
            "quantity": pa.array(rng.integers(1, 4, n)).cast(pa.string()),
            "unit_price": price,
            "currency": pa.array(np.full(n, "USD")),
            "status": pa.array(status),
            "commission_rate": pa.array(rate),
            "content_type": pa.array(kinds),
        },
        schema=_schema(),
    )


def to_jsonl(csv_path: Path, path: Path) -> None:
    """The CSV's rows as JSON Lines: numbers as JSON numbers, empty values as null."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT * REPLACE (
                quantity::INTEGER AS quantity, unit_price::DECIMAL(12, 2) AS unit_price,
                nullif(commission_rate, '')::DECIMAL(6, 4) AS commission_rate,
                nullif(creator_id, '') AS creator_id, nullif(content_id, '') AS content_id)
            FROM read_csv('{csv_path}', all_varchar = true))
        TO '{path}' (FORMAT json)"""
    )


def _floor(csv_path: Path, out: Path) -> dict[str, float]:
    import pyarrow.json as pajson
    import pyarrow.parquet as pq

    started = time.perf_counter()
    reader = pajson.read_json if csv_path.suffix == ".jsonl" else pacsv.read_csv
    table = reader(csv_path)
    pq.write_table(table, out)
    return {"seconds": time.perf_counter() - started, "rows": table.num_rows}


def _ingest(csv_path: Path, home: Path) -> dict[str, float]:
    from shopstar.lake import Lake, ingest_paths

    started = time.perf_counter()
    report = ingest_paths(Lake(home / "lake"), [csv_path])
    counts = report.counts["orders"]
    assert counts.adds_up(), counts
    return {
        "seconds": time.perf_counter() - started,
        "rows": counts.read,
        "accepted": counts.accepted,
        "duplicate": counts.duplicate,
    }


def _run_phase(args: list[str]) -> dict[str, float]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--phase", *args], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"phase {args[0]} failed")
    result: dict[str, float] = json.loads(out)
    result["peak_mib"] = usage.ru_maxrss / 1024
    return result


def main() -> None:
    """Generate, measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it")
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--phase", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        name, src, dst = args.phase
        fn = _floor if name == "floor" else _ingest
        print(json.dumps(fn(Path(src), Path(dst))))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="shopstar-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "orders.csv"
    shutil.rmtree(work / "home", ignore_errors=True)
    started = time.perf_counter()
    generate(csv_path, args.rows)
    if args.format == "jsonl":
        csv_path, source = work / "orders.jsonl", csv_path
        to_jsonl(source, csv_path)
    size = csv_path.stat().st_size
    print(
        f"generated {args.rows:,} lines ({size / 2**20:,.0f} MiB) in "
        f"{time.perf_counter() - started:.1f} s: {csv_path}"
    )
    floor = _run_phase(["floor", str(csv_path), str(work / "floor.parquet")])
    first = _run_phase(["ingest", str(csv_path), str(work / "home")])
    second = _run_phase(["ingest", str(csv_path), str(work / "home")])
    floor_rate = args.rows / floor["seconds"]
    print(f"{'phase':<16}{'seconds':>9}{'rows/s':>14}{'x floor':>9}{'peak MiB':>10}")
    for name, result in (("floor", floor), ("first ingest", first), ("second ingest", second)):
        rate = args.rows / result["seconds"]
        print(
            f"{name:<16}{result['seconds']:>9.2f}{rate:>14,.0f}{rate / floor_rate:>9.2f}"
            f"{result['peak_mib']:>10,.0f}"
        )
    ok_first = args.rows / first["seconds"] >= TARGET_ROWS_PER_S
    ok_ratio = first["seconds"] <= floor["seconds"] / TARGET_FLOOR_RATIO
    ok_second = second["seconds"] <= first["seconds"]
    print(
        f"targets: >= 1M rows/s {'met' if ok_first else 'MISSED'}; "
        f">= 0.3x floor {'met' if ok_ratio else 'MISSED'}; "
        f"second <= first {'met' if ok_second else 'MISSED'}"
    )
    print(f"first: accepted {first['accepted']:,}; second: duplicate {second['duplicate']:,}")


if __name__ == "__main__":
    main()
