"""The simulator writes contract files that ingest accepts exactly, deterministically."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from shopstar.contract import ENTITIES
from shopstar.errors import ShopstarError
from shopstar.lake import Lake, ingest_paths
from shopstar.sim import SimConfig, SimResult, generate


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_parquet_files_have_exactly_the_contract_schema(small_market: SimResult) -> None:
    assert set(small_market.files) == set(ENTITIES)
    for name, path in small_market.files.items():
        assert path.name == f"{name}.parquet"
        assert pq.read_schema(path).remove_metadata() == ENTITIES[name].schema
        assert small_market.rows[name] == pq.read_metadata(path).num_rows > 0


def test_clean_market_ingests_with_zero_rejects(small_market: SimResult, tmp_path: Path) -> None:
    report = ingest_paths(Lake(tmp_path / "lake"), [small_market.out])
    assert not report.unreadable and not report.warnings
    counts = {row["entity"]: row for row in report.rows()}
    assert set(counts) == set(ENTITIES)
    for name, row in counts.items():
        assert row["read"] == small_market.rows[name]
        assert row["rejected"] == 0 and row["duplicate"] == 0
    cancellations = small_market.rows["orders"] - small_market.order_lines
    assert cancellations > 0
    assert counts["orders"]["superseded"] == cancellations
    assert counts["orders"]["accepted"] == small_market.order_lines


@pytest.mark.parametrize("file_format", ["parquet", "csv"])
def test_messy_market_gives_the_expected_rejects_and_duplicates(
    tmp_path: Path, file_format: str
) -> None:
    config = SimConfig(creators=60, weeks=3, seed=3, messy=True, format=file_format)  # type: ignore[arg-type]
    result = generate(tmp_path / "market", config)
    assert (tmp_path / "market" / "orders-messy.csv").is_file()
    assert (tmp_path / "market" / f"orders-resent.{file_format}").is_file()
    report = ingest_paths(Lake(tmp_path / "lake"), [result.out])
    assert not report.unreadable
    got = {row["entity"]: row for row in report.rows()}
    for name, expected in result.expected_ingest.items():
        assert {k: got[name][k] for k in expected} == expected, name
    assert got["orders"]["rejected"] == 10 and got["orders"]["duplicate"] > 0
    assert report.quarantine is not None and report.quarantine.exists()


def test_csv_format_writes_iso_timestamps(tmp_path: Path) -> None:
    result = generate(tmp_path, SimConfig(creators=20, weeks=1, format="csv"))
    with result.files["orders"].open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == list(ENTITIES["orders"].column_names)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r["ordered_at"]) for r in rows)
    assert any(r["creator_id"] == "" for r in rows)  # organic lines: empty creator


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    config = SimConfig(creators=80, weeks=4, seed=11, messy=True)
    generate(tmp_path / "a", config)
    generate(tmp_path / "b", config)
    generate(tmp_path / "c", SimConfig(creators=80, weeks=4, seed=12, messy=True))
    a, b, c = (_digests(tmp_path / d) for d in "abc")
    assert "truth/creator_category.parquet" in a and "orders.parquet" in a
    assert a == b
    assert a["orders.parquet"] != c["orders.parquet"]


def test_category_subset_and_any_start_day(tmp_path: Path) -> None:
    config = SimConfig(
        creators=40, weeks=2, categories=("beauty", "pets"), start=dt.date(2026, 1, 7)
    )
    result = generate(tmp_path, config)
    products = pq.read_table(result.files["products"]).to_pydict()
    assert set(products["category"]) == {"beauty", "pets"}
    dates = pq.read_table(result.files["creator_daily"])["date"].to_pylist()
    assert min(dates) == dt.date(2026, 1, 7) and max(dates) == dt.date(2026, 1, 20)


def test_invalid_config_is_a_user_error() -> None:
    with pytest.raises(ShopstarError, match="categories"):
        SimConfig(categories=("toys",))
    with pytest.raises(ShopstarError, match="creators"):
        SimConfig(creators=2)


def test_a_new_run_replaces_the_files_of_an_earlier_one(tmp_path: Path) -> None:
    generate(tmp_path, SimConfig(creators=20, weeks=1, messy=True, format="csv"))
    (tmp_path / "notes.txt").write_text("mine")
    result = generate(tmp_path, SimConfig(creators=20, weeks=1))
    written = {p.name for p in tmp_path.iterdir() if p.is_file()}
    assert written == {p.name for p in result.files.values()} | {"notes.txt"}
