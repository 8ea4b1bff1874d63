"""The connections the scoring job uses, and what a run computes once for every analytic."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from shopstar.analytics import run
from shopstar.analytics.engines import connect
from shopstar.analytics.facts import fact_key
from shopstar.analytics.inputs import parquet_tables
from shopstar.analytics.run import latest_day, score, shared_facts
from shopstar.analytics.skill import (
    SKILL_DAYS,
    kind_totals,
    pair_exposure,
    reweighted_totals,
    skill_table,
)
from shopstar.sim import SimConfig, generate


def test_duckdb_draws_no_progress_bar_of_its_own() -> None:
    con = connect("duckdb")
    try:
        setting = con.raw_sql("select current_setting('enable_progress_bar')").fetchone()
    finally:
        con.disconnect()
    assert setting == (False,)


def _inlined_reads(sql: str) -> Counter[str]:
    """How many times ``sql`` reads each table once every common table expression is inlined,
    as Spark does (it runs each read again)."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {cte.alias: cte.this for cte in tree.find_all(exp.CTE)}
    done: dict[str, Counter[str]] = {}

    def reads(node: exp.Expression) -> Counter[str]:
        out: Counter[str] = Counter()
        for table in node.find_all(exp.Table):
            if table.name in ctes and not table.db:
                if table.name not in done:
                    done[table.name] = reads(ctes[table.name])
                out.update(done[table.name])
            else:
                out[table.name] += 1
        return out

    main = tree.copy()
    main.set("with_", None)
    return reads(main)


def test_no_query_of_a_run_reads_the_order_lines_or_the_pairs_again_and_again(
    tmp_path: Path,
) -> None:
    """The skill query reads its creator × category × kind totals ~20 times and, through them,
    would read the creator × product pairs ~60 times (Spark computes each read again): the run
    computes the pairs and the totals once (shared facts); then neither the skill query nor any
    fact reads the order lines more than once or the pairs more than three times."""
    generate(tmp_path, SimConfig(creators=10, weeks=2, seed=3))
    con = connect("duckdb")
    tables = parquet_tables(con, tmp_path)
    day = latest_day(con, tables)
    with shared_facts(con, tables, day) as facts:
        names = {
            value.get_name().split(".")[-1]: key.split("@")[0]
            for key, value in facts.items()
            if key.startswith("fact:")
        }
        queries = {"skill": skill_table(facts, day)}
        for name, build in (
            ("pair_exposure", pair_exposure),
            ("kind_totals", kind_totals),
            ("reweighted_totals", reweighted_totals),
        ):
            key = fact_key(f"{name}_{SKILL_DAYS}", day)
            queries[name] = build({k: v for k, v in facts.items() if k != key}, day)
        for query, expr in queries.items():
            reads = {names.get(t, t): n for t, n in _inlined_reads(str(con.compile(expr))).items()}
            assert reads.get("fact:sold_lines", 0) <= 1, (query, reads)
            assert reads.get(f"fact:pair_exposure_{SKILL_DAYS}", 0) <= 3, (query, reads)
        skill_reads = _inlined_reads(str(con.compile(queries["skill"])))
        assert {names.get(t, t) for t in skill_reads} >= {f"fact:reweighted_totals_{SKILL_DAYS}"}
        assert con.to_pyarrow(queries["skill"]).num_rows > 0
    con.disconnect()


def _temp_tables(con: object) -> set[str]:
    rows = con.raw_sql("SELECT table_name FROM duckdb_tables()").fetchall()  # type: ignore[attr-defined]
    return {str(row[0]) for row in rows}


def test_each_fact_is_dropped_after_the_last_step_reading_it(tmp_path: Path) -> None:
    """The skill's pairs and first-pass totals go once the facts are built, the skill's
    second-pass totals after the skill, and so on: a run holds only what later steps read."""
    generate(tmp_path, SimConfig(creators=10, weeks=2, seed=3))
    con = connect("duckdb")
    tables = parquet_tables(con, tmp_path)
    day = latest_day(con, tables)
    with shared_facts(con, tables, day) as facts:

        def held() -> set[str]:
            names = {
                v.get_name().split(".")[-1]: k.split("@")[0]
                for k, v in facts.items()
                if k.startswith("fact:")
            }
            return {names[t] for t in _temp_tables(con) if t in names}

        everything = {k.split("@")[0] for k in facts if k.startswith("fact:")}
        assert held() == everything
        facts.done("facts")
        skill = {f"fact:pair_exposure_{SKILL_DAYS}", f"fact:kind_totals_{SKILL_DAYS}"}
        skill |= {"fact:products_shown", f"fact:first_multipliers_{SKILL_DAYS}"}
        assert held() == everything - skill
        facts.done("skill")
        facts.done("rising")
        assert held() == {"fact:sold_lines", "fact:content_totals", "fact:content_products"} | {
            "fact:content_categories"
        }
        facts.done("metrics")
        assert held() == {"fact:sold_lines", "fact:content_totals", "fact:content_products"}
    assert not _temp_tables(con)
    con.disconnect()


def test_facts_too_large_for_memory_are_stored_compressed_with_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the facts would take more than half DuckDB's memory limit, they go to a compressed
    database file of the run's own (removed afterwards) instead of temporary tables, and the
    per-content totals are aggregated in parts; every result is the same, bit for bit."""
    generate(tmp_path / "sim", SimConfig(creators=20, weeks=3, seed=5))
    con = connect("duckdb")
    tables = parquet_tables(con, tmp_path / "sim")
    in_memory = score(con, tables)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    monkeypatch.setattr(run, "_sizes", lambda *_: (True, 3))  # as a run too large for memory
    seen: list[list[str]] = []
    real_keep = run.SharedFacts.keep

    def keep(self: run.SharedFacts, key: str, table: object, *rest: object) -> None:
        seen.append([p.name for p in scratch.iterdir()])
        real_keep(self, key, table, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(run.SharedFacts, "keep", keep)
    stored = score(con, tables)
    con.disconnect()
    assert seen and all(any(n.startswith("shopstar-facts-") for n in names) for names in seen)
    assert not any(scratch.iterdir())  # removed with its tables
    for name in ("metrics", "stars", "rising", "trends"):
        a, b = getattr(in_memory, name), getattr(stored, name)
        assert a.num_rows > 0 and a.equals(b), name
