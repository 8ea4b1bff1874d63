"""One scoring run: every analytic for the period ending at an as-of date, on any Ibis backend."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend

from shopstar.analytics.audience import GROWTH_DAYS, follower_growth
from shopstar.analytics.engines import (
    compressed_store,
    duckdb_memory_limit_bytes,
    materialise,
)
from shopstar.analytics.facts import (
    IdRange,
    Tables,
    content_categories,
    content_products,
    content_totals,
    fact_key,
    products_shown,
    sold_lines,
)
from shopstar.analytics.metrics import WINDOWS, creator_metrics
from shopstar.analytics.rising import RISING_INPUT, rising_table
from shopstar.analytics.skill import (
    SKILL_DAYS,
    first_multipliers,
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
    return data_span(con, tables)[1]


def data_span(con: BaseBackend, tables: Tables) -> tuple[dt.date, dt.date]:
    """The first and the last day with orders or content views."""
    orders = tables["orders"]
    daily = tables["content_daily"]
    # the days of the first and latest orders (not the extremes of every order's day: one date
    # computed for each)
    firsts = [con.execute(orders.ordered_at.min().date()), con.execute(daily.date.min())]
    lasts = [con.execute(orders.ordered_at.max().date()), con.execute(daily.date.max())]
    known = [[_as_date(d) for d in days if d is not None and d == d] for days in (firsts, lasts)]
    if not known[1]:
        raise ShopstarError("score: the lake holds no orders or content views yet")
    return min(known[0]), max(known[1])


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


# DuckDB memory the shared facts take as temporary tables, per order line scored (measured at
# 9.9M order lines: 2.9 GiB); above half the memory limit they go to a compressed store instead
FACT_BYTES_PER_LINE = 310
# DuckDB memory and spill the aggregation of the per-content totals took per order line at
# 99M order lines (~34 GiB, when it failed); above half the memory limit it runs in parts
CONTENT_BYTES_PER_LINE = 350
# told each step of a run before it runs (see :func:`score`)
Progress = Callable[[str], None]
# the steps of a run, in order; each shared fact is dropped once the last step reading it is done
STEPS = ("facts", "skill", "rising", "metrics", "trends")


class SharedFacts(dict[str, ir.Table]):
    """``tables`` plus the facts of a run (see :func:`shared_facts`); :meth:`done` drops the
    facts no later step reads."""

    def __init__(self, tables: Tables) -> None:
        super().__init__(tables)
        self._releases: list[tuple[str, Callable[[], object]]] = []

    def keep(self, key: str, table: ir.Table, release: Callable[[], object], last: str) -> None:
        """Hold fact ``key`` until step ``last`` (one of :data:`STEPS`) is done."""
        self[key] = table
        self._releases.append((last, release))

    def done(self, step: str) -> None:
        """Drop the facts whose last reader is ``step`` or an earlier step."""
        passed = set(STEPS[: STEPS.index(step) + 1])
        for last, release in [r for r in self._releases if r[0] in passed]:
            self._releases.remove((last, release))
            release()

    def release_all(self) -> None:
        """Drop every fact still held."""
        self.done(STEPS[-1])


def _sizes(con: BaseBackend, tables: Tables, order_lines: int | None) -> tuple[bool, int]:
    """Whether the facts of a run would take more than half DuckDB's memory limit as temporary
    tables (then they are stored compressed: smaller, slower to write), and in how many parts
    the per-content totals are aggregated (each within half the limit). On Spark: no, 1."""
    if con.name != "duckdb":
        return False, 1
    if order_lines is None:
        order_lines = int(con.execute(tables["orders"].count()))
    half = duckdb_memory_limit_bytes(con) / 2
    parts = max(1, math.ceil(order_lines * CONTENT_BYTES_PER_LINE / half))
    return order_lines * FACT_BYTES_PER_LINE > half, parts


# content ids sampled per part to find the parts' bounds
IDS_PER_PART = 10_000


def content_ranges(con: BaseBackend, tables: Tables, parts: int) -> list[IdRange]:
    """About ``parts`` ranges of content ids, [low, high), that hold about as many contents
    each and together every id: bounds at the quantiles of a sample of the ids."""
    if parts <= 1:
        return [(None, None)]
    ids = tables["content"].select("content_id")
    ids = ids.filter(ids.content_id.notnull())
    contents = int(con.execute(ids.count()))
    wanted = IDS_PER_PART * parts
    if contents > wanted:
        ids = ids.sample(wanted / contents, seed=1)
    drawn = sorted(str(i) for i in con.to_pyarrow(ids).column("content_id").to_pylist())
    cuts = sorted({drawn[len(drawn) * k // parts] for k in range(1, parts)} if drawn else set())
    bounds: list[str | None] = [None, *cuts, None]
    return list(itertools.pairwise(bounds))


@contextmanager
def shared_facts(
    con: BaseBackend,
    tables: Tables,
    as_of: dt.date,
    order_lines: int | None = None,
    progress: Progress | None = None,
) -> Iterator[SharedFacts]:
    """``tables`` plus the facts of ``as_of``, each computed once on ``con`` (on Spark a
    checkpoint; on DuckDB a temporary table, or, when they would take more than half the
    memory limit for the ``order_lines`` scored (counted if not given), a table of a compressed
    database file of the run's own, ~6x smaller): every analytic then reads them instead of
    computing the same joins again. ``done(step)`` drops the facts no later step reads; the
    rest are dropped on exit. Daily content views (30M rows at 10M order lines) are not kept:
    every window and the lifetime views come from the per-content totals, and the two analytics
    that still read days (rising, trends) cost no more reading them from the lake than from a
    copy, which held 1.7 GB at 10M. ``progress`` is told each fact before it is computed."""
    # in order: a fact may read those before it (content categories read content products);
    # each with the last step that reads it
    compressed, parts = _sizes(con, tables, order_lines)
    built: list[tuple[str, Callable[[Tables], ir.Table | list[ir.Table]], str]] = [
        (fact_key("sold_lines", as_of), lambda t: sold_lines(t, as_of), "trends"),
        # per-content views of every window (7/28/90 days) and of all time, in one pass
        # ...and the views of the window before those rising and trends compare with
        (
            fact_key("content_totals", as_of),
            lambda t: [
                content_totals(t, as_of, CONTENT_WINDOWS, (WEEK, GROWTH_DAYS), ids)
                for ids in content_ranges(con, t, parts)
            ],
            "trends",
        ),
        (fact_key("content_products"), content_products, "trends"),
        (fact_key("content_categories"), content_categories, "metrics"),
        (fact_key("follower_growth", as_of), lambda t: follower_growth(t, as_of), "rising"),
        # products per content: the skill's pairs and kind totals both read it
        (fact_key("products_shown"), products_shown, "facts"),
        # the skill query reads its creator x category x kind totals ~20 times and, through
        # them, the creator x product pairs ~60 times: Spark inlines common table expressions
        # and would compute them again for each read
        (
            fact_key(f"pair_exposure_{SKILL_DAYS}", as_of),
            lambda t: pair_exposure(t, as_of),
            "facts",
        ),
        (fact_key(f"kind_totals_{SKILL_DAYS}", as_of), lambda t: kind_totals(t, as_of), "facts"),
        # the second pass joins the first pass's multipliers twice (its sums, its pairs)
        (
            fact_key(f"first_multipliers_{SKILL_DAYS}", as_of),
            lambda t: first_multipliers(t, as_of),
            "facts",
        ),
        (
            fact_key(f"reweighted_totals_{SKILL_DAYS}", as_of),
            lambda t: reweighted_totals(t, as_of),
            "skill",
        ),
    ]
    facts = SharedFacts(tables)
    with ExitStack() as stack:
        catalog = stack.enter_context(compressed_store(con)) if compressed else None
        try:
            for number, (key, build, last) in enumerate(built, 1):
                expr = build(facts)
                exprs = expr if isinstance(expr, list) else [expr]
                if progress is not None:
                    parts_told = f" ({len(exprs)} parts)" if len(exprs) > 1 else ""
                    progress(f"shared facts {number}/{len(built)}: {_label(key)}{parts_told}")
                facts.keep(key, *materialise(con, exprs, catalog), last)
            yield facts
        finally:
            facts.release_all()


def _label(key: str) -> str:
    """``fact:pair_exposure_90@2026-11-22`` -> ``pair exposure 90``."""
    return key.removeprefix("fact:").split("@")[0].replace("_", " ")


def _sorted(con: BaseBackend, expr: ibis.Table, keys: list[str]) -> pa.Table:
    return con.to_pyarrow(expr).sort_by([(k, "ascending") for k in keys])


def score(
    con: BaseBackend,
    tables: Tables,
    as_of: dt.date | None = None,
    currency: str | None = None,
    progress: Progress | None = None,
) -> ScoreResult:
    """Compute metrics, skill/star scores, rising stars and product trends up to ``as_of``
    (default: the latest day of data) over the orders in ``currency`` (default: the currency of
    most order lines) and return them materialised. ``progress`` is told each step (a line
    such as ``shared facts 3/10: content products``, ``skill``) before it runs."""
    tell = progress or (lambda _step: None)
    lines = order_currencies(con, tables)
    if currency is not None and currency not in lines:
        known = ", ".join(lines) or "none"
        raise ShopstarError(f"currency: no orders in {currency!r} (orders are in {known})")
    currency = currency or next(iter(lines), None)
    day = as_of or latest_day(con, tables)
    if currency is not None:
        tables = in_currency(tables, currency)
    with shared_facts(con, tables, day, lines.get(currency or ""), tell) as facts:
        facts.done("facts")
        tell("skill, reach and star_score")
        stars = _sorted(con, skill_table(facts, day), ["category", "creator_id"])
        facts.done("skill")
        # rising builds on the skills: reuse the computed rows rather than compute them again
        tell("rising stars")
        skills = ibis.memtable(stars.select(list(RISING_INPUT)))
        rising = _sorted(con, rising_table(facts, day, skills), ["category", "creator_id"])
        facts.done("rising")
        tell("creator metrics")
        metrics = _sorted(
            con, creator_metrics(facts, day), ["window_days", "category", "creator_id"]
        )
        facts.done("metrics")
        tell("product trends")
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
