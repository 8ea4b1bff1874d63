"""One scoring run: every analytic for the period ending at an as-of date, on any Ibis backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from shopstar.analytics.audience import GROWTH_DAYS, follower_growth
from shopstar.analytics.engines import materialise
from shopstar.analytics.facts import (
    Tables,
    content_categories,
    content_products,
    content_totals,
    fact_key,
    sold_lines,
)
from shopstar.analytics.metrics import WINDOWS, creator_metrics
from shopstar.analytics.rising import RISING_INPUT, rising_table
from shopstar.analytics.skill import (
    SKILL_DAYS,
    kind_totals,
    pair_exposure,
    reweighted_totals,
    skill_table,
)
from shopstar.analytics.trends import WEEK, trend_table
from shopstar.errors import ShopstarError

CONTENT_WINDOWS = tuple(sorted({*WINDOWS, SKILL_DAYS}))  # windows of the shared content totals


@dataclass(frozen=True)
class ScoreResult:
    """The materialised results of a run, each sorted by its key. Money is in ``currency``;
    ``other_currency_lines`` order lines in other currencies were left out."""

    as_of: dt.date
    currency: str | None
    metrics: pa.Table
    stars: pa.Table
    rising: pa.Table
    trends: pa.Table
    other_currency_lines: int = 0


def latest_day(con: BaseBackend, tables: Tables) -> dt.date:
    """The last day with orders or content views: the default as-of date."""
    orders = tables["orders"]
    daily = tables["content_daily"]
    days = [con.execute(orders.ordered_at.date().max()), con.execute(daily.date.max())]
    known = [_as_date(d) for d in days if d is not None and d == d]
    if not known:
        raise ShopstarError("score: the lake holds no orders or content views yet")
    return max(known)


def _as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def order_currencies(con: BaseBackend, tables: Tables) -> dict[str, int]:
    """Order lines per currency, most first (ties by code)."""
    orders = tables["orders"]
    counts = con.to_pyarrow(orders.group_by("currency").aggregate(lines=orders.count()))
    columns = (counts.column("currency").to_pylist(), counts.column("lines").to_pylist())
    pairs = zip(*columns, strict=True)
    return dict(sorted(((str(c), int(n)) for c, n in pairs), key=lambda p: (-p[1], p[0])))


def in_currency(tables: Tables, currency: str) -> dict[str, ir.Table]:
    """``tables`` with only the orders and refunds in ``currency``: amounts in different
    currencies are never added together (CONTRACT.md §2)."""
    out = dict(tables)
    out["orders"] = tables["orders"].filter(tables["orders"].currency == currency)
    out["refunds"] = tables["refunds"].filter(tables["refunds"].currency == currency)
    return out


@contextmanager
def shared_facts(con: BaseBackend, tables: Tables, as_of: dt.date) -> Iterator[dict[str, ir.Table]]:
    """``tables`` plus the facts of ``as_of``, each computed once on ``con`` (a temporary table
    on DuckDB, a checkpoint on Spark): every analytic then reads them instead of computing
    the same joins again. They are dropped on exit. Daily content views (30M rows at 10M order
    lines) are not kept: every window and the lifetime views come from the per-content totals,
    and the two analytics that still read days (rising, trends) cost no more reading them from
    the lake than from a copy, which held 1.7 GB at 10M."""
    # in order: a fact may read those before it (content categories read content products)
    built: dict[str, Callable[[Tables], ir.Table]] = {
        fact_key("sold_lines", as_of): lambda t: sold_lines(t, as_of),
        # per-content views of every window (7/28/90 days) and of all time, in one pass
        # ...and the views of the window before those rising and trends compare with
        fact_key("content_totals", as_of): lambda t: content_totals(
            t, as_of, CONTENT_WINDOWS, previous=(WEEK, GROWTH_DAYS)
        ),
        fact_key("content_products"): content_products,
        fact_key("content_categories"): content_categories,
        fact_key("follower_growth", as_of): lambda t: follower_growth(t, as_of),
        # the skill query reads its creator x category x kind totals ~20 times and, through
        # them, the creator x product pairs ~60 times: Spark inlines common table expressions
        # and would compute them again for each read
        fact_key(f"pair_exposure_{SKILL_DAYS}", as_of): lambda t: pair_exposure(t, as_of),
        fact_key(f"kind_totals_{SKILL_DAYS}", as_of): lambda t: kind_totals(t, as_of),
        fact_key(f"reweighted_totals_{SKILL_DAYS}", as_of): lambda t: reweighted_totals(t, as_of),
    }
    facts: dict[str, ir.Table] = {}
    releases: list[Callable[[], object]] = []
    try:
        for key, build in built.items():
            facts[key], release = materialise(con, build({**tables, **facts}))
            releases.append(release)
        yield {**tables, **facts}
    finally:
        for release in releases:
            release()


def _sorted(con: BaseBackend, expr: ibis.Table, keys: list[str]) -> pa.Table:
    return con.to_pyarrow(expr).sort_by([(k, "ascending") for k in keys])


def score(
    con: BaseBackend,
    tables: Tables,
    as_of: dt.date | None = None,
    currency: str | None = None,
) -> ScoreResult:
    """Compute metrics, skill/star scores, rising stars and product trends up to ``as_of``
    (default: the latest day of data) over the orders in ``currency`` (default: the currency of
    most order lines) and return them materialised."""
    lines = order_currencies(con, tables)
    if currency is not None and currency not in lines:
        known = ", ".join(lines) or "none"
        raise ShopstarError(f"currency: no orders in {currency!r} (orders are in {known})")
    currency = currency or next(iter(lines), None)
    day = as_of or latest_day(con, tables)
    if currency is not None:
        tables = in_currency(tables, currency)
    with shared_facts(con, tables, day) as facts:
        stars = _sorted(con, skill_table(facts, day), ["category", "creator_id"])
        # rising builds on the skills: reuse the computed rows rather than compute them again
        skills = ibis.memtable(stars.select(list(RISING_INPUT)))
        rising = _sorted(con, rising_table(facts, day, skills), ["category", "creator_id"])
        metrics = _sorted(
            con, creator_metrics(facts, day), ["window_days", "category", "creator_id"]
        )
        trends = _sorted(con, trend_table(facts, day), ["category", "product_id"])
    return ScoreResult(
        as_of=day,
        currency=currency,
        metrics=metrics,
        stars=stars,
        rising=rising,
        trends=trends,
        other_currency_lines=sum(n for c, n in lines.items() if c != currency),
    )
