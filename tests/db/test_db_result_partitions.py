"""Published runs under revision 0005: one partition per run on PostgreSQL, plain tables on
SQLite; migrating down and up keeps every run's rows, a failed publish leaves a "failed" run and
no rows, earlier runs stay, and the schema still matches the models with partitions present."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Boolean, Double, Integer, String, select, text
from sqlalchemy.orm import Session

from shopstar.analytics.publish import publish
from shopstar.analytics.published import (
    CreatorCategoryMetric,
    CreatorCategoryScore,
    ProductTrend,
    RisingStar,
    ScoreRun,
    latest_run,
)
from shopstar.analytics.run import ScoreResult
from shopstar.db import Base, current_revision, downgrade, make_engine, make_sessionmaker, upgrade
from shopstar.db.migrate import not_a_partition
from shopstar.db.types import ExactDecimal

MODELS = (CreatorCategoryMetric, CreatorCategoryScore, RisingStar, ProductTrend)


def _table(model: type[Any], rows: int, renames: dict[str, str] | None = None) -> pa.Table:
    """``rows`` rows of ``model``'s columns (but run_id and rank), distinct keys, values by type."""
    columns: dict[str, Any] = {}
    for column in model.__table__.columns:
        name, kind = column.name, column.type
        if name in ("run_id", "rank"):
            continue
        if isinstance(kind, String):
            columns[name] = [f"{name[:3]}{i % 3 if name == 'category' else i}" for i in range(rows)]
        elif isinstance(kind, Double):
            columns[name] = [0.5 + i / 7 for i in range(rows)]
        elif isinstance(kind, ExactDecimal):  # money
            columns[name] = pa.array([Decimal(i) / 4 for i in range(rows)], pa.decimal128(38, 2))
        elif isinstance(kind, Integer):
            columns[name] = [7 + i for i in range(rows)]
        else:
            assert isinstance(kind, Boolean), (name, kind)
            columns[name] = [i % 2 == 0 for i in range(rows)]
    return pa.table(columns).rename_columns({k: (renames or {}).get(k, k) for k in columns})


def _result(rows: int = 5, *, duplicate_trend: bool = False) -> ScoreResult:
    trends = _table(ProductTrend, rows)
    if duplicate_trend:  # two rows with one key: the load of the last table fails
        trends = pa.concat_tables([trends, trends.slice(0, 1)])
    rising = _table(RisingStar, rows).append_column("is_rising", pa.array([True] * rows))
    return ScoreResult(
        as_of=dt.date(2026, 11, 1),
        currency="USD",
        metrics=_table(CreatorCategoryMetric, rows),
        stars=_table(
            CreatorCategoryScore, rows, {"order_lines": "lines", "expected_lines": "expected"}
        ),
        rising=rising,
        trends=trends,
    )


def _rows(session: Session) -> dict[str, list[tuple[Any, ...]]]:
    """Every published row of every run, table by table, in key order."""
    out = {}
    for model in MODELS:
        key = [c for c in model.__table__.primary_key.columns]
        rows = session.scalars(select(model).order_by(*key)).all()
        out[model.__tablename__] = [
            tuple(getattr(r, c.name) for c in model.__table__.columns) for r in rows
        ]
    return out


def _kinds(session: Session) -> dict[str, str]:
    """PostgreSQL: relkind of each result table and partition ('p' partitioned, 'r' plain)."""
    query = text(
        "SELECT relname, relkind FROM pg_class WHERE relkind IN ('r', 'p') AND relname ~ "
        "'^(creator_category_(metrics|scores)|rising_stars|product_trends)(_[0-9]+)?$'"
    )
    return {name: kind for name, kind in session.execute(query).tuples()}


def test_runs_survive_a_downgrade_and_upgrade(db_url: str) -> None:
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    first, second = publish(factory, _result(), "duckdb"), publish(factory, _result(7), "spark")
    with factory() as session:
        before = _rows(session)
        if engine.dialect.name == "postgresql":
            kinds = _kinds(session)
            assert kinds["rising_stars"] == "p"
            assert kinds[f"rising_stars_{first}"] == kinds[f"rising_stars_{second}"] == "r"
    assert [len(rows) for rows in before.values()] == [12] * 4
    engine.dispose()

    downgrade(db_url, "0004")
    assert current_revision(db_url) == "0004"
    engine = make_engine(db_url)
    with make_sessionmaker(engine)() as session:
        assert _rows(session) == before
        if engine.dialect.name == "postgresql":
            assert set(_kinds(session).values()) == {"r"} and len(_kinds(session)) == 4
    engine.dispose()

    upgrade(db_url)
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    third = publish(factory, _result(3), "duckdb")
    with factory() as session:
        after = _rows(session)
        assert {n: [r for r in rows if r[0] != third] for n, rows in after.items()} == before
        assert [len(rows) for rows in after.values()] == [15] * 4
        if engine.dialect.name == "postgresql":
            assert len(_kinds(session)) == 4 * 4  # parents and a partition per run
    engine.dispose()


def test_a_failed_publish_leaves_no_rows_and_earlier_runs_serve(db_url: str) -> None:
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    first = publish(factory, _result(), "duckdb")
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        publish(factory, _result(4, duplicate_trend=True), "duckdb")
    with factory() as session:
        runs = session.scalars(select(ScoreRun).order_by(ScoreRun.id)).all()
        assert [(r.id, r.status) for r in runs] == [(first, "complete"), (first + 1, "failed")]
        assert {r[0] for rows in _rows(session).values() for r in rows} == {first}
        latest = latest_run(session)
        assert latest is not None and latest.id == first
        if engine.dialect.name == "postgresql":
            assert not [name for name in _kinds(session) if name.endswith(f"_{first + 1}")]
    third = publish(factory, _result(2), "duckdb")
    with factory() as session:
        latest = latest_run(session)
        assert latest is not None and latest.id == third
        by_run = [r[0] for r in _rows(session)["creator_category_scores"]]
        assert (by_run.count(first), by_run.count(third)) == (5, 2)
    engine.dispose()


def test_schema_matches_the_models_with_runs_published(db_url: str) -> None:
    engine = make_engine(db_url)
    publish(make_sessionmaker(engine), _result(), "duckdb")
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": not_a_partition(conn)})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    flat = [op for d in diff for op in (d if isinstance(d, list) else [d])]
    exact = {"price", "commission_rate"}  # dialect variants Alembic cannot compare (as 0001)
    assert [op for op in flat if not (op[0] == "modify_type" and op[3] in exact)] == []


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_published_partition_has_statistics_before_it_is_served(db_url: str) -> None:
    """PostgreSQL: each run's partitions are analysed within the publish (a fresh table has no
    column statistics until autovacuum comes by), so the first pages read from a new run get
    plans made for its real contents."""
    engine = make_engine(db_url)
    run_id = publish(make_sessionmaker(engine), _result(9), "duckdb")
    names = [f"{m.__tablename__}_{run_id}" for m in MODELS]
    query = text(
        "SELECT tablename, count(*) FROM pg_stats WHERE tablename = ANY(:names) GROUP BY 1"
    )
    with engine.connect() as connection:
        analysed = {name: n for name, n in connection.execute(query, {"names": names})}
    engine.dispose()
    assert analysed == {m.__tablename__ + f"_{run_id}": len(m.__table__.columns) for m in MODELS}
