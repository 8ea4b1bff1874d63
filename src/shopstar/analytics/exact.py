"""Float aggregates whose result does not depend on the order the rows are added in.

Float addition is not associative: a parallel sum (DuckDB's threads, Spark's partitions) adds
in an order that changes from run to run, and its last bits change with it — enough for a value
near a rounding boundary to publish differently. Here each term is first rounded to a fixed
number of decimals (the same on every engine: one multiplication and one rounding per row) and
the terms are summed as 64-bit integers, which is exact on DuckDB and Spark. Sums, means and
variances built this way, and everything computed from them, are the same in every run.

``decimals`` must keep the integer sum within 2**63: 10**decimals × (sum of |terms|) < 9e18.
"""

from __future__ import annotations

from typing import Literal

import ibis
import ibis.expr.types as ir
from ibis.expr.builders import WindowBuilder

# decimals kept per kind of quantity: far below its noise, and sums of up to 1e8 terms stay
# within int64 at 100M order lines (views 7e10 in total, GMV 3e9, lines 1e8, logs 1e8 × 400)
VIEWS = 3
LINES = 6
MONEY = 4
LOGS = 8


def fixed(
    value: ir.NumericValue, decimals: int, where: ir.BooleanValue | None = None
) -> ir.IntegerValue:
    """``value`` in units of 10**-decimals, as an integer (null where not ``where``: rows left
    out are not converted, so they may hold values no integer can, such as x / 0)."""
    scaled = (value.cast("float64") * float(10**decimals)).round().cast("int64")
    return scaled if where is None else ibis.ifelse(where, scaled, ibis.null("int64"))


def exact_sum(
    value: ir.NumericValue,
    decimals: int,
    where: ir.BooleanValue | None = None,
    over: WindowBuilder | None = None,
) -> ir.FloatingValue:
    """Sum of ``value`` rounded to ``decimals`` places term by term (optionally ``where``;
    optionally as a window function ``over``)."""
    total = fixed(value, decimals, where).sum()
    if over is not None:
        total = total.over(over)
    return total.cast("float64") / float(10**decimals)


def exact_mean(
    value: ir.NumericValue, decimals: int, where: ir.BooleanValue | None = None
) -> ir.FloatingValue:
    """Mean of ``value`` (non-null, ``where``) from :func:`exact_sum`; null without rows."""
    n = value.count(where=where)
    return ibis.ifelse(n > 0, exact_sum(value, decimals, where) / n.cast("float64"), None)


def exact_cov(
    x: ir.NumericValue,
    y: ir.NumericValue,
    decimals: int,
    how: Literal["pop", "sample"],
    where: ir.BooleanValue | None = None,
) -> ir.FloatingValue:
    """Covariance of ``x`` and ``y`` over rows where both are non-null (and ``where``), from
    exact sums of x, y and x·y; null without enough rows."""
    both = x.notnull() & y.notnull()
    rows = both if where is None else both & where
    n = rows.cast("int64").sum().cast("float64")
    sx, sy = exact_sum(x, decimals, rows), exact_sum(y, decimals, rows)
    sxy = exact_sum(x.cast("float64") * y.cast("float64"), decimals, rows)
    dof = n if how == "pop" else n - 1.0
    return ibis.ifelse(dof > 0, (sxy - sx * sy / n) / dof, None)


def exact_var(
    value: ir.NumericValue,
    decimals: int,
    how: Literal["pop", "sample"],
    where: ir.BooleanValue | None = None,
) -> ir.FloatingValue:
    """Variance of ``value`` (non-null, ``where``) from exact sums; null without enough rows."""
    return exact_cov(value, value, decimals, how, where)
