"""The real ``shopstar ingest`` / ``shopstar summary`` in a subprocess: exit codes and formats."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from appworld import run_shopstar as run_cli

pytestmark = pytest.mark.slow  # several CLI subprocesses

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny"
COUNT_COLUMNS = ["entity", "read", "accepted", "duplicate", "superseded", "rejected", "skipped"]
SUMMARY_COLUMNS = [
    "key",
    "currency",
    "gmv",
    "net_gmv",
    "order_lines",
    "affiliate_gmv",
    "commission",
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("home")
    result = run_cli(home, "ingest", str(TINY), "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == COUNT_COLUMNS
    assert {r["entity"]: r["rejected"] for r in rows}["orders"] == "4"
    assert f"warning: skipped {TINY / 'README.md'}: its name matches no entity" in result.stderr
    assert "unknown column ignored: coupon_code" in result.stderr
    return home


def test_reingest_json_and_strict_exit_1(home: Path) -> None:
    result = run_cli(home, "ingest", str(TINY), "--format", "json", "--strict")
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert [list(r) for r in rows] == [COUNT_COLUMNS] * len(rows)
    assert sum(r["accepted"] for r in rows) == 0


def test_unreadable_input_exit_2(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "orders.csv"
    empty.write_bytes(b"")
    result = run_cli(home, "ingest", str(empty), str(TINY / "shops.csv"), "--format", "table")
    assert result.returncode == 2
    assert f"error: {empty}: file is empty (no header row)" in result.stderr
    assert "shops" in result.stdout  # the readable file was still ingested
    missing = run_cli(home, "ingest", str(tmp_path / "nope.csv"))
    assert missing.returncode == 2
    assert "no such file or directory" in missing.stderr


def test_summary_formats(home: Path) -> None:
    as_csv = run_cli(home, "summary", "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    assert as_csv.stdout.splitlines() == [
        ",".join(SUMMARY_COLUMNS),
        "all,GBP,105.00,60.00,2,105.00,3.00",
        "all,USD,119.99,114.99,5,82.49,8.90",
    ]
    as_json = json.loads(run_cli(home, "summary", "--by", "category", "--format", "json").stdout)
    assert [r["key"] for r in as_json] == ["beauty", "kitchen", None]
    assert list(as_json[0]) == SUMMARY_COLUMNS
    table = run_cli(home, "summary", "--by", "creator", "--format", "table")
    assert table.returncode == 0
    assert "(organic)" in table.stdout and "C1" in table.stdout
    bad = run_cli(home, "summary", "--by", "planet")
    assert bad.returncode == 2
