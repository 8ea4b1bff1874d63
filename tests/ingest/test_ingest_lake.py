"""The lake's outside face: typed (Parquet) input, adapter-level inputs with pre-rejected rows,
orphan clean-up, and ``lake_tables`` on DuckDB and PySpark."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lake_support import contents, summaries

from shopstar.analytics.source import lake_tables
from shopstar.analytics.summary import summary
from shopstar.contract import ENTITIES
from shopstar.lake import Lake, RawInput, Reject, ingest_paths, ingest_raw

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny"
UTC = dt.UTC


def _typed_orders() -> pa.Table:
    ts = dt.datetime(2026, 11, 1, 10, tzinfo=UTC)
    return pa.table(
        {
            "order_line_id": ["T1", "T2", "T3"],
            "order_id": ["O1", "O1", "O2"],
            "ordered_at": [ts, ts, ts],
            "updated_at": [ts, ts, ts],
            "product_id": ["P1", "P1", "P1"],
            "creator_id": ["C1", None, None],
            "content_id": [None, None, None],
            "quantity": [1, 2, 0],
            "unit_price": [Decimal("10.00"), Decimal("2.50"), Decimal("1.00")],
            "currency": ["USD", "USD", "USD"],
            "status": ["placed", "placed", "placed"],
            "commission_rate": pa.array([Decimal("0.1"), None, None], pa.decimal128(9, 6)),
            "content_type": [None, None, None],
        },
        schema=ENTITIES["orders"].schema.remove_metadata(),
    )


def test_typed_parquet_input_keeps_range_checks(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(_typed_orders(), path)
    lake = Lake(tmp_path / "lake")
    report = ingest_paths(lake, [path])
    counts = report.counts["orders"]
    assert (counts.read, counts.accepted, counts.rejected) == (3, 2, 1)
    assert report.quarantine is not None
    record = json.loads(report.quarantine.read_text())
    assert (record["line"], record["reason"]) == (3, 'quantity: "0" must be greater than 0')
    schema = pq.read_schema(lake.files("orders")[0])
    assert schema.names == list(ENTITIES["orders"].column_names)
    assert [f.type for f in schema] == [f.type for f in ENTITIES["orders"].schema]


def test_float_money_goes_through_text(tmp_path: Path) -> None:
    table = _typed_orders().set_column(8, "unit_price", pa.array([10.0, 0.1 + 0.2, 1.5]))
    table = table.set_column(7, "quantity", pa.array([1, 1, 1]))
    report = ingest_raw(Lake(tmp_path / "lake"), [RawInput("orders", "api", table)])
    assert report.counts["orders"].accepted == 2  # 0.30000000000000004 has too many places


def test_raw_inputs_with_pre_rejected_rows_are_one_batch(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    agencies = pa.table({"agency_id": ["A1", "A2"], "name": ["North", "South"], "x": ["", ""]})
    shops = pa.table(
        {
            "shop_id": ["S1"],
            "name": ["Glow"],
            "region": ["US"],
            "size": ["smb"],
            "joined_at": ["2026-01-01T00:00:00+02:00"],
        }
    )
    bad = Reject(7, {"agency_id": "A3", "name": "?"}, "row has a broken quote")
    report = ingest_raw(
        lake,
        [
            RawInput("agencies", "agencies.xlsx", agencies, lines=[5, 6], rejects=[bad]),
            RawInput("shops", "shops.xlsx", shops, lines=[2]),
        ],
    )
    assert report.counts["agencies"].read == 3
    assert report.counts["agencies"].rejected == 1
    assert report.counts["shops"].accepted == 1
    assert report.warnings == ["agencies.xlsx: unknown column ignored: x"]
    assert lake.manifest().batches == [report.batch_id]
    assert report.quarantine is not None
    record = json.loads(report.quarantine.read_text())
    assert record == {
        "entity": "agencies",
        "source": "agencies.xlsx",
        "line": 7,
        "reason": "row has a broken quote",
        "row": {"agency_id": "A3", "name": "?"},
    }
    joined = contents(lake)["shops"][0][4]
    assert joined == dt.datetime(2025, 12, 31, 22, tzinfo=UTC)  # stored in UTC


def test_orphans_of_a_killed_run_are_removed_and_never_read(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [TINY / "shops.csv"])
    orphan = lake.root / "shops" / "20990101T000000000000Z-dead00-0.parquet"
    orphan.write_bytes(b"half a file")
    (lake.batches_dir / "20990101T000000000000Z-dead00.json").write_text("{")
    assert orphan not in lake.files("shops")
    ingest_paths(lake, [TINY / "agencies.csv"])
    assert not orphan.exists()
    assert not (lake.batches_dir / "20990101T000000000000Z-dead00.json").exists()


def test_lake_tables_empty_lake_has_every_entity(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    assert lake.is_empty()
    tables = lake_tables(ibis.duckdb.connect(), lake)
    assert set(tables) == set(ENTITIES)
    for name, table in tables.items():
        assert table.schema().names == ENTITIES[name].column_names
        assert table.count().execute() == 0
    assert summary(tables) == []


@pytest.fixture(scope="module")
def spark_con() -> Iterator[ibis.BaseBackend]:
    from shopstar.analytics.engines import connect

    con = connect("spark", "local[2]")
    yield con
    con.disconnect()


@pytest.mark.slow
@pytest.mark.spark
def test_lake_tables_and_summary_on_spark(tmp_path: Path, spark_con: ibis.BaseBackend) -> None:
    lake = Lake(tmp_path / "lake")
    ingest_paths(lake, [TINY])
    tables = lake_tables(spark_con, lake)
    assert tables["orders"].count().execute() == 8
    assert summary(tables, "creator") == summaries(lake, by=("creator",))["creator"]


def test_many_small_batches_stay_compact_and_exact(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    names = [f"A{i}" for i in range(30)]
    for i, name in enumerate(names):
        table = pa.table({"agency_id": [name, "A0"], "name": [f"n{i}", f"renamed {i}"]})
        report = ingest_raw(lake, [RawInput("agencies", f"a{i}.csv", table)])
        assert report.counts["agencies"].adds_up()
        assert len(lake.files("agencies")) <= 8
    rows = dict(contents(lake)["agencies"])
    assert set(rows) == set(names)
    assert rows["A0"] == "renamed 29"  # the later batch wins


def test_the_latest_line_of_a_batch_wins(tmp_path: Path) -> None:
    lake = Lake(tmp_path / "lake")
    table = pa.table({"agency_id": ["A1", "A1", "A1"], "name": ["first", "second", "first"]})
    counts = ingest_raw(lake, [RawInput("agencies", "a.csv", table)]).counts["agencies"]
    assert (counts.accepted, counts.duplicate, counts.superseded) == (1, 1, 1)
    assert contents(lake)["agencies"] == [("A1", "first")]


def test_parquet_with_nested_values_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "agencies.parquet"
    pq.write_table(pa.table({"agency_id": ["A1"], "name": pa.array([{"x": 1}])}), path)
    report = ingest_paths(Lake(tmp_path / "lake"), [path, TINY / "shops.csv"])
    assert report.unreadable == [(str(path), "column name holds struct<x: int64>, not values")]
    assert report.counts["shops"].accepted == 2


def test_quoted_value_spanning_lines_is_read(tmp_path: Path) -> None:
    path = tmp_path / "agencies.csv"
    path.write_text('agency_id,name\nA1,"North\nStar"\nA2,South\n', encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    assert ingest_paths(lake, [path]).counts["agencies"].accepted == 2
    assert contents(lake)["agencies"] == [("A1", "North\nStar"), ("A2", "South")]
