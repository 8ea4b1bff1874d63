"""Markets drawn in shards: one-shard runs are unchanged, sharded files hold whole shards."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from shopstar.contract import ENTITIES
from shopstar.errors import ShopstarError
from shopstar.lake import Lake, ingest_paths
from shopstar.sim import SimConfig, generate, load_truth
from shopstar.sim.config import SINGLE_SHARD_CREATOR_WEEKS

FACTS = ("creator_daily", "content", "content_products", "content_daily", "orders", "refunds")


def test_a_one_shard_run_draws_what_it_drew_before_sharding(tmp_path: Path) -> None:
    # figures of this config from the generator before shards existed (commit d4d5b1d)
    result = generate(tmp_path, SimConfig(creators=50, weeks=2, seed=5))
    assert len(result.shard_rows) == 1 and result.order_lines == 1484
    assert result.rows["orders"] == 1530 and result.rows["content_daily"] == 1626
    con = duckdb.connect()
    orders = con.sql(
        f"select sum(quantity * unit_price), max(order_line_id), max(content_id), "
        f"sum(commission_rate) from '{result.files['orders']}'"
    ).fetchall()
    assert orders == [(Decimal("32496.70"), "ol-1483", "ct-0317", Decimal("88.060000"))]
    daily = con.sql(
        f"select sum(views), sum(product_clicks) from '{result.files['content_daily']}'"
    )
    assert daily.fetchall() == [(396382, 7261)]
    assert "shard_creators" not in load_truth(tmp_path).manifest["config"]


def test_shards_are_automatic_only_for_large_runs() -> None:
    assert len(SimConfig(creators=90_000, weeks=16).shards()) == 1  # a 10M-line lake
    big = SimConfig(creators=SINGLE_SHARD_CREATOR_WEEKS // 16 + 1, weeks=16)
    shards = big.shards()
    assert len(shards) > 1 and shards[0][0] == 0 and shards[-1][1] == big.creators
    assert all(a[1] == b[0] for a, b in itertools.pairwise(shards))
    with pytest.raises(ShopstarError, match="one shard"):
        SimConfig(creators=100, messy=True, shard_creators=30)


def test_each_shard_holds_its_order_lines_whole_and_ingests(tmp_path: Path) -> None:
    config = SimConfig(creators=200, weeks=3, seed=3, shard_creators=50)
    result = generate(tmp_path / "market", config)
    assert len(result.shard_rows) == 4
    for name in FACTS:
        assert sum(s[name] for s in result.shard_rows) == result.rows[name]
    assert load_truth(result.out).manifest["shard_rows"] == list(result.shard_rows)
    orders = pq.read_table(result.files["orders"])
    refunds = pq.read_table(result.files["refunds"])
    assert orders.num_rows == result.rows["orders"]
    start = refund_start = 0
    for shard in result.shard_rows:
        lines = orders.slice(start, shard["orders"])
        placed = lines.filter(pc.equal(lines["status"], "placed"))["order_line_id"]
        cancelled = lines.filter(pc.equal(lines["status"], "cancelled"))["order_line_id"]
        assert pc.all(pc.is_in(cancelled, placed)).as_py() is True
        refunded = refunds.slice(refund_start, shard["refunds"])["order_line_id"]
        assert pc.all(pc.is_in(refunded, placed)).as_py() is True
        start, refund_start = start + shard["orders"], refund_start + shard["refunds"]
    for name in ("orders", "content", "refunds"):
        key = ENTITIES[name].key[0]
        ids = pq.read_table(result.files[name])[key]
        distinct = pc.count_distinct(ids).as_py()
        assert distinct == (result.order_lines if name == "orders" else len(ids))
    report = ingest_paths(Lake(tmp_path / "lake"), [result.out])
    assert not report.warnings
    counts = {row["entity"]: row for row in report.rows()}
    assert all(counts[n]["rejected"] == counts[n]["duplicate"] == 0 for n in ENTITIES)
    assert counts["orders"]["accepted"] == result.order_lines
    assert counts["orders"]["superseded"] == result.expected_ingest["orders"]["superseded"]


def test_shards_share_the_catalogue_creators_and_their_truth(tmp_path: Path) -> None:
    one = generate(tmp_path / "one", SimConfig(creators=120, weeks=2, seed=9))
    split = generate(
        tmp_path / "split", SimConfig(creators=120, weeks=2, seed=9, shard_creators=40)
    )
    for name in ("agencies", "shops", "products"):
        assert pq.read_table(one.files[name]).equals(pq.read_table(split.files[name]))
    for name in ("creators", "creator_category", "products"):
        path = f"truth/{name}.parquet"
        assert pq.read_table(one.out / path).equals(pq.read_table(split.out / path))
