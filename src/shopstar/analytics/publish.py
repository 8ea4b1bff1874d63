"""Write a :class:`~shopstar.analytics.run.ScoreResult` into the app DB, and read it back.

Ranks are per category, best first, ties broken by id, so a run is fully determined by its
inputs: scoring the same data twice publishes identical rows under a new run id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa
from sqlalchemy import Select, insert, select, update
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

BATCH = 5000


def stable_rows(table: pa.Table) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` as dicts, floats rounded to 12 significant digits and NaN as null.

    Parallel float sums may differ in the last bits from one run to the next; rounding makes
    the published figures of two runs over the same data identical.
    """
    names, columns = table.column_names, []
    for field in table.schema:
        values = table.column(field.name).to_pylist()
        if pa.types.is_floating(field.type):
            values = [None if v is None or math.isnan(v) else float(f"{v:.12g}") for v in values]
        columns.append(values)
    for row in zip(*columns, strict=True):
        yield dict(zip(names, row, strict=True))


def _ranked(rows: list[dict[str, Any]], score: str, key: str) -> list[dict[str, Any]]:
    """``rows`` with ``rank`` per category by ``score`` descending, ties by ``key``."""
    rows.sort(key=lambda r: (r["category"], -r[score], r[key]))
    category, rank = None, 0
    for row in rows:
        rank = rank + 1 if row["category"] == category else 1
        category = row["category"]
        row["rank"] = rank
    return rows


def _num(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def explain(row: dict[str, Any]) -> dict[str, Any]:
    """The numbers behind a star_score, and one sentence saying what they mean."""
    lines, expected = int(row["lines"]), float(row["expected"])
    summary = (
        f"{row['multiplier']:.2f}x the sales expected for the products promoted "
        f"({lines} order lines vs {expected:.1f} expected from {int(row['views']):,} views); "
        f"{row['reach']:,.0f} views per post, {row['posts_per_week']:.1f} posts a week"
    )
    return {
        "summary": summary,
        "skill_multiplier": _num(row["multiplier"]),
        "skill_band": [_num(row["skill_low"]), _num(row["skill_high"])],
        "order_lines": lines,
        "expected_lines": _num(expected),
        "views": int(row["views"]),
        "posts": int(row["posts"]),
        "reach": _num(row["reach"]),
        "posts_per_week": _num(row["posts_per_week"]),
        "category_gmv_per_view": _num(row["value_per_view"]),
        "prior_strength": _num(row["prior_strength"]),
    }


def score_rows(stars: pa.Table) -> list[dict[str, Any]]:
    """Rows of :class:`CreatorCategoryScore` from the stars table."""
    out = [
        {
            "category": r["category"],
            "creator_id": r["creator_id"],
            "star_score": r["star_score"],
            "skill": r["skill"],
            "skill_low": r["skill_low"],
            "skill_high": r["skill_high"],
            "reach": r["reach"],
            "views": r["views"],
            "posts": r["posts"],
            "order_lines": r["lines"],
            "expected_lines": r["expected"],
            "gmv": r["gmv"],
            "explanation": explain(r),
        }
        for r in stable_rows(stars)
    ]
    return _ranked(out, "star_score", "creator_id")


def rising_rows(rising: pa.Table) -> list[dict[str, Any]]:
    """Rows of :class:`RisingStar`: the creators flagged rising, ranked by rising_score."""
    columns = [c.name for c in RisingStar.__table__.columns if c.name not in ("run_id", "rank")]
    flagged = rising.filter(rising.column("is_rising").fill_null(False))
    out = list(stable_rows(flagged.select(columns)))
    return _ranked(out, "rising_score", "creator_id")


def trend_rows(trends: pa.Table) -> list[dict[str, Any]]:
    """Rows of :class:`ProductTrend`, ranked by trend_score."""
    columns = [c.name for c in ProductTrend.__table__.columns if c.name not in ("run_id", "rank")]
    out = list(stable_rows(trends.select(columns)))
    return _ranked(out, "trend_score", "product_id")


def metric_rows(metrics: pa.Table) -> Iterator[dict[str, Any]]:
    """Rows of :class:`CreatorCategoryMetric`, NaN ratios as null."""
    return stable_rows(metrics)


def _insert(
    session: Session, model: type[Any], rows: Iterable[dict[str, Any]], run_id: int
) -> None:
    # These rows are written, never loaded: one compiled INSERT run by the driver's executemany
    # over values already converted by each column's type (what SQLAlchemy would do per row,
    # without its per-row statement bookkeeping)
    connection = session.connection()
    dialect = connection.dialect
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    keys = [*first, "run_id"]
    compiled = insert(model.__table__).compile(dialect=dialect, column_keys=keys)
    order = list(compiled.positiontup or ()) if compiled.positional else keys
    types = {c.key: c.type.dialect_impl(dialect) for c in model.__table__.columns}
    convert = [(key, types[key].bind_processor(dialect)) for key in order]
    sql = str(compiled)

    def values(row: dict[str, Any]) -> Any:
        row["run_id"] = run_id
        out = [row[k] if f is None else f(row[k]) for k, f in convert]
        return tuple(out) if compiled.positional else dict(zip(order, out, strict=True))

    batch = [values(first)]
    for row in rows:
        batch.append(values(row))
        if len(batch) >= BATCH:
            connection.exec_driver_sql(sql, batch)
            batch = []
    if batch:
        connection.exec_driver_sql(sql, batch)


def publish(factory: sessionmaker[Session], result: ScoreResult, engine: str) -> int:
    """Publish ``result`` as a new score run and make it the current one; return its id."""
    with factory.begin() as session:
        run = ScoreRun(as_of=result.as_of, engine=engine, currency=result.currency)
        session.add(run)
        session.flush()
        run_id = run.id
    try:
        with factory.begin() as session:
            _insert(session, CreatorCategoryMetric, metric_rows(result.metrics), run_id)
            _insert(session, CreatorCategoryScore, score_rows(result.stars), run_id)
            _insert(session, RisingStar, rising_rows(result.rising), run_id)
            _insert(session, ProductTrend, trend_rows(result.trends), run_id)
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
