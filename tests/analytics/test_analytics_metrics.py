"""Creator × category window metrics on a hand-built marketplace, checked against hand totals."""

from __future__ import annotations

from decimal import Decimal

import ibis
import pytest
from analytics_market import AS_OF, Market

from shopstar.analytics.metrics import creator_metrics
from shopstar.analytics.run import score
from shopstar.errors import ShopstarError


@pytest.fixture(scope="module")
def metrics() -> dict[tuple[str, str, int], dict[str, object]]:
    m = Market()
    m.product("p1", "beauty", "10.00")
    m.product("p2", "beauty", "20.00")
    m.product("h1", "home", "30.00")
    m.creator("a")
    m.creator("b")
    m.content("v1", "a", ["p1", "p2"], ago=3, views=1000, clicks=100)
    m.content("l1", "a", ["p1"], ago=20, views=4000, clicks=200, kind="live")
    m.content("hv", "b", ["h1"], ago=5, views=500, clicks=10)
    m.order("p1", 2, creator_id="a", content_id="v1", quantity=2)
    m.order("p2", 1, creator_id="a", content_id="v1", price="20.00", refund="5.00")
    m.order("p1", 20, creator_id="a", content_id="l1", content_type="live")
    m.order("p1", 2, creator_id="a", content_id="v1", quantity=5, status="cancelled")
    m.order("p1", 10, creator_id="a", content_id="v1")
    m.order("p1", 1)  # organic: no creator
    m.order("p1", -1, creator_id="a", content_id="v1")  # after as-of
    rows = ibis.duckdb.connect().to_pyarrow(creator_metrics(m.tables(), AS_OF)).to_pylist()
    return {(r["creator_id"], r["category"], r["window_days"]): r for r in rows}


def test_seven_day_window_matches_hand_totals(metrics: dict) -> None:
    r = metrics[("a", "beauty", 7)]
    assert r["gmv"] == Decimal("40.00")  # 2 x 10 + 1 x 20; cancelled and later lines excluded
    assert r["net_gmv"] == Decimal("35.00")
    assert (r["order_lines"], r["items_sold"]) == (2, 3)
    assert (r["views"], r["clicks"], r["posts"]) == (1000, 100, 1)
    assert r["ctr"] == pytest.approx(0.1)
    assert r["cvr"] == pytest.approx(0.02)
    assert r["gpm"] == pytest.approx(40.0)
    assert (r["video_gmv"], r["live_gmv"]) == (Decimal("40.00"), Decimal("0.00"))
    assert r["products_promoted"] == 2
    assert r["prev_gmv"] == Decimal("10.00")
    assert r["gmv_growth"] == pytest.approx(3.0)


def test_longer_window_includes_live_and_has_no_growth_without_history(metrics: dict) -> None:
    r = metrics[("a", "beauty", 28)]
    assert r["gmv"] == Decimal("60.00")
    assert r["net_gmv"] == Decimal("55.00")
    assert (r["order_lines"], r["items_sold"]) == (4, 5)
    assert (r["views"], r["clicks"], r["posts"]) == (5000, 300, 2)
    assert r["live_gmv"] == Decimal("10.00")
    assert r["cvr"] == pytest.approx(4 / 300)
    assert r["gpm"] == pytest.approx(12.0)
    assert r["prev_gmv"] == Decimal("0.00")
    assert r["gmv_growth"] is None or r["gmv_growth"] != r["gmv_growth"]  # null


def test_views_without_sales_give_a_row_with_zero_money(metrics: dict) -> None:
    r = metrics[("b", "home", 7)]
    assert r["gmv"] == Decimal("0.00")
    assert (r["views"], r["clicks"], r["order_lines"]) == (500, 10, 0)
    assert r["cvr"] == pytest.approx(0.0)
    assert ("a", "home", 7) not in metrics


def test_every_window_is_present(metrics: dict) -> None:
    assert {w for (_, _, w) in metrics} == {7, 28, 90}


def test_money_in_other_currencies_is_left_out_and_counted() -> None:
    m = Market()
    m.product("p1", "beauty")
    m.creator("a")
    m.content("v1", "a", ["p1"], ago=3, views=1000, clicks=10)
    m.order("p1", 2, creator_id="a", content_id="v1", lines=3)
    m.order("p1", 2, creator_id="a", content_id="v1", currency="GBP", price="99.00", refund="1.00")
    con = ibis.duckdb.connect()
    result = score(con, m.tables(), AS_OF)
    assert (result.currency, result.other_currency_lines) == ("USD", 1)
    week = [r for r in result.metrics.to_pylist() if r["window_days"] == 7]
    assert [(r["gmv"], r["net_gmv"], r["order_lines"]) for r in week] == [
        (Decimal("30.00"), Decimal("30.00"), 3)
    ]
    gbp = score(con, m.tables(), AS_OF, currency="GBP")
    assert gbp.other_currency_lines == 3
    assert [r["gmv"] for r in gbp.metrics.to_pylist() if r["window_days"] == 7] == [
        Decimal("99.00")
    ]
    with pytest.raises(ShopstarError, match="no orders in 'EUR'"):
        score(con, m.tables(), AS_OF, currency="EUR")


def test_products_promoted_count_each_product_once_from_its_latest_showing() -> None:
    m = Market()
    for product_id in ("p1", "p2", "p3"):
        m.product(product_id, "beauty")
    m.product("h1", "home")
    m.creator("a")
    m.content("new", "a", ["p1"], ago=2, views=10)
    m.content("old", "a", ["p1", "p2", "h1"], ago=20, views=10)
    m.content("older", "a", ["p2", "p3"], ago=60, views=10)
    rows = ibis.duckdb.connect().to_pyarrow(creator_metrics(m.tables(), AS_OF)).to_pylist()
    promoted = {(r["category"], r["window_days"]): r["products_promoted"] for r in rows}
    # p1 shown in the last week and before it counts once in every window
    assert promoted == {
        ("beauty", 7): 1,
        ("beauty", 28): 2,
        ("beauty", 90): 3,
        ("home", 28): 1,
        ("home", 90): 1,
    }
