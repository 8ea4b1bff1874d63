"""What the skill's facts read from the run's other facts."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from ibis.backends import BaseBackend

from shopstar.analytics.engines import connect
from shopstar.analytics.facts import content_products, fact_key, products_shown
from shopstar.analytics.inputs import parquet_tables
from shopstar.analytics.run import SharedFacts, latest_day, shared_facts
from shopstar.analytics.skill import (
    PRIOR_LINES,
    SKILL_DAYS,
    expected_lines,
    first_multipliers,
    kind_totals,
    pair_exposure,
    reweighted_totals,
)
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


def _ctes_copying(sql: str, table: str) -> list[str]:
    """The common table expressions of ``sql`` that copy rows of ``table`` (read it without
    aggregating them): DuckDB materialises a CTE read more than once."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = tree.args.get("with_") or tree.args.get("with")
    copying = []
    for cte in ctes.expressions if ctes else []:
        reads = {t.name for t in cte.this.find_all(sqlglot.exp.Table)}
        if table in reads and cte.this.args.get("group") is None:
            copying.append(str(cte.alias))
    return copying


def test_the_two_passes_copy_no_pairs_and_weigh_sellers_from_the_first_passes_fact(
    run_facts: tuple[BaseBackend, SharedFacts, dt.date],
) -> None:
    """The first pass's baselines read the pairs fact as it is (no copy of its rows, 6.5M at
    10M order lines, with a weight of 1 added); the second pass joins the pairs with the first
    pass's multipliers, a fact of its own (not computed again from the first pass's totals),
    for the products' sums and for each pair."""
    con, facts, day = run_facts
    pairs = facts[fact_key(f"pair_exposure_{SKILL_DAYS}", day)].get_name().split(".")[-1]
    sellers = facts[fact_key(f"first_multipliers_{SKILL_DAYS}", day)].get_name().split(".")[-1]
    first = facts[fact_key(f"kind_totals_{SKILL_DAYS}", day)].get_name().split(".")[-1]
    for name, build in (("kind_totals", kind_totals), ("reweighted_totals", reweighted_totals)):
        key = fact_key(f"{name}_{SKILL_DAYS}", day)
        sql = str(con.compile(build({k: v for k, v in facts.items() if k != key}, day)))
        assert _ctes_copying(sql, pairs) == [], name
        if name == "reweighted_totals":  # the multipliers are read, not computed again
            assert _scans(con, sql, sellers) >= 1
            assert _scans(con, sql, first) == 1


def _smoothed(lines: float, exposure: float, prior: float | None) -> float:
    return (lines + PRIOR_LINES) / (exposure + PRIOR_LINES / prior) if prior and prior > 0 else 0.0


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def _leave_one_out(pairs: list[dict[str, Any]], weight: dict[tuple[str, str], float]) -> list[Any]:
    """expected and recent_value of each pair, computed row by row in Python."""
    product: dict[tuple[str, str], list[float]] = {}
    category: dict[tuple[str, str], list[float]] = {}
    for p in pairs:
        w = weight.get((p["creator_id"], p["category"]), 1.0)
        sums = [p["exposure"] * w, p["lines"], p["recent_exposure"] * w, p["recent_lines"]]
        sums.append(float(p["recent_gmv"]))
        per = product.setdefault((p["product_id"], p["kind"]), [0.0] * 5)
        product[(p["product_id"], p["kind"])] = [a + b for a, b in zip(per, sums, strict=True)]
        cat = category.setdefault((p["category"], p["kind"]), [0.0] * 4)
        more = [p["lines"], p["exposure"] * w, p["recent_lines"], p["recent_exposure"] * w]
        category[(p["category"], p["kind"])] = [a + b for a, b in zip(cat, more, strict=True)]
        category[(p["category"], p["kind"], "gmv")] = [  # type: ignore[index]
            category.get((p["category"], p["kind"], "gmv"), [0.0])[0]  # type: ignore[arg-type]
            + float(p["gmv"])
        ]
    out = []
    for p in pairs:
        w = weight.get((p["creator_id"], p["category"]), 1.0)
        pe, pl, re, rl, rg = product[(p["product_id"], p["kind"])]
        cl, ce, crl, cre = category[(p["category"], p["kind"])]
        (cg,) = category[(p["category"], p["kind"], "gmv")]  # type: ignore[index]
        rate = _smoothed(pl - p["lines"], pe - p["exposure"] * w, _ratio(cl, ce))
        recent = _smoothed(rl, re, _ratio(crl, cre) or 0.0)
        line_gmv = rg / rl if rl > 0 else (_ratio(cg, cl) or 0.0)
        key = (p["creator_id"], p["product_id"], p["kind"])
        out.append((key, p["exposure"] * rate, p["recent_exposure"] * recent * line_gmv))
    return sorted(out)


def test_expected_lines_are_each_pairs_leave_one_out_rate_of_its_product(
    run_facts: tuple[BaseBackend, SharedFacts, dt.date],
) -> None:
    """Both passes' expected lines and recent value, against the same sums in Python."""
    con, facts, day = run_facts
    pairs = pair_exposure(facts, day)
    sellers = first_multipliers(facts, day)
    weights = {
        (r["creator_id"], r["category"]): r["multiplier"]
        for r in con.to_pyarrow(sellers).to_pylist()
    }
    rows = con.to_pyarrow(pairs).to_pylist()
    assert len(rows) > 10 and any(w != 1.0 for w in weights.values())
    for weight, sellers_or_none in (({}, None), (weights, sellers)):
        got = [
            ((r["creator_id"], r["product_id"], r["kind"]), r["expected"], r["recent_value"])
            for r in con.to_pyarrow(expected_lines(pairs, sellers_or_none)).to_pylist()
        ]
        want = _leave_one_out(rows, weight)
        assert [g[0] for g in sorted(got)] == [w[0] for w in want]
        for (_, e, v), (_, we, wv) in zip(sorted(got), want, strict=True):
            assert math.isclose(e, we, rel_tol=1e-6, abs_tol=1e-9)
            assert math.isclose(v, wv, rel_tol=1e-6, abs_tol=1e-9)
