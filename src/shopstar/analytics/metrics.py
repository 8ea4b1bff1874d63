"""Creator × category metrics over rolling windows (CONTRACT.md §2).

One row per (creator_id, category, window_days) for creators with affiliate sales or content
views in the category during the window. Money stays decimal; ratios are float and null when
their denominator is zero.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.facts import (
    Tables,
    content_categories,
    content_products,
    day_window,
    sold_lines,
    window_views,
)

WINDOWS: tuple[int, ...] = (7, 28, 90)
_KEYS = ["creator_id", "category"]
_ZERO_MONEY = ibis.literal(0).cast("decimal(38, 2)")


def _ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def window_metrics(tables: Tables, as_of: dt.date, days: int) -> ir.Table:
    """Metrics of every creator × category over the ``days`` days ending at ``as_of``."""
    lines = sold_lines(tables, as_of)
    lines = lines.filter(lines.creator_id.notnull())
    cur = lines.filter(day_window(lines.day, as_of, days))
    sales = cur.group_by(_KEYS).aggregate(
        gmv=cur.gmv.sum(),
        net_gmv=(cur.gmv - cur.refunded).sum(),
        order_lines=cur.count(),
        items_sold=cur.quantity.sum(),
        video_gmv=cur.gmv.sum(where=cur.channel == "video"),
        live_gmv=cur.gmv.sum(where=cur.channel == "live"),
    )
    prev = lines.filter(day_window(lines.day, as_of, days, back=1))
    previous = prev.group_by(_KEYS).aggregate(prev_gmv=prev.gmv.sum())

    per_content = window_views(tables, as_of, days).drop("kind")
    in_cat = per_content.join(content_categories(tables), "content_id")
    exposure = in_cat.group_by(_KEYS).aggregate(
        views=in_cat.views.sum(), clicks=in_cat.clicks.sum(), posts=in_cat.content_id.nunique()
    )
    promoted = per_content.join(content_products(tables), "content_id")
    products = promoted.group_by(_KEYS).aggregate(products_promoted=promoted.product_id.nunique())

    keys = sales.select(_KEYS).union(exposure.select(_KEYS), distinct=True)
    out = (
        keys.left_join(sales, _KEYS)
        .drop("creator_id_right", "category_right")
        .left_join(previous, _KEYS)
        .drop("creator_id_right", "category_right")
        .left_join(exposure, _KEYS)
        .drop("creator_id_right", "category_right")
        .left_join(products, _KEYS)
        .drop("creator_id_right", "category_right")
    )
    zero = ibis.literal(0, "int64")
    out = out.mutate(
        gmv=out.gmv.coalesce(_ZERO_MONEY),
        net_gmv=out.net_gmv.coalesce(_ZERO_MONEY),
        order_lines=out.order_lines.coalesce(zero),
        items_sold=out.items_sold.coalesce(zero),
        video_gmv=out.video_gmv.coalesce(_ZERO_MONEY),
        live_gmv=out.live_gmv.coalesce(_ZERO_MONEY),
        prev_gmv=out.prev_gmv.coalesce(_ZERO_MONEY),
        views=out.views.coalesce(zero),
        clicks=out.clicks.coalesce(zero),
        posts=out.posts.coalesce(zero),
        products_promoted=out.products_promoted.coalesce(zero),
    )
    return out.select(
        "creator_id",
        "category",
        window_days=ibis.literal(days, "int64"),
        gmv=out.gmv,
        net_gmv=out.net_gmv,
        order_lines=out.order_lines,
        items_sold=out.items_sold,
        views=out.views,
        clicks=out.clicks,
        posts=out.posts,
        ctr=_ratio(out.clicks, out.views),
        cvr=_ratio(out.order_lines, out.clicks),
        gpm=_ratio(out.gmv, out.views) * 1000,
        video_gmv=out.video_gmv,
        live_gmv=out.live_gmv,
        products_promoted=out.products_promoted,
        prev_gmv=out.prev_gmv,
        gmv_growth=_ratio(out.gmv, out.prev_gmv) - 1,
    )


def creator_metrics(tables: Tables, as_of: dt.date) -> ir.Table:
    """:func:`window_metrics` for every window of :data:`WINDOWS`, stacked."""
    parts = [window_metrics(tables, as_of, days) for days in WINDOWS]
    return ibis.union(*parts)
