"""DuckDB scoring connections keep to a memory limit and spill to a directory of their own."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from shopstar.analytics.engines import connect
from shopstar.config import DUCKDB_MEMORY_LIMIT, get_settings
from shopstar.errors import ShopstarError


def _setting(con: object, name: str) -> str:
    (row,) = con.raw_sql(f"SELECT current_setting('{name}')").fetchall()  # type: ignore[attr-defined]
    return str(row[0])


def test_a_query_larger_than_the_limit_spills_and_cleans_up() -> None:
    con = connect("duckdb", duckdb_memory_limit="100MB")
    spill = Path(_setting(con, "temp_directory"))
    assert _setting(con, "memory_limit") in {"95.3 MiB", "100.0 MB"}
    (row,) = con.raw_sql(
        "SELECT count(*) FROM (SELECT i, count(*) FROM range(20000000) t(i) GROUP BY i)"
    ).fetchall()
    assert row[0] == 20_000_000
    assert spill.is_dir() and any(spill.iterdir())  # it did spill
    con.disconnect()
    assert not spill.exists()


def test_the_limit_is_a_setting_and_a_bad_one_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert get_settings().duckdb_memory_limit == DUCKDB_MEMORY_LIMIT
    monkeypatch.setenv("SHOPSTAR_DUCKDB_MEMORY_LIMIT", "3GB")
    assert get_settings().duckdb_memory_limit == "3GB"
    with pytest.raises(ShopstarError, match="duckdb_memory_limit"):
        connect("duckdb", duckdb_memory_limit="lots")
    with pytest.raises(ShopstarError, match="duckdb_spill_limit"):
        connect("duckdb", duckdb_spill_limit="lots")


def test_a_query_needing_more_than_the_spill_limit_fails() -> None:
    con = connect("duckdb", duckdb_memory_limit="50MB", duckdb_spill_limit="20MB")
    with pytest.raises(duckdb.Error, match=r"(?i)temp|disk|memory"):
        con.raw_sql(
            "SELECT count(*) FROM (SELECT i, count(*) FROM range(20000000) t(i) GROUP BY i)"
        ).fetchall()
    con.disconnect()
