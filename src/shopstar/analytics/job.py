"""The ``shopstar score`` job: read the lake, score it on an engine, publish into the app DB."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from shopstar.analytics.engines import EngineName, connect
from shopstar.analytics.publish import publish
from shopstar.analytics.run import Progress, data_span, score
from shopstar.analytics.source import lake_tables
from shopstar.config import Settings
from shopstar.db import make_engine, make_sessionmaker, upgrade
from shopstar.errors import ShopstarError
from shopstar.lake import Lake


@dataclass(frozen=True)
class PublishedRun:
    """What a scoring job published."""

    run_id: int
    as_of: dt.date
    engine: str
    currency: str | None
    other_currency_lines: int
    scores: int
    rising: int
    trends: int


def score_and_publish(
    settings: Settings,
    as_of: dt.date | None = None,
    engine: EngineName | None = None,
    currency: str | None = None,
    progress: Progress | None = None,
) -> PublishedRun:
    """Score the lake of ``settings`` up to ``as_of`` on ``engine`` (orders in ``currency``,
    default the most used) and publish a new run; ``progress`` is told each step before it
    runs (see :func:`shopstar.analytics.run.score`), then ``publishing``."""
    tell = progress or (lambda _step: None)
    name: EngineName = engine or settings.engine
    con = connect(
        name, settings.spark_master, settings.duckdb_memory_limit, settings.duckdb_spill_limit
    )
    try:
        tell("reading the lake")
        tables = lake_tables(con, Lake(settings.lake_dir))
        result = score(con, tables, as_of, currency, progress)
        if not any(t.num_rows for t in (result.metrics, result.stars, result.trends)):
            first, last = data_span(con, tables)
            raise ShopstarError(
                f"score: no orders or content views in the period ending {result.as_of} (the "
                f"lake's orders and views run from {first} to {last}): nothing published, the "
                "served run stays"
            )
    except duckdb.OutOfMemoryException as exc:
        message = str(exc).splitlines()[0]
        raise ShopstarError(
            f"score: DuckDB ran out of memory ({message}); raise duckdb_memory_limit (now "
            f"{settings.duckdb_memory_limit}) or duckdb_spill_limit (now "
            f"{settings.duckdb_spill_limit}), e.g. SHOPSTAR_DUCKDB_MEMORY_LIMIT=16GB"
        ) from exc
    finally:
        con.disconnect()
    tell("publishing")
    upgrade(settings.db_url)
    db = make_engine(settings.db_url)
    try:
        run_id = publish(make_sessionmaker(db), result, name)
    finally:
        db.dispose()
    return PublishedRun(
        run_id=run_id,
        as_of=result.as_of,
        engine=name,
        currency=result.currency,
        other_currency_lines=result.other_currency_lines,
        scores=result.stars.num_rows,
        rising=sum(1 for flag in result.rising.column("is_rising").to_pylist() if flag),
        trends=result.trends.num_rows,
    )
