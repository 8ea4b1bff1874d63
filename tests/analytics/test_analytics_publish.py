"""Publishing a score run: the bulk load gives the same rows on SQLite and PostgreSQL, floats
are rounded so that last-bit differences between runs vanish, ranks are per category."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import select, text

from shopstar.analytics import publish as publish_module
from shopstar.analytics.publish import publish
from shopstar.analytics.publish_rows import stable_floats
from shopstar.analytics.published import (
    CreatorCategoryMetric,
    CreatorCategoryScore,
    ProductTrend,
    RisingStar,
    ScoreRun,
    stars_query,
    trends_query,
)
from shopstar.analytics.run import ScoreResult
from shopstar.db import make_engine, make_sessionmaker


def _result(skill_noise: float = 0.0, money_scale: int = 2) -> ScoreResult:
    """A small hand-made result; ``skill_noise`` perturbs the floats in their last bits, as a
    parallel float sum may from one run to the next; ``money_scale`` is the decimals of money
    (Spark's products of decimals carry 4)."""
    eps = 1.0 + skill_noise
    money = pa.decimal128(38, money_scale)
    metrics = pa.table(
        {
            "creator_id": ["c1", "c1", "c2"],
            "category": ["beauty", "beauty", "home"],
            "window_days": [7, 28, 7],
            "gmv": pa.array([Decimal("10.50"), Decimal("30.00"), Decimal("0.00")], money),
            "net_gmv": pa.array([Decimal("10.50"), Decimal("25.25"), Decimal("0.00")], money),
            "order_lines": [1, 3, 0],
            "items_sold": [1, 4, 0],
            "views": [1000, 5000, 0],
            "clicks": [10, 40, 0],
            "posts": [1, 2, 0],
            "ctr": [0.01 * eps, 0.008, math.nan],
            "cvr": [0.1, 0.075 * eps, math.nan],
            "gpm": [10.5, 6.0, math.nan],
            "video_gmv": pa.array([Decimal("10.50"), Decimal("30.00"), Decimal("0")], money),
            "live_gmv": pa.array([Decimal("0"), Decimal("0"), Decimal("0")], money),
            "products_promoted": [1, 2, 0],
            "prev_gmv": pa.array([Decimal("0"), Decimal("12.34"), Decimal("0")], money),
            "gmv_growth": [math.nan, 30 / 12.34 - 1, math.nan],
        }
    )
    skill = [0.5 * eps, 2e-17 * eps, -0.25, 0.5]
    stars = pa.table(
        {
            "creator_id": ["c1", "c2", "c3", "c4"],
            "category": ["beauty", "beauty", "beauty", "home"],
            "views": [1000, 2000, 300, 50],
            "posts": [1, 2, 1, 1],
            "lines": [5, 4, 0, 1],
            "expected": [3.0 * eps, 4.0, 0.4, 0.5],
            "gmv": pa.array(
                [Decimal("50.00"), Decimal("40.00"), Decimal("0"), Decimal("9.99")], money
            ),
            "prior_strength": [50.0] * 4,
            "multiplier": [math.exp(s) for s in skill],
            "skill": skill,
            "skill_low": [s - 0.2 for s in skill],
            "skill_high": [s + 0.2 for s in skill],
            "reach": [900.0, 1800.0, 300.0, 50.0],
            "posts_per_week": [0.5, 1.0, 0.25, 0.1],
            "value_per_view": [0.01, 0.01, 0.01, 0.2],
            "star_score": [7.0 * eps, 7.0, 1.0, 3.0],  # c1 and c2 tie: ranked by creator_id
        }
    )
    rising = pa.table(
        {
            "creator_id": ["c1", "c3"],
            "category": ["beauty", "beauty"],
            "skill": [0.5, -0.25],
            "skill_low": [0.3, -0.45],
            "star_score": [7.0, 1.0],
            "reach": [900.0, 300.0],
            "followers": pa.array([1000, None], pa.int64()),
            "follower_growth": [0.05, math.nan],
            "reach_growth": [math.nan, 0.1],
            "audience_rank": [0.0, 0.5],
            "rising_score": [0.05, 0.0],
            "reason": ["fast growth", ""],
            "is_rising": [True, False],
        }
    )
    trends = pa.table(
        {
            "product_id": ["p1", "p2"],
            "category": ["beauty", "beauty"],
            "units_w1": [20, 3],
            "units_w2": [5, 3],
            "units_w3": [1, 3],
            "units_w4": [0, 3],
            "adopters": [4, 1],
            "adopters_prev": [1, 1],
            "velocity": [20 / 7, 3 / 7],
            "acceleration": [15 / 7, 0.0],
            "breakout": [True, False],
            "trend_score": [60.0, 6.0],
        }
    )
    return ScoreResult(dt.date(2026, 11, 1), "USD", metrics, stars, rising, trends)


def _rows(db_url: str, run_id: int) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(db_url)
    out = {}
    with make_sessionmaker(engine)() as session:
        for name, query in (
            ("stars", stars_query(run_id, None)),
            ("rising", stars_query(run_id, None, rising=True)),
            ("trends", trends_query(run_id, None)),
            (
                "metrics",
                select(CreatorCategoryMetric).where(CreatorCategoryMetric.run_id == run_id),
            ),
        ):
            rows = session.scalars(query).all()
            out[name] = [
                tuple(getattr(r, c.name) for c in type(r).__table__.columns if c.name != "run_id")
                for r in rows
            ]
            if name == "stars":
                out["explanations"] = [(r.explanation,) for r in rows]
    engine.dispose()
    return out


def test_published_rows_ranks_and_explanations(db_url: str) -> None:
    engine = make_engine(db_url)
    run_id = publish(make_sessionmaker(engine), _result(), "duckdb")
    with make_sessionmaker(engine)() as session:
        stars = session.scalars(stars_query(run_id, "beauty")).all()
        assert [(s.rank, s.creator_id) for s in stars] == [(1, "c1"), (2, "c2"), (3, "c3")]
        assert stars[0].gmv == Decimal("50.00") and stars[1].skill == 0.0  # 2e-17: no digits
        assert stars[0].explanation["summary"].startswith("1.65x the sales expected")
        assert stars[0].explanation["skill_band"] == [0.3, 0.7]
        rising = session.scalars(stars_query(run_id, "beauty", rising=True)).all()
        assert [(r.creator_id, r.reason, r.reach_growth) for r in rising] == [
            ("c1", "fast growth", None)  # only flagged creators; NaN published as null
        ]
        metric = session.get(CreatorCategoryMetric, (run_id, "c2", "home", 7))
        assert metric is not None and metric.ctr is None and metric.net_gmv == Decimal("0.00")
        assert session.get(CreatorCategoryScore, (run_id, "home", "c4")) is not None
        assert session.get(RisingStar, (run_id, "beauty", "c3")) is None
    engine.dispose()


def test_last_bit_differences_publish_identical_rows(db_url: str) -> None:
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    first = publish(factory, _result(), "duckdb")
    second = publish(factory, _result(skill_noise=4e-16), "duckdb")
    engine.dispose()
    one, two = _rows(db_url, first), _rows(db_url, second)
    assert all(one.values()) and one == two


def test_money_is_stored_at_its_column_scale_whatever_the_engine_gives(db_url: str) -> None:
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    duckdb_like, spark_like = (
        publish(factory, _result(), "duckdb"),
        publish(factory, _result(money_scale=4), "spark"),
    )
    with engine.connect() as conn:  # raw values: text on SQLite, NUMERIC on PostgreSQL
        stored = [
            conn.execute(
                text(
                    "SELECT creator_id, window_days, gmv, net_gmv, prev_gmv"
                    " FROM creator_category_metrics WHERE run_id = :run"
                    " ORDER BY creator_id, window_days"
                ),
                {"run": run},
            ).all()
            for run in (duckdb_like, spark_like)
        ]
    engine.dispose()
    assert stored[0] == stored[1]
    assert str(stored[0][1][2]) == "30.00"


def test_floats_keep_nine_significant_digits_and_at_most_twelve_decimals() -> None:
    values = pa.chunked_array([[123.4567890123, 1 / 3, 2e-17, -4e-13, 6e-13, 0.0, math.nan]])
    assert stable_floats(values).to_pylist() == [
        123.456789,
        0.333333333,
        0.0,
        0.0,
        1e-12,
        0.0,
        None,
    ]


@pytest.fixture
def via_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite results of any size through the ADBC loader process (else only large ones)."""
    monkeypatch.setattr(publish_module, "LOADER_ROWS", 0)


SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@SQLITE
def test_the_sqlite_loader_stores_what_inserts_store(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    by_insert = publish(factory, _result(money_scale=4), "duckdb")
    monkeypatch.setattr(publish_module, "LOADER_ROWS", 0)
    by_loader = publish(factory, _result(money_scale=4), "duckdb")
    with engine.connect() as conn:  # every column as stored, with its SQLite type
        for model in (CreatorCategoryMetric, CreatorCategoryScore, RisingStar, ProductTrend):
            columns = [c.name for c in model.__table__.columns if c.name != "run_id"]
            stored = ", ".join(f'"{c}", typeof("{c}")' for c in columns)
            query = text(f"SELECT {stored} FROM {model.__tablename__} WHERE run_id = :run")
            one, two = (
                sorted(conn.execute(query, {"run": r}).all()) for r in (by_insert, by_loader)
            )
            assert one and one == two, model.__tablename__
    with factory() as session:
        runs = session.scalars(select(ScoreRun).order_by(ScoreRun.id)).all()
        assert [r.status for r in runs] == ["complete", "complete"]
        loaded = runs[1]
        assert loaded.completed_at is not None and loaded.completed_at >= loaded.created_at
    engine.dispose()


@pytest.mark.usefixtures("via_loader")
def test_publishing_keeps_every_run_while_this_process_has_the_db_open(db_url: str) -> None:
    """SQLite: the rows go in through ADBC's own copy of SQLite; were it in this process, its
    connection would release the locks of the connection held here and delete the WAL they
    share (a committed run row was lost that way)."""
    held = make_engine(db_url)
    with held.connect() as conn:
        conn.execute(text("SELECT count(*) FROM score_runs")).scalar()
        engine = make_engine(db_url)
        factory = make_sessionmaker(engine)
        runs = [publish(factory, _result(), "duckdb") for _ in range(3)]
        engine.dispose()
        conn.rollback()
        statuses = conn.execute(text("SELECT id, status FROM score_runs ORDER BY id")).all()
        assert statuses == [(run, "complete") for run in runs]
    held.dispose()
    rows = [_rows(db_url, run) for run in runs]
    assert rows[0]["metrics"] and rows[0] == rows[1] == rows[2]


def _broken(missing_column: bool) -> ScoreResult:
    """A result that fails on its last table: a column missing (found while preparing it) or a
    duplicate key (found by the database)."""
    result = _result()
    trends = result.trends.drop_columns(["trend_score"])
    if not missing_column:
        trends = pa.concat_tables([result.trends, result.trends.slice(0, 1)])
    return ScoreResult(
        result.as_of, result.currency, result.metrics, result.stars, result.rising, trends
    )


@pytest.mark.parametrize("loader", [False, True], ids=["inserts", "loader"])
@pytest.mark.parametrize("missing_column", [True, False], ids=["missing", "duplicate"])
def test_a_publish_failing_on_its_last_table_leaves_a_failed_run_and_no_rows(
    db_url: str, loader: bool, missing_column: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if loader:
        monkeypatch.setattr(publish_module, "LOADER_ROWS", 0)
    engine = make_engine(db_url)
    error = "trend_score" if missing_column else "(?i)unique|duplicate"
    with pytest.raises(Exception, match=error):
        publish(make_sessionmaker(engine), _broken(missing_column), "duckdb")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM score_runs")).scalars().all() == ["failed"]
        for model in (CreatorCategoryMetric, CreatorCategoryScore, RisingStar, ProductTrend):
            count = text(f"SELECT count(*) FROM {model.__tablename__}")
            assert conn.execute(count).scalar() == 0
    engine.dispose()
