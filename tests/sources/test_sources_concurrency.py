"""Two ``shopstar ingest --source ...`` processes at once on overlapping exports: they merge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from tiktok_exports import AFFILIATE, ALL_ORDERS, write_export

from shopstar.lake import Lake
from shopstar.sources import ExportOptions, ingest_exports

pytestmark = pytest.mark.slow  # CLI subprocesses

LINES = 300
SHOP = ("--shop-id", "GLOW01")


def affiliate_rows() -> list[dict[str, str]]:
    return [
        {
            "Order ID": f"{5000 + i}", "Product ID": f"P{i % 7}", "SKU ID": f"S{i % 7}",
            "Product Name": f"Product {i % 7}", "Price": "12.50", "Payment Amount": "12.50",
            "Currency": "USD", "Quantity": str(1 + i % 3), "Order Status": "Completed",
            "Fully returned or refunded": "No", "Creator Username": f"creator{i % 11}",
            "Content Type": "Video", "Content ID": f"V{i % 13}",
            "Standard commission rate": "10%", "Time Created": "01/03/2026 10:00:00",
        }
        for i in range(LINES)
    ]  # fmt: skip


def all_order_rows() -> list[dict[str, str]]:
    """The same lines (and as many organic ones), later: delivered, some returned, some
    cancelled."""
    rows = []
    for i in range(2 * LINES):
        cancelled = i % 10 == 3
        rows.append(
            {
                "Order ID": f"{5000 + i}", "SKU ID": f"S{i % 7}", "Product Name": "Item",
                "Order Status": "Cancelled" if cancelled else "Completed",
                "Quantity": str(1 + i % 3), "Sku Quantity of return": "1" if i % 9 == 0 else "0",
                "SKU Unit Original Price": "12.50", "Created Time": "01/03/2026 10:00:00",
                "Delivered Time": "/" if cancelled else "05/03/2026 12:00:00",
                "Cancelled Time": "02/03/2026 10:00:00" if cancelled else "/",
            }
        )  # fmt: skip
    return rows


def command(home: Path, export: Path, source: str) -> tuple[list[str], dict[str, str]]:
    args = [sys.executable, "-m", "shopstar", "ingest", "--format", "json", *SHOP]
    args += ["--source", source, "--currency", "USD", str(export)]
    return args, {**os.environ, "SHOPSTAR_HOME": str(home)}


def run_together(home: Path, runs: list[tuple[Path, str]]) -> list[list[dict[str, Any]]]:
    """Start every ingest at once and wait for all of them; their JSON counts."""
    calls = [command(home, path, source) for path, source in runs]
    started = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True) for args, env in calls
    ]
    outputs = []
    for process in started:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        outputs.append(json.loads(out))
    return outputs


def run_one(home: Path, path: Path, source: str) -> None:
    args, env = command(home, path, source)
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def ids(lake: Lake, entity: str, key: str) -> list[str]:
    return sorted(pq.read_table(lake.files(entity), columns=[key]).column(key).to_pylist())


def money_and_lines(home: Path) -> dict[str, Any]:
    """Orders and refunds as stored, which creators and products exist, and line count, GMV
    and commission per creator."""
    lake = Lake(home / "lake")
    con = duckdb.connect()
    orders = [str(p) for p in lake.files("orders")]
    refunds = [str(p) for p in lake.files("refunds")]
    return {
        "orders": con.execute("SELECT * FROM read_parquet(?) ORDER BY ALL", [orders]).fetchall(),
        "refunds": con.execute("SELECT * FROM read_parquet(?) ORDER BY ALL", [refunds]).fetchall(),
        "creator_ids": ids(lake, "creators", "creator_id"),
        "product_ids": ids(lake, "products", "product_id"),
        "by_creator": con.execute(
            """SELECT creator_id, count(*), sum(quantity * unit_price),
                      sum(quantity * unit_price * commission_rate)
               FROM read_parquet(?) WHERE status = 'placed' GROUP BY ALL ORDER BY ALL""",
            [orders],
        ).fetchall(),
    }


def test_two_concurrent_export_ingests_equal_the_sequential_result(tmp_path: Path) -> None:
    affiliate = write_export(tmp_path / "affiliate.csv", AFFILIATE, affiliate_rows())
    all_orders = write_export(tmp_path / "all.csv", ALL_ORDERS, all_order_rows())
    runs = [(affiliate, "tiktok-affiliate-orders"), (all_orders, "tiktok-all-orders")]
    expected = None
    for order in (runs, runs[::-1]):
        home = tmp_path / f"sequential-{order[0][1]}"
        for path, source in order:
            run_one(home, path, source)
        got = money_and_lines(home)
        assert expected is None or got == expected
        expected = got
    assert expected is not None
    assert len(expected["orders"]) == 2 * LINES
    assert len(expected["creator_ids"]) == 11 and len(expected["product_ids"]) == 7
    assert sum(n for creator, n, *_ in expected["by_creator"] if creator) == 270
    for attempt in range(2):
        home = tmp_path / f"together-{attempt}"
        outputs = run_together(home, runs if attempt == 0 else runs[::-1])
        for counts in outputs:
            assert all(
                row["accepted"] + row["duplicate"] + row["superseded"] + row["rejected"]
                == row["read"]
                for row in counts
            )
        assert money_and_lines(home) == expected


def test_an_ingest_waiting_for_the_lock_merges_with_what_was_committed_meanwhile(
    tmp_path: Path,
) -> None:
    """The all-orders ingest merges (without the lock) against an empty lake, then waits;
    the affiliate batch commits first; the waiting one must merge again, with that batch."""
    affiliate = write_export(tmp_path / "affiliate.csv", AFFILIATE, affiliate_rows()[:20])
    all_orders = write_export(tmp_path / "all.csv", ALL_ORDERS, all_order_rows()[:40])
    options = ExportOptions(shop_id="GLOW01", currency="USD")
    expected_home, home = tmp_path / "sequential", tmp_path / "interleaved"
    ingest_exports(Lake(expected_home / "lake"), [affiliate], options=options)
    ingest_exports(Lake(expected_home / "lake"), [all_orders], options=options)

    lake = Lake(home / "lake")
    waiting = threading.Event()

    def progress(description: str, done: int, total: int) -> None:
        if description.startswith("waiting"):
            waiting.set()

    def late() -> None:
        ingest_exports(lake, [all_orders], options=options, progress=progress)

    with lake.writer():
        thread = threading.Thread(target=late)
        thread.start()
        assert waiting.wait(30)  # merged against the empty lake, now blocked on the lock
        ingest_exports(lake, [affiliate], options=options)  # commits first
    thread.join(60)
    assert money_and_lines(home) == money_and_lines(expected_home)
