"""The DuckDB connection the scoring job uses."""

from __future__ import annotations

from shopstar.analytics.engines import connect


def test_duckdb_draws_no_progress_bar_of_its_own() -> None:
    con = connect("duckdb")
    try:
        setting = con.raw_sql("select current_setting('enable_progress_bar')").fetchone()
    finally:
        con.disconnect()
    assert setting == (False,)
