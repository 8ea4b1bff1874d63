"""``shopstar sim generate`` and ``shopstar demo`` run as real subprocesses."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopstar.contract import ENTITIES


def _shopstar(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPSTAR_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "shopstar", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_sim_generate_writes_every_entity_and_the_truth(tmp_path: Path) -> None:
    out = tmp_path / "market"
    done = _shopstar(
        tmp_path, "sim", "generate", str(out), "--creators", "40", "--weeks", "2",
        "--seed", "5", "--format", "csv", "--messy", "--format", "csv",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["entity"] for r in rows if r["entity"] != "(messy)"] == list(ENTITIES)
    assert {r["file"] for r in rows} >= {"orders.csv", "orders-messy.csv", "orders-resent.csv"}
    for name in ENTITIES:
        assert (out / f"{name}.csv").is_file()
    assert (out / "truth" / "creator_category.parquet").is_file()
    assert "order lines" in done.stderr


def test_sim_generate_refuses_bad_options(tmp_path: Path) -> None:
    done = _shopstar(tmp_path, "sim", "generate", str(tmp_path / "x"), "--creators", "3")
    assert done.returncode == 2
    assert "creators" in done.stderr


@pytest.mark.slow
def test_demo_builds_ingests_and_summarises_idempotently(tmp_path: Path) -> None:
    demo = ("demo", "--creators", "60", "--weeks", "3", "--no-serve")
    first = _shopstar(tmp_path, *demo)
    assert first.returncode == 0, first.stderr
    assert "simulated 60 creators" in first.stderr
    assert "ingested" in first.stderr
    first_summary, logins = first.stdout.split("role,email")
    assert "creator@demo.shopstar.test" in logins
    summary = list(csv.DictReader(io.StringIO(first_summary)))
    assert {"beauty", "fashion", "electronics"} <= {r["key"] for r in summary}
    assert all(float(r["gmv"]) > 0 and r["currency"] == "USD" for r in summary)
    assert (tmp_path / "demo" / "orders.parquet").is_file()
    assert any((tmp_path / "lake").iterdir())
    again = _shopstar(tmp_path, *demo)
    assert again.returncode == 0, again.stderr
    assert "ingested 0 new rows" in again.stderr
    assert again.stdout.split("role,email")[0] == first_summary
