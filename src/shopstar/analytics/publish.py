"""Write a :class:`~shopstar.analytics.run.ScoreResult` into the app DB, and read it back.

Ranks are per category, best first, ties broken by id, so a run is fully determined by its
inputs: scoring the same data twice publishes identical rows under a new run id. Rows go from
Arrow straight to the driver's bulk path (COPY on PostgreSQL, executemany on SQLite), never
through per-row ORM objects.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, sessionmaker

from shopstar.analytics.published import (
    CreatorCategoryMetric,
    CreatorCategoryScore,
    ProductTrend,
    RisingStar,
    ScoreRun,
)
from shopstar.analytics.run import ScoreResult
from shopstar.db.types import utcnow

SIGNIFICANT = 9  # significant digits of the published floats...
DECIMALS = 12  # ...and at most this many decimals (a log near 0 is not known to 1e-20)
LOAD_CACHE_KIB = -262_144  # SQLite page cache while loading a table (negative: KiB, at most)


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


def _ranked(table: pa.Table, score: str, key: str) -> pa.Table:
    """``table`` sorted per category by ``score`` descending (ties by ``key``), with ``rank``."""
    table = table.sort_by([("category", "ascending"), (score, "descending"), (key, "ascending")])
    categories = table.column("category").to_numpy(zero_copy_only=False)
    position = np.arange(len(categories), dtype=np.int64)
    first = np.ones(len(categories), dtype=bool)
    first[1:] = categories[1:] != categories[:-1]
    start = np.maximum.accumulate(np.where(first, position, 0))
    table = table.append_column("rank", pa.array(position - start + 1))
    return table.sort_by([("category", "ascending"), (key, "ascending")])  # key order: fast load


def score_rows(stars: pa.Table) -> pa.Table:
    """Rows of :class:`CreatorCategoryScore` from the stars table."""
    out = stable_table(stars).rename_columns({"lines": "order_lines", "expected": "expected_lines"})
    return _ranked(_columns(out, CreatorCategoryScore), "star_score", "creator_id")


def rising_rows(rising: pa.Table) -> pa.Table:
    """Rows of :class:`RisingStar`: the creators flagged rising, ranked by rising_score."""
    flagged = rising.filter(pc.fill_null(rising.column("is_rising"), False))
    return _ranked(_columns(stable_table(flagged), RisingStar), "rising_score", "creator_id")


def trend_rows(trends: pa.Table) -> pa.Table:
    """Rows of :class:`ProductTrend`, ranked by trend_score."""
    return _ranked(_columns(stable_table(trends), ProductTrend), "trend_score", "product_id")


def metric_rows(metrics: pa.Table) -> pa.Table:
    """Rows of :class:`CreatorCategoryMetric`, NaN ratios as null, in key order."""
    out = _columns(stable_table(metrics), CreatorCategoryMetric)
    return out.sort_by([(k, "ascending") for k in ("creator_id", "category", "window_days")])


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


def _load(session: Session, model: type[Any], rows: pa.Table, run_id: int) -> None:
    """Bulk-load ``rows`` (a model's columns but run_id) into ``model``'s table within the
    session's transaction: COPY on PostgreSQL, one executemany of tuples on SQLite."""
    if rows.num_rows == 0:
        return
    table = model.__table__
    rows = _exact_money(rows, table)
    rows = rows.add_column(0, "run_id", pa.array(np.full(rows.num_rows, run_id, np.int64)))
    columns = ", ".join(f'"{name}"' for name in rows.column_names)
    driver = session.connection().connection.driver_connection
    if session.get_bind().dialect.name == "postgresql":
        buffer = io.BytesIO()
        csv.write_csv(rows, buffer, csv.WriteOptions(include_header=False))
        with driver.cursor() as cursor:  # type: ignore[union-attr]
            sql = f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT csv)'
            with cursor.copy(sql) as copy:
                copy.write(buffer.getbuffer())
        return
    # SQLite: money is text (see shopstar.db.types.ExactDecimal), the rest as Python values
    values = [
        (c.cast(pa.string()) if pa.types.is_decimal(c.type) else c).to_pylist()
        for c in rows.columns
    ]
    marks = ", ".join("?" * len(values))
    cursor = driver.cursor()  # type: ignore[union-attr]
    # a page cache large enough for the whole load keeps SQLite from spilling mid-transaction
    (cache,) = cursor.execute("PRAGMA cache_size").fetchone()
    cursor.execute(f"PRAGMA cache_size = {LOAD_CACHE_KIB}")
    try:
        cursor.executemany(
            f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', zip(*values, strict=True)
        )
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(cache)}")
        cursor.close()


def publish(factory: sessionmaker[Session], result: ScoreResult, engine: str) -> int:
    """Publish ``result`` as a new score run and make it the current one; return its id."""
    with factory.begin() as session:
        run = ScoreRun(as_of=result.as_of, engine=engine, currency=result.currency)
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        with factory.begin() as session:
            _load(session, CreatorCategoryMetric, metric_rows(result.metrics), run_id)
            _load(session, CreatorCategoryScore, score_rows(result.stars), run_id)
            _load(session, RisingStar, rising_rows(result.rising), run_id)
            _load(session, ProductTrend, trend_rows(result.trends), run_id)
            session.execute(
                update(ScoreRun)
                .where(ScoreRun.id == run_id)
                .values(status="complete", completed_at=utcnow())
            )
    except BaseException:
        with factory.begin() as session:
            session.execute(update(ScoreRun).where(ScoreRun.id == run_id).values(status="failed"))
        raise
    return run_id


def latest_run(session: Session) -> ScoreRun | None:
    """The most recent complete score run, or None."""
    query = select(ScoreRun).where(ScoreRun.status == "complete").order_by(ScoreRun.id.desc())
    return session.scalars(query.limit(1)).first()


def stars_query(run_id: int, category: str | None, *, rising: bool = False) -> Select[Any]:
    """Star (or rising-star) rows of a run, best first, optionally in one category."""
    model: type[CreatorCategoryScore] | type[RisingStar] = (
        RisingStar if rising else CreatorCategoryScore
    )
    query = select(model).where(model.run_id == run_id)
    if category is not None:
        return query.where(model.category == category).order_by(model.rank)
    score = RisingStar.rising_score if rising else CreatorCategoryScore.star_score
    return query.order_by(score.desc(), model.category, model.creator_id)


def trends_query(run_id: int, category: str | None) -> Select[Any]:
    """Product trend rows of a run, best first, optionally in one category."""
    query = select(ProductTrend).where(ProductTrend.run_id == run_id)
    if category is not None:
        return query.where(ProductTrend.category == category).order_by(ProductTrend.rank)
    return query.order_by(
        ProductTrend.trend_score.desc(), ProductTrend.category, ProductTrend.product_id
    )
