"""``shopstar score``, ``stars`` and ``trends`` end to end: a simulated marketplace is ingested
into a fresh SHOPSTAR_HOME, scored, published and listed through the real CLI."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from appworld import run_shopstar
from shopstar.analytics.published import (
    CreatorCategoryMetric,
    CreatorCategoryScore,
    ProductTrend,
    RisingStar,
    ScoreRun,
)
from shopstar.db import make_engine, make_sessionmaker
from shopstar.sim import SimConfig, generate

pytestmark = pytest.mark.slow


def shopstar(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The CLI on ``home``'s own SQLite app DB; with ``check``, it must succeed."""
    done = run_shopstar(home, *args)
    if check:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root: Path = tmp_path_factory.mktemp("score")
    generate(root / "sim", SimConfig(creators=150, weeks=10, seed=11))
    home = root / "home"
    assert shopstar(home, "stars", "--category", "beauty", check=False).stderr.strip() == (
        "error: no score run yet: run `shopstar score`"
    )
    shopstar(home, "ingest", str(root / "sim"), "--format", "csv")
    return home


@pytest.fixture(scope="module")
def home(ingested: Path) -> Path:
    """The ingested home with its first score run published: every test reads it, in any
    order."""
    assert shopstar(ingested, "score").stdout.startswith("score run 1 published")
    return ingested


@contextmanager
def _app_db(home: Path) -> Iterator[Session]:
    """A session on the app DB of ``home``."""
    engine = make_engine(f"sqlite:///{home / 'shopstar.db'}")
    try:
        with make_sessionmaker(engine)() as session:
            yield session
    finally:
        engine.dispose()


def _published(home: Path, run_id: int) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with _app_db(home) as session:
        for model in (CreatorCategoryMetric, CreatorCategoryScore, RisingStar, ProductTrend):
            columns = [c for c in model.__table__.columns if c.name != "run_id"]
            query = select(*columns).where(model.run_id == run_id).order_by(*columns[:3])
            out[model.__tablename__] = [tuple(row) for row in session.execute(query)]
    return out


def test_scoring_twice_publishes_identical_results(home: Path) -> None:
    again = max(_run_ids(home)) + 1
    assert shopstar(home, "score").stdout.startswith(f"score run {again} published")
    one, two = _published(home, 1), _published(home, again)
    assert all(one[name] for name in one)
    assert one == two
    with _app_db(home) as session:
        runs = session.scalars(select(ScoreRun).order_by(ScoreRun.id)).all()
    assert {(r.status, r.engine) for r in runs} == {("complete", "duckdb")}
    assert runs[0].as_of == runs[-1].as_of


def test_stars_lists_the_contract_columns_best_first(home: Path) -> None:
    rows = json.loads(
        shopstar(home, "stars", "--category", "beauty", "--limit", "5", "--format", "json").stdout
    )
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert {"rank", "creator_id", "category", "star_score", "skill", "reach"} <= set(rows[0])
    scores = [r["star_score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert {r["category"] for r in rows} == {"beauty"}
    header = shopstar(home, "stars", "--category", "beauty", "--format", "csv").stdout
    assert header.splitlines()[0].startswith("rank,creator_id,category,star_score,skill,reach")


def test_rising_and_trends_listings(home: Path) -> None:
    rising = shopstar(home, "stars", "--rising", "--category", "beauty", "--format", "csv")
    assert rising.stdout.splitlines()[0].startswith("rank,creator_id,category,star_score")
    trends = json.loads(
        shopstar(home, "trends", "--category", "home", "--limit", "3", "--format", "json").stdout
    )
    assert [t["rank"] for t in trends] == [1, 2, 3]
    assert {"product_id", "category", "trend_score"} <= set(trends[0])


def test_unknown_category_is_one_clear_line(home: Path) -> None:
    done = shopstar(home, "stars", "--category", "nope", check=False)
    assert done.returncode == 1
    assert done.stderr.startswith("error: category: 'nope' has no scores (known: baby, beauty")


def _run_ids(home: Path) -> list[int]:
    with _app_db(home) as session:
        return list(session.scalars(select(ScoreRun.id).order_by(ScoreRun.id)))


def test_running_out_of_memory_is_one_clear_error(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lake too large for DuckDB's memory and spill limits: one line naming the settings to
    raise, no traceback, and no new run published."""
    runs = _run_ids(home)
    monkeypatch.setenv("SHOPSTAR_DUCKDB_MEMORY_LIMIT", "4MB")
    monkeypatch.setenv("SHOPSTAR_DUCKDB_SPILL_LIMIT", "1MB")
    done = shopstar(home, "score", check=False)
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert "duckdb_memory_limit (now 4MB)" in done.stderr
    assert "duckdb_spill_limit (now 1MB)" in done.stderr
    assert runs and _run_ids(home) == runs


@pytest.mark.parametrize("as_of", ["2001-01-01", "2099-12-31"])
def test_an_as_of_with_nothing_to_score_publishes_nothing(home: Path, as_of: str) -> None:
    """An as-of long before or after the lake's data would publish an empty run, which would
    then be the one served (empty listings and pages): one clear line and no new run."""
    runs = _run_ids(home)
    done = shopstar(home, "score", "--as-of", as_of, check=False)
    assert done.returncode == 1, done
    assert done.stderr.startswith(
        f"error: score: no orders or content views in the period ending {as_of} (the lake's "
        "orders and views run from "
    ), done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert runs and _run_ids(home) == runs


def test_a_lake_without_content_scores_trends_and_says_why_it_has_no_stars(
    tmp_path: Path,
) -> None:
    """Orders but no content yet (a first export of sales only): the run publishes its trends,
    and asking for stars says why there are none rather than listing no known category."""
    generate(tmp_path / "sim", SimConfig(creators=20, weeks=3, seed=6))
    home = tmp_path / "home"
    files = [str(tmp_path / "sim" / f"{name}.parquet") for name in ("products", "orders")]
    shopstar(home, "ingest", *files)
    published = shopstar(home, "score").stdout
    assert published.startswith("score run 1 published") and " 0 creator x category" in published
    trends = shopstar(home, "trends", "--category", "beauty", "--format", "csv").stdout
    assert trends.startswith("rank,product_id,category,trend_score") and trends.count("\n") > 1
    unknown = shopstar(home, "trends", "--category", "nope", check=False).stderr
    # the known categories are those of the trends (the run has no scores to take them from)
    assert unknown.startswith("error: category: 'nope' has no trends (known: baby, "), unknown
    done = shopstar(home, "stars", "--category", "beauty", check=False)
    assert done.returncode == 1
    assert done.stderr == (
        "error: category: 'beauty' has no scores: score run 1 has none in any category (creators "
        "need content views to be scored)\n"
    )
