"""Write a :class:`~shopstar.analytics.run.ScoreResult` into the app DB, and read it back.

Ranks are per category, best first, ties broken by id, so a run is fully determined by its
inputs: scoring the same data twice publishes identical rows under a new run id. Rows go from
Arrow straight to the driver's bulk path, never through per-row ORM objects, in chunks of
:data:`CHUNK_ROWS` (memory stays bounded whatever the result's size): on SQLite multi-row
INSERTs, on PostgreSQL one COPY into a fresh table that is then attached as the run's partition.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
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
    partition_name,
)
from shopstar.analytics.run import ScoreResult
from shopstar.db.types import utcnow

SIGNIFICANT = 9  # significant digits of the published floats...
DECIMALS = 12  # ...and at most this many decimals (a log near 0 is not known to 1e-20)
LOAD_CACHE_KIB = -262_144  # SQLite page cache while loading a table (negative: KiB, at most)
CHUNK_ROWS = 65_536  # rows converted for the driver at once: publishing's memory is bounded
INSERT_VARIABLES = 999  # values per SQLite INSERT (SQLite's limit before 3.32: any build)


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


def _chunks(rows: Rows, table: Any, run_id: int) -> Iterator[pa.Table]:
    """``rows`` in chunks of at most :data:`CHUNK_ROWS`, floats rounded, money at its
    column's scale and ``run_id`` first: the unit that is converted for the driver at once."""
    for chunk in rows.chunks(CHUNK_ROWS):
        chunk = _exact_money(chunk, table)
        yield chunk.add_column(0, "run_id", pa.array(np.full(chunk.num_rows, run_id, np.int64)))


def _copy(session: Session, table: Any, rows: Rows, run_id: int) -> None:
    """PostgreSQL: COPY ``rows`` into a fresh table of their own, then attach it as the run's
    partition of ``table``: PostgreSQL builds its primary key in one sorted pass and checks
    the foreign key to ``score_runs`` with one query, instead of both row by row."""
    part = partition_name(table.name, run_id)
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(f'CREATE TABLE "{part}" (LIKE "{table.name}")')
        # the partition's bound as a constraint: ATTACH then needs no scan to prove it
        cursor.execute(f'ALTER TABLE "{part}" ADD CHECK (run_id = {run_id})')
        columns = ", ".join(f'"{name}"' for name in ("run_id", *rows.table.column_names))
        with cursor.copy(f'COPY "{part}" ({columns}) FROM STDIN (FORMAT csv)') as copy:
            for chunk in _chunks(rows, table, run_id):
                buffer = io.BytesIO()
                csv.write_csv(chunk, buffer, csv.WriteOptions(include_header=False))
                copy.write(buffer.getbuffer())
        cursor.execute(
            f'ALTER TABLE "{table.name}" ATTACH PARTITION "{part}" FOR VALUES IN ({run_id})'
        )
        # statistics before the run is served: until autovacuum gets to a fresh partition, the
        # planner guesses its size and picks slow plans for the first pages read from it
        cursor.execute(f'ANALYZE "{part}"')


def _insert(session: Session, table: Any, rows: Rows, run_id: int) -> None:
    """SQLite: INSERT ``rows`` chunk by chunk, :data:`INSERT_VARIABLES` values per statement
    (many rows per statement cost a quarter less than one row each)."""
    width = rows.table.num_columns + 1
    per = max(1, INSERT_VARIABLES // width)
    columns = ", ".join(f'"{name}"' for name in ("run_id", *rows.table.column_names))
    row = f"({', '.join('?' * width)})"
    many = f'INSERT INTO "{table.name}" ({columns}) VALUES {", ".join([row] * per)}'
    one = f'INSERT INTO "{table.name}" ({columns}) VALUES {row}'
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    # a page cache large enough for the whole load keeps SQLite from spilling mid-transaction
    (cache,) = cursor.execute("PRAGMA cache_size").fetchone()
    cursor.execute(f"PRAGMA cache_size = {LOAD_CACHE_KIB}")
    try:
        for chunk in _chunks(rows, table, run_id):
            # money is text on SQLite (see shopstar.db.types.ExactDecimal)
            values = [
                (c.cast(pa.string()) if pa.types.is_decimal(c.type) else c).to_pylist()
                for c in chunk.columns
            ]
            full = len(values[0]) // per * per
            flat: list[Any] = [None] * (full * width)  # row after row, value after value
            for i, column in enumerate(values):
                flat[i::width] = column[:full]
            step = per * width
            cursor.executemany(many, (flat[k : k + step] for k in range(0, len(flat), step)))
            cursor.executemany(one, zip(*(column[full:] for column in values), strict=True))
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(cache)}")
        cursor.close()


def _load(session: Session, model: type[Any], rows: Rows, run_id: int) -> None:
    """Bulk-load ``rows`` (a model's columns but run_id) into ``model``'s table within the
    session's transaction, converting at most :data:`CHUNK_ROWS` rows at a time."""
    if rows.num_rows == 0:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, model.__table__, rows, run_id)
    else:
        _insert(session, model.__table__, rows, run_id)


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
