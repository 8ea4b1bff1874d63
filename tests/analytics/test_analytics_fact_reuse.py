"""What the skill's facts read from the run's other facts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from ibis.backends import BaseBackend

from shopstar.analytics.engines import connect
from shopstar.analytics.facts import content_products, fact_key, products_shown
from shopstar.analytics.inputs import parquet_tables
from shopstar.analytics.run import SharedFacts, latest_day, shared_facts
from shopstar.analytics.skill import SKILL_DAYS, kind_totals, pair_exposure
from shopstar.sim import SimConfig, generate


@pytest.fixture(scope="module")
def run_facts(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[BaseBackend, SharedFacts, dt.date]]:
    path: Path = tmp_path_factory.mktemp("sim")
    generate(path, SimConfig(creators=10, weeks=2, seed=3))
    con = connect("duckdb")
    tables = parquet_tables(con, path)
    day = latest_day(con, tables)
    with shared_facts(con, tables, day) as facts:
        yield con, facts, day
    con.disconnect()


def _scans(con: BaseBackend, sql: str, table: str) -> int:
    """How many times DuckDB's physical plan of ``sql`` scans ``table``."""
    rows = con.raw_sql(f"EXPLAIN {sql}").fetchall()  # type: ignore[attr-defined]
    plan = "\n".join(str(row[1]) for row in rows)
    return plan.count(table)


def test_the_skill_facts_read_each_content_once_and_count_no_products(
    run_facts: tuple[BaseBackend, SharedFacts, dt.date],
) -> None:
    """The pairs and the kind totals take a content's views of 90 and of 28 days from one row
    of the per-content totals (not the totals joined with themselves), and its number of
    products from the run's products-shown fact (the content products are not counted again
    in each query)."""
    con, facts, day = run_facts
    totals = facts[fact_key("content_totals", day)].get_name().split(".")[-1]
    featured = facts[fact_key("content_products")].get_name().split(".")[-1]
    for name, build in (("pair_exposure", pair_exposure), ("kind_totals", kind_totals)):
        key = fact_key(f"{name}_{SKILL_DAYS}", day)
        sql = str(con.compile(build({k: v for k, v in facts.items() if k != key}, day)))
        assert _scans(con, sql, totals) == 1, name
        assert _scans(con, sql, featured) <= 1, name


def test_products_shown_counts_each_contents_products(
    run_facts: tuple[BaseBackend, SharedFacts, dt.date],
) -> None:
    con, facts, _ = run_facts
    rows = con.to_pyarrow(content_products(facts))
    counts = rows.group_by("content_id").aggregate([("product_id", "count")])
    expected = dict(zip(*counts.columns, strict=True))
    shown = con.to_pyarrow(products_shown(facts))
    assert dict(zip(*shown.columns, strict=True)) == expected
    assert len(expected) > 0
