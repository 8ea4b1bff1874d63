"""Product trends forecast from sales, adoption and age; rising stars are flagged on fast
audience growth."""

from __future__ import annotations

import ibis
import pytest
from analytics_market import AS_OF, Market, at, days_ago

from shopstar.analytics.rising import rising_table
from shopstar.analytics.skill import skill_table
from shopstar.analytics.trends import trend_table


@pytest.fixture(scope="module")
def trends() -> dict[str, dict[str, object]]:
    m = Market()
    for p in ("rise", "fade", "boom", "old", "new"):
        m.product(p, "home")
    m.rows["products"][-1]["listed_at"] = at(days_ago(20))
    weekly = {
        "rise": [16, 16, 4, 2],
        "fade": [16, 16, 30, 40],
        "boom": [30, 3, 2, 2],
        "old": [10, 10, 10, 10],
        "new": [10, 10, 10, 10],
    }
    for product, units in weekly.items():
        for week, n in enumerate(units):
            m.order(product, 7 * week + 2, quantity=n)
    for c in ("c1", "c2", "c3"):
        m.creator(c)
    m.content("b1", "c1", ["boom"], ago=1, views=100)
    m.content("b2", "c2", ["boom"], ago=2, views=100)
    # creators turn to "rise" (1 then 3 of them) and away from "fade" (3 then 1)
    m.content("r0", "c1", ["rise"], ago=10, views=100)
    for c in ("c1", "c2", "c3"):
        m.content(f"r-{c}", c, ["rise"], ago=3, views=100)
        m.content(f"f-{c}", c, ["fade"], ago=10, views=100)
    m.content("f1", "c1", ["fade"], ago=3, views=100)
    rows = ibis.duckdb.connect().to_pyarrow(trend_table(m.tables(), AS_OF)).to_pylist()
    return {r["product_id"]: r for r in rows}


def test_weekly_units_velocity_and_acceleration(trends: dict) -> None:
    r = trends["fade"]
    assert [r[f"units_w{w}"] for w in (1, 2, 3, 4)] == [16, 16, 30, 40]
    assert r["velocity"] == pytest.approx(16 / 7)
    assert trends["boom"]["acceleration"] == pytest.approx((30 - 3) / 7)
    assert (trends["rise"]["adopters"], trends["rise"]["adopters_prev"]) == (3, 1)


def test_a_product_creators_turn_to_outranks_one_they_leave(trends: dict) -> None:
    assert trends["rise"]["trend_score"] > 1.5 * trends["fade"]["trend_score"]


def test_a_new_product_outranks_an_old_one_with_the_same_sales(trends: dict) -> None:
    assert trends["new"]["trend_score"] > 1.3 * trends["old"]["trend_score"]


def test_the_forecast_is_in_units_of_the_next_two_weeks(trends: dict) -> None:
    # steady organic sales of 10 a week: a forecast of the same order as 20
    assert 10 < trends["old"]["trend_score"] < 40


def test_breakout_needs_a_jump_in_sales_and_adoption(trends: dict) -> None:
    assert trends["boom"]["breakout"] is True
    assert trends["boom"]["adopters"] == 2
    assert trends["rise"]["breakout"] is False  # flat last two weeks
    assert trends["fade"]["breakout"] is False


@pytest.fixture(scope="module")
def rising() -> dict[str, dict[str, object]]:
    m = Market()
    m.product("p", "beauty")
    m.creator("grower", followers=[(28, 10_000), (0, 15_000)])
    m.creator("steady", followers=[(28, 10_000), (0, 10_100)])
    for c in ("grower", "steady"):
        m.content(f"{c}1", c, ["p"], ago=3, views=5_000)
    tables = m.tables()
    skills = skill_table(tables, AS_OF)
    rows = ibis.duckdb.connect().to_pyarrow(rising_table(tables, AS_OF, skills)).to_pylist()
    return {r["creator_id"]: r for r in rows}


def test_fast_follower_growth_flags_a_rising_star(rising: dict) -> None:
    grower, steady = rising["grower"], rising["steady"]
    assert grower["follower_growth"] == pytest.approx(0.1014, abs=1e-3)  # ln(1.5) / 4 weeks
    assert grower["followers"] == 15_000
    assert grower["is_rising"] is True
    assert grower["reason"] == "fast growth"
    assert steady["is_rising"] is False
    assert grower["rising_score"] > steady["rising_score"]
