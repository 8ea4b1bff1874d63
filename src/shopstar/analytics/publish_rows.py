"""The rows of a :class:`~shopstar.analytics.run.ScoreResult` as they are published: floats
rounded so that two runs over the same data publish identical figures, ranks per category, and
the rows in primary-key order, taken out chunk by chunk (written by
:mod:`shopstar.analytics.publish`).

Ranks are per category, best first, ties broken by id, so a run is fully determined by its
inputs: scoring the same data twice publishes identical rows under a new run id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shopstar.analytics.published import (
    CreatorCategoryMetric,
    CreatorCategoryScore,
    ProductTrend,
    RisingStar,
)

SIGNIFICANT = 9  # significant digits of the published floats...
DECIMALS = 12  # ...and at most this many decimals (a log near 0 is not known to 1e-20)
CHUNK_ROWS = 65_536  # rows converted for the driver at once: publishing's memory is bounded


def stable_floats(values: pa.ChunkedArray) -> pa.Array:
    """``values`` rounded to :data:`SIGNIFICANT` significant digits and at most
    :data:`DECIMALS` decimals, NaN as null.

    Parallel float sums may differ in their last bits from one run to the next, and a log near
    zero (skill) turns that into a large relative difference; rounding well above that noise
    makes the published figures of two runs over the same data identical, unless a value lies
    within that noise of a rounding boundary (see docs/analytics.md).
    """
    x = values.to_numpy(zero_copy_only=False).astype(np.float64)
    finite = np.isfinite(x) & (x != 0)
    exponent = np.zeros(x.shape, dtype=np.int64)
    exponent[finite] = np.floor(np.log10(np.abs(x[finite]))).astype(np.int64)
    shift = np.minimum(SIGNIFICANT - 1 - exponent, DECIMALS)
    # scale by exact powers of ten (10^22 is the largest exact double): x * 10^k or x / 10^-k
    up, down = finite & (shift >= 0), finite & (shift < 0) & (shift >= -22)
    out = x.copy()
    out[up] = np.round(x[up] * 10.0 ** shift[up]) / 10.0 ** shift[up]
    out[down] = np.round(x[down] / 10.0 ** -shift[down]) * 10.0 ** -shift[down]
    out += 0.0  # no negative zero
    return pa.array(out, mask=np.isnan(out))


def stable_table(table: pa.Table) -> pa.Table:
    """``table`` with every float column passed through :func:`stable_floats`."""
    columns = [
        stable_floats(table.column(f.name))
        if pa.types.is_floating(f.type)
        else table.column(f.name)
        for f in table.schema
    ]
    return pa.table(columns, names=table.column_names)


@dataclass(frozen=True)
class Rows:
    """The rows of one result table for its model: ``table`` holds the model's columns as
    scored (``rank`` included), ``order`` the row indices in primary-key order (the fast order
    to load). Floats are rounded (:func:`stable_table`) chunk by chunk, as rows are taken out,
    so preparing the rows costs a few integers per row, not a copy of the table."""

    table: pa.Table
    order: pa.Array

    @property
    def num_rows(self) -> int:
        """How many rows will be published."""
        return len(self.order)

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[pa.Table]:
        """The rows in key order, at most ``size`` at a time, floats rounded."""
        for start in range(0, len(self.order), size):
            yield stable_table(self.table.take(self.order[start : start + size]))

    def to_table(self) -> pa.Table:
        """All the rows in key order, floats rounded (for tests and benchmarks)."""
        return stable_table(self.table.take(self.order))


def _ranked(table: pa.Table, score: str, key: str) -> Rows:
    """``table`` with ``rank``: per category by ``score`` (rounded) descending, ties by
    ``key``; loaded in (category, key) order."""
    ordering = pa.table(
        {
            "category": table.column("category"),
            "score": stable_floats(table.column(score)),
            "key": table.column(key),
        }
    )
    best_first = pc.sort_indices(
        ordering, [("category", "ascending"), ("score", "descending"), ("key", "ascending")]
    ).to_numpy()
    categories = table.column("category").take(best_first).combine_chunks()
    count = len(categories)
    position = np.arange(count, dtype=np.int64)
    first = np.ones(count, dtype=bool)  # where a category starts (compared in Arrow, no str)
    if count > 1:
        changed = pc.not_equal(categories.slice(1), categories.slice(0, count - 1))
        first[1:] = changed.to_numpy(zero_copy_only=False)
    start = np.maximum.accumulate(np.where(first, position, 0))
    rank = np.empty(count, dtype=np.int64)
    rank[best_first] = position - start + 1
    table = table.append_column("rank", pa.array(rank))
    return Rows(table, pc.sort_indices(table, [("category", "ascending"), (key, "ascending")]))


def score_rows(stars: pa.Table) -> Rows:
    """Rows of :class:`CreatorCategoryScore` from the stars table."""
    out = stars.rename_columns({"lines": "order_lines", "expected": "expected_lines"})
    return _ranked(_columns(out, CreatorCategoryScore), "star_score", "creator_id")


def rising_rows(rising: pa.Table) -> Rows:
    """Rows of :class:`RisingStar`: the creators flagged rising, ranked by rising_score."""
    flagged = _columns(rising, RisingStar).filter(pc.fill_null(rising.column("is_rising"), False))
    return _ranked(flagged, "rising_score", "creator_id")


def trend_rows(trends: pa.Table) -> Rows:
    """Rows of :class:`ProductTrend`, ranked by trend_score."""
    return _ranked(_columns(trends, ProductTrend), "trend_score", "product_id")


def metric_rows(metrics: pa.Table) -> Rows:
    """Rows of :class:`CreatorCategoryMetric`, NaN ratios as null, in key order."""
    out = _columns(metrics, CreatorCategoryMetric)
    keys = ("creator_id", "category", "window_days")
    return Rows(out, pc.sort_indices(out, [(k, "ascending") for k in keys]))


def _columns(table: pa.Table, model: type[Any]) -> pa.Table:
    names = [c.name for c in model.__table__.columns if c.name not in ("run_id", "rank")]
    return table.select(names)


def _exact_money(rows: pa.Table, table: Any) -> pa.Table:
    """``rows`` with every decimal at its column's scale (engines differ: Spark's products of
    decimals carry more places), rounded half to even as :class:`ExactDecimal` does."""
    for i, field in enumerate(rows.schema):
        if pa.types.is_decimal(field.type):
            scale = table.c[field.name].type.scale
            column = pc.round(rows.column(i), ndigits=scale, round_mode="half_to_even")
            rows = rows.set_column(i, field.name, column.cast(pa.decimal128(38, scale)))
    return rows


def run_chunks(rows: Rows, table: Any, run_id: int) -> Iterator[pa.Table]:
    """``rows`` in chunks of at most :data:`CHUNK_ROWS`, floats rounded, money at its
    column's scale and ``run_id`` first: the unit that is converted for the driver at once."""
    for chunk in rows.chunks(CHUNK_ROWS):
        chunk = _exact_money(chunk, table)
        yield chunk.add_column(0, "run_id", pa.array(np.full(chunk.num_rows, run_id, np.int64)))
