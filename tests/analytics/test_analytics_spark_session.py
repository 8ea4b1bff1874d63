"""The local Spark session of `--engine spark` and the facts it materialises."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from shopstar.analytics.engines import connect, materialise

pytestmark = [pytest.mark.spark]


@pytest.fixture(scope="module")
def spark_con() -> Iterator[Any]:
    con = connect("spark", "local[1]")
    yield con
    con.disconnect()


def _persisted(con: Any) -> int:
    """RDDs the session holds in memory (the JVM's count: PySpark has no public one)."""
    return int(con.raw_sql("SELECT 1").sparkSession.sparkContext._jsc.getPersistentRDDs().size())


def test_materialise_holds_the_union_until_released(spark_con: Any, tmp_path: Path) -> None:
    pq.write_table(pa.table({"k": [1, 2, 2, 3], "v": [0.5, 1.5, 2.0, 4.0]}), tmp_path / "r.parquet")
    rows = spark_con.read_parquet(tmp_path / "r.parquet")
    parts = [
        rows.filter(rows.k < 3).group_by("k").aggregate(total=rows.v.sum()),
        rows.filter(rows.k >= 3).group_by("k").aggregate(total=rows.v.sum()),
    ]
    before = _persisted(spark_con)
    table, release = materialise(spark_con, parts)
    assert _persisted(spark_con) == before + 1
    names = set(spark_con.list_tables())
    got = spark_con.to_pyarrow(table.order_by("k"))
    assert got.to_pydict() == {"k": [1, 2, 3], "total": [0.5, 3.5, 4.0]}
    release()
    assert _persisted(spark_con) == before
    assert set(spark_con.list_tables()) < names
