"""A real ``shopstar ingest`` killed with SIGKILL at random points, then re-run, ends with
exactly the lake and summary of an uninterrupted run; in between, the lake shows the whole
batch or none of it."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest
from lake_support import ORDER_COLUMNS, contents, fingerprint, summaries

from appworld import run_shopstar as run_cli
from shopstar.lake import Lake

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny"
ROWS = 60_000
KILLS = 4

pytestmark = pytest.mark.slow


def _big_batch(folder: Path) -> Path:
    """An orders file (with status updates of tiny's lines) and a refunds file."""
    folder.mkdir()
    rng = np.random.default_rng(3)
    idx = pa.array(np.arange(ROWS)).cast(pa.string())
    cents = rng.integers(1, 50_000, ROWS)
    n = ROWS
    orders = {
        "order_line_id": pc.binary_join_element_wise("X", idx, ""),
        "order_id": pc.binary_join_element_wise("Y", idx, ""),
        "ordered_at": pa.array(["2026-11-07T10:00:00Z"] * n),
        "updated_at": pa.array(["2026-11-07T10:00:00Z"] * n),
        "product_id": pa.array(np.array(["P1", "P2", "P3"])[rng.integers(0, 3, n)]),
        "creator_id": pa.array(np.array(["C1", "C2", ""])[rng.integers(0, 3, n)]),
        "content_id": pa.array([""] * n),
        "quantity": pa.array(rng.integers(1, 5, n)).cast(pa.string()),
        "unit_price": pc.binary_join_element_wise(
            pa.array(cents // 100).cast(pa.string()),
            pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0"),
            ".",
        ),
        "currency": pa.array(np.array(["USD", "GBP"])[rng.integers(0, 2, n)]),
        "status": pa.array(np.array(["placed", "cancelled"])[rng.integers(0, 2, n)]),
        "commission_rate": pa.array(np.array(["", "0.07"])[rng.integers(0, 2, n)]),
        "content_type": pa.array([""] * n),
    }
    pacsv.write_csv(pa.table(orders), folder / "orders.csv")
    with open(folder / "orders.csv", "a", encoding="utf-8") as fh:  # tiny's L1 cancelled later
        fh.write("L1,O1,2026-11-01T10:00:00Z,2026-11-08T00:00:00Z,P1,C1,V1,2,20.00,USD,"
                 "cancelled,,video\n")  # fmt: skip
    refunds = {
        "refund_id": pc.binary_join_element_wise("R", idx[:5000], ""),
        "order_line_id": pc.binary_join_element_wise("X", idx[:5000], ""),
        "refunded_at": pa.array(["2026-11-09T00:00:00Z"] * 5000),
        "amount": pa.array(["1.00"] * 5000),
        "currency": pa.array(["USD"] * 5000),
    }
    pacsv.write_csv(pa.table(refunds), folder / "refunds.csv")
    assert list(orders) == ORDER_COLUMNS
    return folder


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _wait_for_new_file(root: Path, proc: subprocess.Popen[bytes]) -> None:
    before = _files(root)
    while proc.poll() is None and not _files(root) - before - {root / "_lock"}:
        time.sleep(0.005)


def _live_files_only(lake: Lake) -> None:
    manifest = lake.manifest()
    live = {p for parts in manifest.parts.values() for p in parts}
    on_disk = {
        f"{d.name}/{f.name}"
        for d in lake.root.iterdir()
        if d.is_dir() and not d.name.startswith("_")
        for f in d.iterdir()
    }
    assert on_disk == live


def test_sigkill_at_random_points_then_rerun(tmp_path: Path) -> None:
    big = _big_batch(tmp_path / "big")
    ref_home, home = tmp_path / "ref", tmp_path / "crash"
    for h in (ref_home, home):
        assert run_cli(h, "ingest", str(TINY)).returncode == 0
    before = fingerprint(Lake(home / "lake"))
    started = time.monotonic()
    assert run_cli(ref_home, "ingest", str(big)).returncode == 0
    duration = time.monotonic() - started
    ref_lake = Lake(ref_home / "lake")
    after = fingerprint(ref_lake)
    assert after != before

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    lake = Lake(home / "lake")
    env = {**os.environ, "SHOPSTAR_HOME": str(home)}
    for attempt in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "shopstar", "ingest", str(big)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if attempt % 2 == 0:
            time.sleep(rng.uniform(0.3, duration))
        else:  # kill while it writes: soon after its first new file appears
            _wait_for_new_file(lake.root, proc)
            time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = fingerprint(lake)
        assert state in (before, after), f"partial batch visible (seed {seed}, kill {attempt})"

    assert run_cli(home, "ingest", str(big)).returncode == 0
    assert contents(lake) == contents(ref_lake), f"seed {seed}"
    assert summaries(lake) == summaries(ref_lake)
    with lake.writer():  # a writer first removes what killed runs left behind
        _live_files_only(lake)
    assert contents(lake) == contents(ref_lake)
