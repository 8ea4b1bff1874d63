"""One scoring run: every analytic for the period ending at an as-of date, on any Ibis backend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import pyarrow as pa
from ibis.backends import BaseBackend

from shopstar.analytics.facts import Tables
from shopstar.analytics.metrics import creator_metrics
from shopstar.analytics.rising import RISING_INPUT, rising_table
from shopstar.analytics.skill import skill_table
from shopstar.analytics.trends import trend_table
from shopstar.errors import ShopstarError


@dataclass(frozen=True)
class ScoreResult:
    """The materialised results of a run, each sorted by its key."""

    as_of: dt.date
    currency: str | None
    metrics: pa.Table
    stars: pa.Table
    rising: pa.Table
    trends: pa.Table


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


def single_currency(con: BaseBackend, tables: Tables) -> str | None:
    """The one currency of all orders; refuses to add amounts across currencies."""
    currencies = con.to_pyarrow(tables["orders"].select("currency").distinct())
    found = sorted(str(c) for c in currencies.column("currency").to_pylist())
    if len(found) > 1:
        raise ShopstarError(
            f"score: orders are in several currencies ({', '.join(found)}); "
            "scoring adds money and needs a single currency"
        )
    return found[0] if found else None


def _sorted(con: BaseBackend, expr: ibis.Table, keys: list[str]) -> pa.Table:
    return con.to_pyarrow(expr).sort_by([(k, "ascending") for k in keys])


def score(con: BaseBackend, tables: Tables, as_of: dt.date | None = None) -> ScoreResult:
    """Compute metrics, skill/star scores, rising stars and product trends up to ``as_of``
    (default: the latest day of data) and return them materialised."""
    currency = single_currency(con, tables)
    day = as_of or latest_day(con, tables)
    stars = _sorted(con, skill_table(tables, day), ["category", "creator_id"])
    # rising builds on the skills: reuse the computed rows rather than compute them again
    skills = ibis.memtable(stars.select(list(RISING_INPUT)))
    rising = _sorted(con, rising_table(tables, day, skills), ["category", "creator_id"])
    return ScoreResult(
        as_of=day,
        currency=currency,
        metrics=_sorted(
            con, creator_metrics(tables, day), ["window_days", "category", "creator_id"]
        ),
        stars=stars,
        rising=rising,
        trends=_sorted(con, trend_table(tables, day), ["category", "product_id"]),
    )
