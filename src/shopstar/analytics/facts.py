"""Fact expressions every analytic starts from, cut to a period ending at the as-of date.

Inputs are the de-duplicated lake tables (one row per key, the latest order status). Orders for
products not (yet) in ``products`` have no category and are left out of per-category analytics,
as CONTRACT.md §1 asks for referential gaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import ibis
import ibis.expr.types as ir

Tables = Mapping[str, ir.Table]
IdRange = tuple[str | None, str | None]  # [low, high) of ids; None: no bound


def fact_key(fact: str, as_of: dt.date | None = None) -> str:
    return f"fact:{fact}@{as_of}" if as_of else f"fact:{fact}"


def shared(tables: Tables, fact: str, as_of: dt.date | None = None) -> ir.Table | None:
    """The fact already computed for ``as_of`` if ``tables`` hold it (see
    :func:`shopstar.analytics.run.shared_facts`), else None."""
    return tables.get(fact_key(fact, as_of))


def day_window(day: ir.DateValue, as_of: dt.date, days: int, back: int = 0) -> ir.BooleanValue:
    """True for days in the ``days``-day window ending ``back`` windows before ``as_of``."""
    end = as_of - dt.timedelta(days=days * back)
    start = end - dt.timedelta(days=days - 1)
    return day.between(ibis.literal(start), ibis.literal(end))


def sold_lines(tables: Tables, as_of: dt.date) -> ir.Table:
    """Order lines not cancelled, ordered on or before ``as_of``, with category and refunds.

    Columns: creator_id (null = organic), product_id, category, day, quantity, gmv (decimal),
    refunded (decimal, refunds up to as-of), channel (video|live|other). One row per order line
    (its id is not kept: no analytic reads it after the refunds are joined).
    """
    if (computed := shared(tables, "sold_lines", as_of)) is not None:
        return computed
    orders = tables["orders"]
    products = tables["products"].select("product_id", "category")
    refunds = tables["refunds"]
    # "on or before as_of" as a comparison of timestamps: no date computed per row to filter
    end = ibis.literal(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC))
    refunds = (
        refunds.filter(refunds.refunded_at < end)
        .group_by("order_line_id")
        .aggregate(refunded=refunds.amount.sum())
    )
    lines = orders.filter(orders.status != "cancelled", orders.ordered_at < end).select(
        "order_line_id",
        "creator_id",
        "product_id",
        "quantity",
        day=orders.ordered_at.date(),
        gmv=orders.quantity.cast("decimal(38, 2)") * orders.unit_price,
        channel=ibis.cases(
            (orders.content_type == "video", "video"),
            (orders.content_type == "live", "live"),
            else_="other",
        ),
    )
    lines = lines.join(products, "product_id")
    lines = lines.left_join(refunds, "order_line_id").drop("order_line_id", "order_line_id_right")
    return lines.mutate(refunded=lines.refunded.coalesce(ibis.literal(0).cast("decimal(38, 2)")))


def content_views(tables: Tables, as_of: dt.date) -> ir.Table:
    """Daily views and clicks of each content up to ``as_of``, with its creator and kind.

    Columns: content_id, creator_id, kind, day, views, clicks.
    """
    if (computed := shared(tables, "content_views", as_of)) is not None:
        return computed
    daily = tables["content_daily"]
    content = tables["content"].select("content_id", "creator_id", "kind")
    daily = daily.filter(daily.date <= ibis.literal(as_of)).select(
        "content_id", day=daily.date, views=daily.views, clicks=daily.product_clicks
    )
    return daily.join(content, "content_id")


def content_totals(
    tables: Tables,
    as_of: dt.date,
    windows: tuple[int, ...],
    previous: tuple[int, ...] = (),
    ids: IdRange = (None, None),
) -> ir.Table:
    """Every content's views up to ``as_of`` and, for each of ``windows`` (days ending at
    ``as_of``), its daily rows, views and clicks there, and for each of ``previous`` (some of
    ``windows``) its views in the window before, in one pass over the daily rows. With ``ids``
    ``(low, high)``, only the contents whose id is in [low, high) (None: no bound): parts whose
    rows together are the whole, each aggregation holding its part of the contents in memory.
    A range, not a hash, of the id: where the lake's files are in id order (as the simulator
    writes them), DuckDB skips the Parquet row groups outside the range instead of reading
    every daily row once per part.

    Columns: content_id, creator_id, kind, views (all days), per window ``d``: ``days_d``
    (daily rows in the window, 0 if none), ``views_d``, ``clicks_d``, and per previous window
    ``d``: ``views_prev_d`` (the ``d`` days before the last ``d``; null, as ``views_d``,
    without daily rows there).
    """
    computed = shared(tables, "content_totals", as_of)
    wanted = [f"days_{days}" for days in windows] + [f"views_prev_{days}" for days in previous]
    if computed is not None and all(name in computed.columns for name in wanted):
        return computed
    daily = tables["content_daily"]
    daily = in_range(daily.filter(daily.date <= ibis.literal(as_of)), ids)
    per_window: dict[str, ir.Value] = {}
    for days in windows:
        inside = day_window(daily.date, as_of, days)
        per_window[f"days_{days}"] = daily.count(where=inside)
        per_window[f"views_{days}"] = daily.views.sum(where=inside)
        per_window[f"clicks_{days}"] = daily.product_clicks.sum(where=inside)
    for days in previous:
        before = day_window(daily.date, as_of, days, back=1)
        per_window[f"views_prev_{days}"] = daily.views.sum(where=before)
    totals = daily.group_by("content_id").aggregate(views=daily.views.sum(), **per_window)
    content = in_range(tables["content"].select("content_id", "creator_id", "kind"), ids)
    return totals.join(content, "content_id")


def in_range(table: ir.Table, ids: IdRange) -> ir.Table:
    """The rows of ``table`` whose ``content_id`` is in [low, high) (None: no bound)."""
    low, high = ids
    if low is not None:
        table = table.filter(table.content_id >= low)
    if high is not None:
        table = table.filter(table.content_id < high)
    return table


def window_views(tables: Tables, as_of: dt.date, days: int) -> ir.Table:
    """Views and clicks of each content over the ``days`` days ending at ``as_of``.

    Columns: content_id, creator_id, kind, views, clicks.
    """
    if (computed := shared(tables, f"window_views_{days}", as_of)) is not None:
        return computed
    totals = shared(tables, "content_totals", as_of)
    if totals is not None and f"days_{days}" in totals.columns:  # read, not computed again
        return _from_totals(totals, days)
    views = content_views(tables, as_of)
    views = views.filter(day_window(views.day, as_of, days))
    return views.group_by(["content_id", "creator_id", "kind"]).aggregate(
        views=views.views.sum(), clicks=views.clicks.sum()
    )


def _from_totals(totals: ir.Table, days: int, recent: int | None = None) -> ir.Table:
    """The contents with daily rows in the ``days``-day window, read from the shared content
    totals: content_id, creator_id, kind, views, clicks (and ``recent``: views in the last
    ``recent`` days, null without daily rows there)."""
    inside = totals.filter(totals[f"days_{days}"] > 0)
    more: dict[str, ir.Value] = {}
    if recent is not None:
        more["recent"] = ibis.ifelse(
            inside[f"days_{recent}"] > 0,
            inside[f"views_{recent}"],
            ibis.null(inside[f"views_{recent}"].type()),
        )
    return inside.select(
        "content_id",
        "creator_id",
        "kind",
        views=inside[f"views_{days}"],
        clicks=inside[f"clicks_{days}"],
        **more,
    )


def views_with_recent(tables: Tables, as_of: dt.date, days: int, recent: int) -> ir.Table:
    """:func:`window_views` of ``days`` with ``recent``: the content's views in the last
    ``recent`` days (at most ``days``; null without daily rows there). Read from one row of the
    shared content totals when they hold both windows (no join of the totals with themselves).

    Columns: content_id, creator_id, kind, views, clicks, recent.
    """
    totals = shared(tables, "content_totals", as_of)
    wanted = (f"days_{days}", f"days_{recent}")
    if totals is not None and all(name in totals.columns for name in wanted):
        return _from_totals(totals, days, recent)
    views = window_views(tables, as_of, days)
    latest = window_views(tables, as_of, recent).select("content_id", recent="views")
    return views.left_join(latest, "content_id").drop("content_id_right")


def growth_views(tables: Tables, as_of: dt.date, days: int) -> ir.Table:
    """Views of each content in the ``days`` days ending at ``as_of`` (``cur``) and in the
    ``days`` days before them (``prev``), for the contents with views in either (views are
    never negative). Read from the shared content totals when they hold that window.

    Columns: content_id, creator_id, kind, cur, prev (null without daily rows in the window).
    """
    totals = shared(tables, "content_totals", as_of)
    if totals is not None and f"views_prev_{days}" in totals.columns:  # read, not computed again
        views = totals.select(
            "content_id",
            "creator_id",
            "kind",
            cur=totals[f"views_{days}"],
            prev=totals[f"views_prev_{days}"],
        )
    else:
        daily = content_views(tables, as_of)
        views = daily.group_by(["content_id", "creator_id", "kind"]).aggregate(
            cur=daily.views.sum(where=day_window(daily.day, as_of, days)),
            prev=daily.views.sum(where=day_window(daily.day, as_of, days, back=1)),
        )
    return views.filter((views.cur > 0) | (views.prev > 0))


def lifetime_views(tables: Tables, as_of: dt.date) -> ir.Table:
    """Views of each content over every day up to ``as_of``. Columns: content_id, views."""
    if (totals := shared(tables, "content_totals", as_of)) is not None:
        return totals.select("content_id", "views")
    views = content_views(tables, as_of)
    return views.group_by("content_id").aggregate(views=views.views.sum())


def content_categories(tables: Tables) -> ir.Table:
    """Distinct (content_id, category) pairs: the categories a content features."""
    if (computed := shared(tables, "content_categories")) is not None:
        return computed
    return content_products(tables).select("content_id", "category").distinct()


def content_products(tables: Tables) -> ir.Table:
    """(content_id, product_id, category) for every product a content features."""
    if (computed := shared(tables, "content_products")) is not None:
        return computed
    products = tables["products"].select("product_id", "category")
    return (
        tables["content_products"].select("content_id", "product_id").join(products, "product_id")
    )


def products_shown(tables: Tables) -> ir.Table:
    """(content_id, n_products): how many products each content features (those of
    :func:`content_products`). Counted once for a run: the skill's pairs and kind totals both
    share a content's views between its products."""
    if (computed := shared(tables, "products_shown")) is not None:
        return computed
    featured = content_products(tables)
    return featured.group_by("content_id").aggregate(n_products=featured.count())
