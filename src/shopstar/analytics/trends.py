"""Product trends per category: velocity, acceleration, creator adoption and a forecast.

Weeks are the 7-day windows ending at the as-of date (week 1 = the last 7 days). Units are
items sold on non-cancelled lines, organic and affiliate. ``trend_score`` forecasts the units of
the next two weeks. Weekly units are small Poisson counts and one viral video can make a week,
so the forecast pools every noisy reading of a product's current pull — last week's units, the
week before (less), last week's *organic* units (no creator needed to sell them), the creators
featuring it last week — with the growth of that adoption (creators move to rising products)
and the product's age (products fade after launch). It is log-linear:

    ln(forecast + 1) = c + Σ w_i ln(x_i + 1) + w_age ln(age_days + 7)

with the weights of :data:`FORECAST_WEIGHTS` and :data:`AGE_WEIGHT` fitted (least squares of
the log of the next two weeks' units, products with at least 5 units in the last two weeks
weighted 11:1) on simulated marketplaces of seeds 6-10 by ``bench/evaluate.py --seeds 6 7 8 9 10
--fit-trends`` and judged out of sample on seeds 1-5 (docs/evaluation.md). ``c`` makes the
forecasts of those products add up to their actual units on the same seeds (a log fit alone
forecasts the geometric mean, too low).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.facts import (
    Tables,
    content_products,
    day_window,
    growth_views,
    sold_lines,
)

HISTORY_WEEKS = 4
WEEK = 7  # days: adoption compares the creators featuring a product this week and the last
FORECAST_BASE = 1.24  # c: scales the forecast to units (see the module docstring)
FORECAST_WEIGHTS = {  # elasticity of the forecast (next two weeks' units) to each reading
    "units_w1": 0.33,  # units sold last week
    "units_w2": 0.19,  # the week before
    "organic_w1": 0.41,  # organic units last week
    "adopters": 0.63,  # creators whose content featuring it had views last week
    "adopters_prev": -0.39,  # the week before: together, adoption level and growth
}
AGE_WEIGHT = -0.16  # elasticity to the product's age in days (+7) since it was listed
UNKNOWN_AGE_DAYS = 365.0  # a product without a listing date counts as a year old
BREAKOUT_GROWTH = 2.0
BREAKOUT_MIN_UNITS = 10


def trend_features(tables: Tables, as_of: dt.date) -> ir.Table:
    """What the forecast reads, one row per product with sales or creator content in the last
    four weeks.

    Columns: product_id, category, units_w1..units_w4, organic_w1 (organic units last week),
    adopters, adopters_prev, age_days (since listed, to the end of the as-of day; null if
    unknown).
    """
    lines = sold_lines(tables, as_of)
    recent = lines.filter(day_window(lines.day, as_of, 7 * HISTORY_WEEKS))
    last_week = day_window(recent.day, as_of, 7)
    weekly = recent.group_by(["product_id", "category"]).aggregate(
        **{
            f"units_w{w}": recent.quantity.sum(where=day_window(recent.day, as_of, 7, back=w - 1))
            for w in range(1, HISTORY_WEEKS + 1)
        },
        organic_w1=recent.quantity.sum(where=last_week & recent.creator_id.isnull()),
    )
    featured = growth_views(tables, as_of, WEEK).join(content_products(tables), "content_id")
    # distinct creators per product: one group by of the product x creator pairs for both weeks,
    # then plain counts (two filtered distincts are two passes of their own on DuckDB); the
    # category (one per product) is no key, and as it reads the products' side of the join,
    # DuckDB does not pre-aggregate the contents' side (one row per content already) below it
    pairs = featured.group_by(["product_id", "creator_id"]).aggregate(
        cur=(featured.cur > 0).any(),
        prev=(featured.prev > 0).any(),
        category=featured.category.arbitrary(),
    )
    adoption = pairs.group_by(["product_id", "category"]).aggregate(
        adopters=pairs.count(where=pairs.cur), adopters_prev=pairs.count(where=pairs.prev)
    )
    keys = ["product_id", "category"]
    base = weekly.select(keys).union(adoption.select(keys), distinct=True)
    products = tables["products"]
    end_of_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
    listed = products.select(
        "product_id",
        age_days=(int(end_of_day.timestamp()) - products.listed_at.epoch_seconds()).cast("float64")
        / 86_400.0,
    )
    out = (
        base.left_join(weekly, keys)
        .drop("product_id_right", "category_right")
        .left_join(adoption, keys)
        .drop("product_id_right", "category_right")
        .left_join(listed, "product_id")
        .drop("product_id_right")
    )
    zero = ibis.literal(0, "int64")
    counts = [f"units_w{w}" for w in range(1, HISTORY_WEEKS + 1)]
    out = out.mutate(
        **{c: out[c].coalesce(zero) for c in [*counts, "organic_w1", "adopters", "adopters_prev"]}
    )
    return out


def trend_table(tables: Tables, as_of: dt.date) -> ir.Table:
    """One row per product with sales or creator content in the last four weeks.

    Columns: product_id, category, units_w1..units_w4, velocity (units/day last week),
    acceleration (change of units/day against the week before), adopters, adopters_prev,
    breakout, trend_score (forecast units over the next two weeks).
    """
    out = trend_features(tables, as_of)
    log_forecast = ibis.literal(FORECAST_BASE)
    for column, weight in FORECAST_WEIGHTS.items():
        log_forecast = log_forecast + weight * (out[column].cast("float64") + 1.0).ln()
    age = ibis.greatest(out.age_days.fill_null(UNKNOWN_AGE_DAYS), ibis.literal(0.0))
    log_forecast = log_forecast + AGE_WEIGHT * (age + 7.0).ln()
    u1, u2 = out.units_w1.cast("float64"), out.units_w2.cast("float64")
    return out.mutate(
        velocity=u1 / 7.0,
        acceleration=(u1 - u2) / 7.0,
        breakout=(out.units_w1 >= BREAKOUT_MIN_UNITS)
        & (u1 >= BREAKOUT_GROWTH * u2)
        & (out.adopters > out.adopters_prev),
        trend_score=ibis.greatest(log_forecast.exp() - 1.0, ibis.literal(0.0)),
    ).drop("organic_w1", "age_days")
