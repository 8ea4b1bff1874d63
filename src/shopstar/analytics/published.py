"""Published scoring results in the app DB: one versioned ``score_run`` and its rows, and the
queries that read them (written by :mod:`shopstar.analytics.publish`; readers need not import it).

A run is written with status ``running``, its rows added, then switched to ``complete`` in one
transaction; readers only ever see the latest complete run, so a run that fails or is killed
midway is never served, and earlier runs are kept for comparison and roll-back.

On PostgreSQL the four result tables are list-partitioned by ``run_id``: each run's rows are a
partition of their own, loaded unindexed and attached in the transaction that completes the run
(see :func:`shopstar.analytics.publish.publish`); a reader's ``run_id = ...`` reads one partition.
SQLite has no partitions and keeps plain tables.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Double,
    ForeignKey,
    Integer,
    Select,
    String,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from shopstar.db.base import Base
from shopstar.db.types import Money, UTCDateTime, utcnow

ID = String(128)


class ScoreRun(Base):
    """One scoring run: the period it covers, the engine, and whether it is complete; and the
    process publishing it (host name, pid and start, see :mod:`shopstar.analytics.liveness`),
    so that a run left ``running`` by a dead process is known abandoned (None: runs published
    before revision 0006)."""

    __tablename__ = "score_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    engine: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16), default="running", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    publisher_host: Mapped[str | None] = mapped_column(String(255))
    publisher_pid: Mapped[int | None] = mapped_column(Integer)
    publisher_start: Mapped[str | None] = mapped_column(String(64))


# PostgreSQL only: one partition per run (other dialects ignore the option)
PER_RUN: dict[str, Any] = {"postgresql_partition_by": "LIST (run_id)"}


def partition_name(table: str, run_id: int) -> str:
    """The name of run ``run_id``'s partition of result table ``table`` (PostgreSQL)."""
    return f"{table}_{run_id}"


def _run_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("score_runs.id", ondelete="CASCADE"), primary_key=True)


class CreatorCategoryMetric(Base):
    """CONTRACT.md §2 metrics of a creator in a category over a window ending at as-of."""

    __tablename__ = "creator_category_metrics"
    __table_args__ = PER_RUN

    run_id: Mapped[int] = _run_fk()
    creator_id: Mapped[str] = mapped_column(ID, primary_key=True)
    category: Mapped[str] = mapped_column(String(128), primary_key=True)
    window_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    gmv: Mapped[Decimal] = mapped_column(Money())
    net_gmv: Mapped[Decimal] = mapped_column(Money())
    order_lines: Mapped[int] = mapped_column(Integer)
    items_sold: Mapped[int] = mapped_column(Integer)
    views: Mapped[int] = mapped_column(BigInteger)
    clicks: Mapped[int] = mapped_column(BigInteger)
    posts: Mapped[int] = mapped_column(Integer)
    ctr: Mapped[float | None] = mapped_column(Double)
    cvr: Mapped[float | None] = mapped_column(Double)
    gpm: Mapped[float | None] = mapped_column(Double)
    video_gmv: Mapped[Decimal] = mapped_column(Money())
    live_gmv: Mapped[Decimal] = mapped_column(Money())
    products_promoted: Mapped[int] = mapped_column(Integer)
    prev_gmv: Mapped[Decimal] = mapped_column(Money())
    gmv_growth: Mapped[float | None] = mapped_column(Double)


def _num(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


class CreatorCategoryScore(Base):
    """Skill, reach and star_score of a creator in a category, with its rank and the numbers
    behind it (:attr:`explanation` is built from them when read: a run publishes ~1M rows, a
    reader shows a page)."""

    __tablename__ = "creator_category_scores"
    __table_args__ = PER_RUN

    run_id: Mapped[int] = _run_fk()
    category: Mapped[str] = mapped_column(String(128), primary_key=True)
    creator_id: Mapped[str] = mapped_column(ID, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    star_score: Mapped[float] = mapped_column(Double)
    skill: Mapped[float] = mapped_column(Double)
    skill_low: Mapped[float] = mapped_column(Double)
    skill_high: Mapped[float] = mapped_column(Double)
    reach: Mapped[float] = mapped_column(Double)
    views: Mapped[int] = mapped_column(BigInteger)
    posts: Mapped[int] = mapped_column(Integer)
    order_lines: Mapped[int] = mapped_column(Integer)
    expected_lines: Mapped[float] = mapped_column(Double)
    gmv: Mapped[Decimal] = mapped_column(Money())
    multiplier: Mapped[float] = mapped_column(Double)
    posts_per_week: Mapped[float] = mapped_column(Double)
    value_per_view: Mapped[float] = mapped_column(Double)
    prior_strength: Mapped[float] = mapped_column(Double)

    @property
    def explanation(self) -> dict[str, Any]:
        """The numbers behind the star_score, and one sentence saying what they mean."""
        lines, expected = self.order_lines, self.expected_lines
        summary = (
            f"{self.multiplier:.2f}x the sales expected for the products promoted "
            f"({lines} order lines vs {expected:.1f} expected from {self.views:,} views); "
            f"{self.reach:,.0f} views per post, {self.posts_per_week:.1f} posts a week"
        )
        return {
            "summary": summary,
            "skill_multiplier": _num(self.multiplier),
            "skill_band": [_num(self.skill_low), _num(self.skill_high)],
            "order_lines": lines,
            "expected_lines": _num(expected),
            "views": self.views,
            "posts": self.posts,
            "reach": _num(self.reach),
            "posts_per_week": _num(self.posts_per_week),
            "category_gmv_per_view": _num(self.value_per_view),
            "prior_strength": _num(self.prior_strength),
        }


class RisingStar(Base):
    """A creator early in their rise in a category, with the evidence."""

    __tablename__ = "rising_stars"
    __table_args__ = PER_RUN

    run_id: Mapped[int] = _run_fk()
    category: Mapped[str] = mapped_column(String(128), primary_key=True)
    creator_id: Mapped[str] = mapped_column(ID, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    rising_score: Mapped[float] = mapped_column(Double)
    star_score: Mapped[float] = mapped_column(Double)
    skill: Mapped[float] = mapped_column(Double)
    skill_low: Mapped[float] = mapped_column(Double)
    reach: Mapped[float] = mapped_column(Double)
    followers: Mapped[int | None] = mapped_column(BigInteger)
    follower_growth: Mapped[float | None] = mapped_column(Double)
    reach_growth: Mapped[float | None] = mapped_column(Double)
    reason: Mapped[str] = mapped_column(String(64))


class ProductTrend(Base):
    """Sales momentum of a product in its category and the forecast trend_score."""

    __tablename__ = "product_trends"
    __table_args__ = PER_RUN

    run_id: Mapped[int] = _run_fk()
    category: Mapped[str] = mapped_column(String(128), primary_key=True)
    product_id: Mapped[str] = mapped_column(ID, primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    trend_score: Mapped[float] = mapped_column(Double)
    units_w1: Mapped[int] = mapped_column(Integer)
    units_w2: Mapped[int] = mapped_column(Integer)
    units_w3: Mapped[int] = mapped_column(Integer)
    units_w4: Mapped[int] = mapped_column(Integer)
    velocity: Mapped[float] = mapped_column(Double)
    acceleration: Mapped[float] = mapped_column(Double)
    adopters: Mapped[int] = mapped_column(Integer)
    adopters_prev: Mapped[int] = mapped_column(Integer)
    breakout: Mapped[bool] = mapped_column(Boolean)


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
