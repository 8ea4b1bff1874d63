"""``shopstar stars`` and ``shopstar trends``: listings from the latest published score run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from sqlalchemy import inspect, select
from sqlalchemy.engine import make_url

from shopstar.analytics.published import (
    CreatorCategoryScore,
    ProductTrend,
    ScoreRun,
    latest_run,
    stars_query,
    trends_query,
)
from shopstar.cli._app import app
from shopstar.cli._output import Format, FormatOption, render
from shopstar.config import get_settings
from shopstar.db import make_engine, make_sessionmaker
from shopstar.errors import ShopstarError

NO_RUN = "no score run yet: run `shopstar score`"
STAR_COLUMNS = ["rank", "creator_id", "category", "star_score", "skill", "reach"]
RISING_COLUMNS = [*STAR_COLUMNS, "rising_score", "follower_growth", "reason"]
TREND_COLUMNS = ["rank", "product_id", "category", "trend_score"]
TREND_EXTRA = ["velocity", "acceleration", "adopters", "breakout"]


def _no_database(url: str) -> bool:
    parsed = make_url(url)
    return parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file()


# what each listing reads, and why a run may hold none of it
_LISTED: dict[str, tuple[type[CreatorCategoryScore] | type[ProductTrend], str]] = {
    "scores": (CreatorCategoryScore, " (creators need content views to be scored)"),
    "trends": (ProductTrend, ""),
}


def _rows(
    category: str, limit: int, query_for: Any, columns: list[str], listed: str = "scores"
) -> list[dict[str, Any]]:
    """The rows of ``query_for(run, category)`` in the served run; an unknown category (none
    of ``listed``, scores or trends, in it) is an error naming the known ones."""
    url = get_settings().db_url
    if _no_database(url):
        raise ShopstarError(NO_RUN)
    engine = make_engine(url)
    try:
        if not inspect(engine).has_table(ScoreRun.__tablename__):
            raise ShopstarError(NO_RUN)
        with make_sessionmaker(engine)() as session:
            run = latest_run(session)
            if run is None:
                raise ShopstarError(NO_RUN)
            rows = session.scalars(query_for(run.id, category).limit(limit)).all()
            if not rows:
                table, why = _LISTED[listed]
                known = session.scalars(
                    select(table.category)
                    .where(table.run_id == run.id)
                    .distinct()
                    .order_by(table.category)
                ).all()
                if category not in known:
                    raise ShopstarError(
                        f"category: {category!r} has no {listed} (known: {', '.join(known)})"
                        if known
                        else f"category: {category!r} has no {listed}: score run {run.id} has "
                        f"none in any category{why}"
                    )
            return [{c: getattr(row, c) for c in columns} for row in rows]
    finally:
        engine.dispose()


@app.command()
def stars(
    category: str = typer.Option(..., "--category", help="As in products.category."),
    limit: int = typer.Option(20, "--limit", min=1, help="How many creators."),
    rising: bool = typer.Option(False, "--rising", help="Creators early in their rise."),
    fmt: Format | None = FormatOption,
) -> None:
    """Creators ranked by star_score (or rising stars) in a category, best first."""
    columns = RISING_COLUMNS if rising else STAR_COLUMNS

    def query(run_id: int, cat: str) -> Any:
        return stars_query(run_id, cat, rising=rising)

    rows = _rows(category, limit, query, columns)
    render(rows, columns, fmt, title=f"{'rising stars' if rising else 'stars'}: {category}")


@app.command()
def trends(
    category: str = typer.Option(..., "--category", help="As in products.category."),
    limit: int = typer.Option(20, "--limit", min=1, help="How many products."),
    fmt: Format | None = FormatOption,
) -> None:
    """Products ranked by trend_score (forecast best-sellers) in a category, best first."""
    columns = TREND_COLUMNS + TREND_EXTRA
    rows = _rows(category, limit, trends_query, columns, "trends")
    render(rows, columns, fmt, title=f"trends: {category}")
