"""Product trends forecast momentum; rising stars are flagged on fast audience growth."""

from __future__ import annotations

import ibis
import pytest
from analytics_market import AS_OF, Market

from shopstar.analytics.rising import rising_table
from shopstar.analytics.skill import skill_table
from shopstar.analytics.trends import trend_table


@pytest.fixture(scope="module")
def trends() -> dict[str, dict[str, object]]:
    m = Market()
    for p in ("rise", "fade", "boom"):
        m.product(p, "home")
    weekly = {"rise": [16, 16, 4, 2], "fade": [16, 16, 30, 40], "boom": [30, 3, 2, 2]}
    for product, units in weekly.items():
        for week, n in enumerate(units):
            m.order(product, 7 * week + 2, quantity=n)
    m.creator("c1")
    m.creator("c2")
    m.content("b1", "c1", ["boom"], ago=1, views=100)
    m.content("b2", "c2", ["boom"], ago=2, views=100)
    rows = ibis.duckdb.connect().to_pyarrow(trend_table(m.tables(), AS_OF)).to_pylist()
    return {r["product_id"]: r for r in rows}


def test_weekly_units_velocity_and_acceleration(trends: dict) -> None:
    r = trends["fade"]
    assert [r[f"units_w{w}"] for w in (1, 2, 3, 4)] == [16, 16, 30, 40]
    assert r["velocity"] == pytest.approx(16 / 7)
    assert trends["boom"]["acceleration"] == pytest.approx((30 - 3) / 7)


def test_a_rising_product_outranks_a_fading_one_with_the_same_last_weeks(trends: dict) -> None:
    assert trends["rise"]["trend_score"] > 1.25 * trends["fade"]["trend_score"]
    assert trends["fade"]["trend_score"] < 2 * 16  # fading: fewer than two more weeks at 16
    assert trends["rise"]["trend_score"] > 2 * 16


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
