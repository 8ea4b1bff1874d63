"""Truth files load, and pair_values is the documented expectation."""

from __future__ import annotations

import numpy as np
import pytest

from shopstar.errors import ShopstarError
from shopstar.sim import SimResult, load_truth, pair_values
from shopstar.sim import model as m


def test_truth_files_have_the_promised_columns(small_market: SimResult) -> None:
    truth = load_truth(small_market.out)
    assert {"creator_id", "category", "true_skill", "true_potential"} <= set(
        truth.creator_category.columns
    )
    assert {
        "creator_id",
        "followers_initial",
        "followers_final",
        "weekly_growth",
        "is_rising",
    } <= set(truth.creators.columns)
    assert {"product_id", "week_start", "appeal", "units_sold"} <= set(
        truth.products_weekly.columns
    )
    weeks = truth.products_weekly.groupby("product_id").size()
    assert (weeks == small_market.rows["creator_daily"] // 300 // 7 + 2).all()
    future = truth.products_weekly[truth.products_weekly["is_future"]]
    assert future["units_sold"].isna().all() and (future["appeal"] >= 0).all()
    assert truth.manifest["order_lines"] == small_market.order_lines
    assert len(truth.creator_category) == 300 * 8


def test_units_sold_match_the_order_lines(small_market: SimResult) -> None:
    truth = load_truth(small_market.truth_dir)
    sold = truth.products_weekly["units_sold"].sum()
    import pyarrow.parquet as pq

    orders = pq.read_table(small_market.files["orders"]).to_pandas()
    latest = orders.sort_values("updated_at").groupby("order_line_id").tail(1)
    assert sold == latest.loc[latest["status"] == "placed", "quantity"].sum()


def test_pair_values_is_the_expected_gmv_of_a_sample(small_market: SimResult) -> None:
    truth = load_truth(small_market.out)
    creators = truth.creators["creator_id"].to_numpy()[:50]
    product = truth.products["product_id"].iloc[0]
    values = pair_values(truth, creators, [product] * len(creators))
    assert values.shape == (50,) and (values > 0).all()
    row = truth.products.iloc[0]
    cc = truth.creator_category[truth.creator_category["category"] == row["category"]]
    cc = cc.set_index("creator_id").loc[creators]
    c = truth.creators.set_index("creator_id").loc[creators]
    p_post = m.post_probability(
        c["post_logit"].to_numpy(), cc["is_focus"].to_numpy(), np.full(50, row["appeal_final"])
    )
    expected = (
        p_post
        * c["views_per_post"].to_numpy()
        * row["base_conversion"]
        * row["appeal_final"] ** m.APPEAL_CONVERSION
        * np.exp(cc["true_skill"].to_numpy())
        * row["price"]
        * m.mean_quantity()
    )
    np.testing.assert_allclose(values, expected, rtol=1e-12)


def test_sample_post_rate_matches_the_calibration(small_market: SimResult) -> None:
    truth = load_truth(small_market.out)
    _, categories, _ = truth.skill_matrix()
    focus = truth.focus_matrix()
    product_cat = categories.get_indexer(truth.products["category"])
    logit = truth.creators["post_logit"].to_numpy()
    appeal = truth.products["appeal_final"].to_numpy()
    rates = m.post_probability(
        logit[:, None], focus[:, product_cat], np.broadcast_to(appeal, focus[:, product_cat].shape)
    )
    in_category = rates[focus[:, product_cat]].mean()
    assert 0.30 <= in_category <= 0.42


def test_pair_values_refuses_unknown_ids(small_market: SimResult) -> None:
    truth = load_truth(small_market.out)
    with pytest.raises(ShopstarError, match="unknown id 'cr-nope'"):
        pair_values(truth, ["cr-nope"], [truth.products["product_id"].iloc[0]])
    with pytest.raises(ShopstarError, match="differ in length"):
        pair_values(truth, ["a", "b"], ["c"])


def test_load_truth_refuses_other_directories(tmp_path: object) -> None:
    with pytest.raises(ShopstarError, match="not a simulator truth directory"):
        load_truth(str(tmp_path))
