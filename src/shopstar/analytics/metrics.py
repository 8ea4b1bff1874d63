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
    content_totals,
    day_window,
    sold_lines,
)

WINDOWS: tuple[int, ...] = (7, 28, 90)
_KEYS = ["creator_id", "category"]
_ZERO_MONEY = ibis.literal(0).cast("decimal(38, 2)")


def _ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    return ibis.ifelse(den > 0, num.cast("float64") / den.cast("float64"), ibis.null("float64"))


def _stacked(wide: ir.Table, windows: tuple[int, ...]) -> ir.Table:
    """One row per window from the wide table of :func:`creator_metrics` (columns ``name_d``),
    where the creator had sales or views in the category during that window."""
    out = wide.mutate(window_days=ibis.literal(list(windows), "array<int64>").unnest())

    def col(name: str) -> ir.Value:
        return ibis.cases(*((out.window_days == days, out[f"{name}_{days}"]) for days in windows))

    zero = ibis.literal(0, "int64")
    money = {
        name: col(name).coalesce(_ZERO_MONEY)
        for name in ("gmv", "net_gmv", "video_gmv", "live_gmv", "prev_gmv")
    }
    counts = {
        name: col(name).coalesce(zero)
        for name in ("order_lines", "items_sold", "views", "clicks", "posts", "products_promoted")
    }
    out = out.select(
        "creator_id", "category", window_days=out.window_days.cast("int64"), **money, **counts
    )
    out = out.filter((out.order_lines > 0) | (out.posts > 0))
    return out.select(
        "creator_id",
        "category",
        "window_days",
        "gmv",
        "net_gmv",
        "order_lines",
        "items_sold",
        "views",
        "clicks",
        "posts",
        ctr=_ratio(out.clicks, out.views),
        cvr=_ratio(out.order_lines, out.clicks),
        gpm=_ratio(out.gmv, out.views) * 1000,
        video_gmv=out.video_gmv,
        live_gmv=out.live_gmv,
        products_promoted=out.products_promoted,
        prev_gmv=out.prev_gmv,
        gmv_growth=_ratio(out.gmv, out.prev_gmv) - 1,
    )


def _products_promoted(tables: Tables, totals: ir.Table, windows: tuple[int, ...]) -> ir.Table:
    """Distinct products each creator promoted in each category, per window: those featured by
    a content of theirs with daily rows in the window. The windows all end at the as-of date,
    so a product counts in every window from the smallest one of any of those contents: one
    minimum per creator × product counts all windows."""
    smallest = ibis.cases(*((totals[f"days_{days}"] > 0, days) for days in sorted(windows)))
    per_content = totals.select("content_id", "creator_id", smallest=smallest)
    shown = per_content.join(content_products(tables), "content_id")
    pairs = shown.group_by(["creator_id", "product_id"]).aggregate(
        smallest=shown.smallest.min(),
        # one category per product: not a key of this (6.5M groups at 10M order lines); and as
        # it reads the products' side of the join, DuckDB does not pre-aggregate the contents'
        # side (one row per content already) below it
        category=shown.category.arbitrary(),
    )
    return pairs.group_by(_KEYS).aggregate(
        **{
            f"products_promoted_{days}": pairs.count(where=pairs.smallest <= days)
            for days in windows
        }
    )


def creator_metrics(tables: Tables, as_of: dt.date, windows: tuple[int, ...] = WINDOWS) -> ir.Table:
    """Metrics of every creator × category over each window of ``windows`` (days ending at
    ``as_of``), stacked: one row per window where the creator had affiliate sales or content
    views in the category. Each input is read once for all windows (conditional sums)."""
    lines = sold_lines(tables, as_of)
    lines = lines.filter(lines.creator_id.notnull())
    sale: dict[str, ir.Value] = {}
    for days in windows:
        cur = day_window(lines.day, as_of, days)
        sale[f"gmv_{days}"] = lines.gmv.sum(where=cur)
        sale[f"net_gmv_{days}"] = (lines.gmv - lines.refunded).sum(where=cur)
        sale[f"order_lines_{days}"] = lines.count(where=cur)
        sale[f"items_sold_{days}"] = lines.quantity.sum(where=cur)
        sale[f"video_gmv_{days}"] = lines.gmv.sum(where=cur & (lines.channel == "video"))
        sale[f"live_gmv_{days}"] = lines.gmv.sum(where=cur & (lines.channel == "live"))
        sale[f"prev_gmv_{days}"] = lines.gmv.sum(where=day_window(lines.day, as_of, days, back=1))
    sales = lines.group_by(_KEYS).aggregate(**sale)

    totals = content_totals(tables, as_of, windows)
    totals = totals.filter(totals[f"days_{max(windows)}"] > 0)  # the rest counts in no window
    in_cat = totals.join(content_categories(tables), "content_id")  # one row per content × category
    exposure = in_cat.group_by(_KEYS).aggregate(
        **{
            f"{name}_{days}": value
            for days in windows
            for name, value in (
                ("views", in_cat[f"views_{days}"].sum(where=in_cat[f"days_{days}"] > 0)),
                ("clicks", in_cat[f"clicks_{days}"].sum(where=in_cat[f"days_{days}"] > 0)),
                ("posts", in_cat.count(where=in_cat[f"days_{days}"] > 0)),
            )
        }
    )
    products = _products_promoted(tables, totals, windows)

    # the products promoted have the exposure's keys (both: contents with days in a window)
    content = exposure.join(products, _KEYS)
    out = sales.outer_join(content, _KEYS)
    out = out.mutate(
        creator_id=out.creator_id.coalesce(out.creator_id_right),
        category=out.category.coalesce(out.category_right),
    ).drop("creator_id_right", "category_right")
    return _stacked(out, windows)
