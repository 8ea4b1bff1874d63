"""Product trends per category: velocity, acceleration, creator adoption and a forecast.

Weeks are the 7-day windows ending at the as-of date (week 1 = the last 7 days). Units are
items sold on non-cancelled lines, organic and affiliate. ``trend_score`` forecasts the units of
the next two weeks: a level (mostly last week, partly the week before, against noise) times the
damped log growth of the last two weeks over the two before and the growth of creator adoption,
so that a product on the rise outranks one already fading. The weights were chosen on simulated
marketplaces (docs/evaluation.md).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.facts import (
    Tables,
    content_products,
    content_views,
    day_window,
    sold_lines,
)

HISTORY_WEEKS = 4
LAST_WEEK_WEIGHT = 0.7  # the level is 0.7 x last week + 0.3 x the week before (less noise)
MOMENTUM = 0.25  # damping of the weekly log growth (last two weeks against the two before)
ADOPTION_WEIGHT = 0.3  # elasticity to the growth of creator adoption
BREAKOUT_GROWTH = 2.0
BREAKOUT_MIN_UNITS = 10


def trend_table(tables: Tables, as_of: dt.date) -> ir.Table:
    """One row per product with sales or creator content in the last four weeks.

    Columns: product_id, category, units_w1..units_w4, velocity (units/day last week),
    acceleration (change of units/day against the week before), adopters, adopters_prev,
    breakout, trend_score (forecast units over the next two weeks).
    """
    lines = sold_lines(tables, as_of)
    recent = lines.filter(day_window(lines.day, as_of, 7 * HISTORY_WEEKS))
    weekly = recent.group_by(["product_id", "category"]).aggregate(
        **{
            f"units_w{w}": recent.quantity.sum(where=day_window(recent.day, as_of, 7, back=w - 1))
            for w in range(1, HISTORY_WEEKS + 1)
        }
    )
    views = content_views(tables, as_of)
    views = views.filter(day_window(views.day, as_of, 14), views.views > 0)
    featured = views.join(content_products(tables), "content_id")
    adoption = featured.group_by(["product_id", "category"]).aggregate(
        adopters=featured.creator_id.nunique(where=day_window(featured.day, as_of, 7)),
        adopters_prev=featured.creator_id.nunique(where=day_window(featured.day, as_of, 7, back=1)),
    )
    keys = ["product_id", "category"]
    base = weekly.select(keys).union(adoption.select(keys), distinct=True)
    out = (
        base.left_join(weekly, keys)
        .drop("product_id_right", "category_right")
        .left_join(adoption, keys)
        .drop("product_id_right", "category_right")
    )
    zero = ibis.literal(0, "int64")
    out = out.mutate(
        **{f"units_w{w}": out[f"units_w{w}"].coalesce(zero) for w in range(1, HISTORY_WEEKS + 1)},
        adopters=out.adopters.coalesce(zero),
        adopters_prev=out.adopters_prev.coalesce(zero),
    )
    u1, u2, u3, u4 = (out[f"units_w{w}"].cast("float64") for w in range(1, HISTORY_WEEKS + 1))
    level = LAST_WEEK_WEIGHT * u1 + (1.0 - LAST_WEEK_WEIGHT) * u2
    growth = MOMENTUM * ((u1 + u2 + 2.0) / (u3 + u4 + 2.0)).ln() / 2.0
    adoption = (
        ADOPTION_WEIGHT
        * ((out.adopters.cast("float64") + 1.0) / (out.adopters_prev.cast("float64") + 1.0)).ln()
    )
    forecast = 2.0 * (level + 1.0) * (growth + adoption).exp() - 2.0
    return out.mutate(
        velocity=u1 / 7.0,
        acceleration=(u1 - u2) / 7.0,
        breakout=(out.units_w1 >= BREAKOUT_MIN_UNITS)
        & (u1 >= BREAKOUT_GROWTH * u2)
        & (out.adopters > out.adopters_prev),
        trend_score=ibis.greatest(forecast, ibis.literal(0.0)),
    )
