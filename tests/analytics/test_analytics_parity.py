"""The same scoring run on DuckDB and on a local PySpark gives the same results:
exact for counts, ids and money, 1e-9 relative for floats."""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from shopstar.analytics.engines import connect
from shopstar.analytics.inputs import parquet_tables
from shopstar.analytics.run import ScoreResult, latest_day, score
from shopstar.sim import SimConfig, generate

pytestmark = [pytest.mark.slow, pytest.mark.spark]

TABLES = ("metrics", "stars", "rising", "trends")


@pytest.fixture(scope="module")
def market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out: Path = tmp_path_factory.mktemp("sim")
    generate(out, SimConfig(creators=60, weeks=8, seed=7))
    return out


@pytest.fixture(scope="module")
def spark_con() -> Iterator[ibis.BaseBackend]:
    con = connect("spark", "local[2]")
    yield con
    con.disconnect()


@pytest.fixture(scope="module")
def runs(market: Path, spark_con: ibis.BaseBackend) -> tuple[ScoreResult, ScoreResult]:
    duck = ibis.duckdb.connect()
    duck_tables = parquet_tables(duck, market)
    as_of = latest_day(duck, duck_tables)
    spark_tables = parquet_tables(spark_con, market)
    assert latest_day(spark_con, spark_tables) == as_of
    return score(duck, duck_tables, as_of), score(spark_con, spark_tables, as_of)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, float) or isinstance(b, float):  # a NaN on one side, a null on the other
        value = a if isinstance(a, float) else b
        return (a is None or b is None) and math.isnan(value)  # type: ignore[arg-type]
    return a == b


@pytest.mark.parametrize("name", TABLES)
def test_duckdb_and_spark_agree(runs: tuple[ScoreResult, ScoreResult], name: str) -> None:
    duck: pa.Table = getattr(runs[0], name)
    spark: pa.Table = getattr(runs[1], name)
    assert duck.num_rows > 0
    assert duck.column_names == spark.column_names
    assert duck.num_rows == spark.num_rows
    for column in duck.column_names:
        left, right = duck.column(column).to_pylist(), spark.column(column).to_pylist()
        bad = [
            (i, x, y) for i, (x, y) in enumerate(zip(left, right, strict=True)) if not _same(x, y)
        ]
        assert not bad, f"{name}.{column}: first differences {bad[:3]}"
        if left and isinstance(left[0], Decimal):
            assert sum(left) == sum(right)  # money: exact


def test_both_engines_pick_the_same_top_stars(runs: tuple[ScoreResult, ScoreResult]) -> None:
    def top(result: ScoreResult) -> list[str]:
        stars = result.stars.sort_by([("star_score", "descending"), ("creator_id", "ascending")])
        return stars.column("creator_id").to_pylist()[:20]

    assert top(runs[0]) == top(runs[1])
