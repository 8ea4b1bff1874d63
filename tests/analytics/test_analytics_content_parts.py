"""The large-run path of the shared facts: the per-content totals aggregated in parts of the
content ids, the facts in the compressed store — the same results as the default path."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from shopstar.analytics import run
from shopstar.analytics.engines import connect
from shopstar.analytics.inputs import parquet_tables
from shopstar.sim import SimConfig, generate


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = tmp_path_factory.mktemp("sim")
    generate(path, SimConfig(creators=40, weeks=3, seed=5))
    return path


def _ids(market: Path) -> list[str]:
    return sorted(pa.parquet.read_table(market / "content.parquet")["content_id"].to_pylist())


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_the_ranges_hold_every_content_once_in_about_equal_parts(
    market: Path, parts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every content id falls in exactly one range; the parts hold about as many contents each
    whether the bounds come from all ids or from a sample of them."""
    ids = _ids(market)
    con = connect("duckdb")
    tables = parquet_tables(con, market)
    for per_part in (len(ids), 40):  # every id read, then a sample (about 40 ids per part)
        monkeypatch.setattr(run, "IDS_PER_PART", per_part)
        ranges = run.content_ranges(con, tables, parts)
        assert ranges[0][0] is None and ranges[-1][1] is None
        counts = [
            sum(1 for i in ids if (low is None or i >= low) and (high is None or i < high))
            for low, high in ranges
        ]
        assert sum(counts) == len(ids) and len(ranges) == parts
        assert max(counts) <= 2 * len(ids) / parts, counts
    assert run.content_ranges(con, tables, 1) == [(None, None)]
    con.disconnect()


def _scored(market: Path) -> run.ScoreResult:
    con = connect("duckdb")
    try:
        return run.score(con, parquet_tables(con, market))
    finally:
        con.disconnect()


def test_parts_and_the_compressed_store_give_the_default_results(
    market: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run sized as a large one (facts in the compressed store, the per-content totals in
    four parts by content id) publishes exactly what the default run does: every result
    table equal, floats bit for bit."""
    default = _scored(market)
    stores: list[int] = []
    ranges: list[int] = []
    sizes, content_ranges = run._sizes, run.content_ranges

    def spied_sizes(*args: object) -> tuple[bool, int]:
        compressed, parts = sizes(*args)  # type: ignore[arg-type]
        stores.append(compressed)
        return compressed, parts

    def spied_ranges(*args: object) -> list[tuple[str | None, str | None]]:
        found = content_ranges(*args)  # type: ignore[arg-type]
        ranges.append(len(found))
        return found

    # as many bytes per order line as make the facts over half the memory limit and the
    # per-content totals 3.5 halves of it, whatever the limit
    con = connect("duckdb")
    half = run.duckdb_memory_limit_bytes(con) / 2
    lines = int(con.execute(parquet_tables(con, market)["orders"].count()))
    con.disconnect()
    monkeypatch.setattr(run, "FACT_BYTES_PER_LINE", int(half / lines) + 1)
    monkeypatch.setattr(run, "CONTENT_BYTES_PER_LINE", int(3.5 * half / lines))
    monkeypatch.setattr(run, "_sizes", spied_sizes)
    monkeypatch.setattr(run, "content_ranges", spied_ranges)
    large = _scored(market)
    assert stores == [True] and ranges == [4]
    for name in ("metrics", "stars", "rising", "trends"):
        assert getattr(large, name).num_rows > 0
        assert getattr(large, name).equals(getattr(default, name)), name
