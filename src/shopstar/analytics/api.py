"""``/stars``, ``/rising``, ``/trends``: the latest complete score run, read-only, policy-scoped.

A star or rising row is visible when its creator is (``Resource.CREATORS``), a trend row when its
product is (``Resource.PRODUCTS``); rows of creators or products not yet in the app's catalog
are hidden. With no complete score run yet the lists are empty and ``run`` is null.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.analytics.publish import latest_run, stars_query, trends_query
from shopstar.analytics.published import CreatorCategoryScore, ProductTrend, RisingStar, ScoreRun
from shopstar.catalog.models import Creator, Product
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import TEXT, PaginationDep
from shopstar.web.deps import ApiPrincipal, SessionDep

router = APIRouter(tags=["analytics"])
T = TypeVar("T")


class _Row(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RunOut(_Row):
    """A published score run."""

    id: int
    as_of: dt.date
    engine: str
    currency: str | None
    completed_at: dt.datetime | None


class StarOut(_Row):
    """A creator's star score in a category, with the numbers behind it."""

    rank: int
    creator_id: str
    category: str
    star_score: float
    skill: float
    skill_low: float
    skill_high: float
    reach: float
    views: int
    order_lines: int
    expected_lines: float
    gmv: Decimal
    explanation: dict[str, Any]


class RisingOut(_Row):
    """A creator early in their rise in a category, with the evidence."""

    rank: int
    creator_id: str
    category: str
    rising_score: float
    star_score: float
    skill: float
    reach: float
    followers: int | None
    follower_growth: float | None
    reach_growth: float | None
    reason: str


class TrendOut(_Row):
    """A product's sales momentum and forecast in its category."""

    rank: int
    product_id: str
    category: str
    trend_score: float
    units_w1: int
    units_w2: int
    velocity: float
    acceleration: float
    adopters: int
    adopters_prev: int
    breakout: bool


class RunPage(BaseModel, Generic[T]):
    """One page of a published listing, and the run it comes from."""

    run: RunOut | None
    data: list[T]
    count: int
    limit: int
    offset: int


CategoryQuery = Query(None, max_length=128, pattern=TEXT, description="As in products.category.")


def _page(
    session: Session, stmt: Select[Any] | None, run: ScoreRun | None, page: Any, out: type[Any]
) -> RunPage[Any]:
    if run is None or stmt is None:
        return RunPage(run=None, data=[], count=0, limit=page.limit, offset=page.offset)
    rows, count = page_of(session, stmt, page)
    return RunPage(
        run=RunOut.model_validate(run),
        data=[out.model_validate(r) for r in rows],
        count=count,
        limit=page.limit,
        offset=page.offset,
    )


def _creator_rows(
    session: Session, principal: Any, page: Any, category: str | None, *, rising: bool
) -> RunPage[Any]:
    """Star (or rising-star) rows of the latest run whose creator the principal may see."""
    run = latest_run(session)
    stmt = None
    if run is not None:
        creators = policy.scoped(select(Creator.creator_id), principal, Resource.CREATORS)
        column = RisingStar.creator_id if rising else CreatorCategoryScore.creator_id
        stmt = stars_query(run.id, category, rising=rising).where(column.in_(creators))
    return _page(session, stmt, run, page, RisingOut if rising else StarOut)


@router.get("/stars", response_model=RunPage[StarOut])
def list_stars(
    principal: ApiPrincipal,
    session: SessionDep,
    page: PaginationDep,
    category: str | None = CategoryQuery,
) -> RunPage[Any]:
    """Creators by star_score (per category rank), best first, from the latest run."""
    return _creator_rows(session, principal, page, category, rising=False)


@router.get("/rising", response_model=RunPage[RisingOut])
def list_rising(
    principal: ApiPrincipal,
    session: SessionDep,
    page: PaginationDep,
    category: str | None = CategoryQuery,
) -> RunPage[Any]:
    """Rising stars by rising_score, best first, from the latest run."""
    return _creator_rows(session, principal, page, category, rising=True)


@router.get("/trends", response_model=RunPage[TrendOut])
def list_trends(
    principal: ApiPrincipal,
    session: SessionDep,
    page: PaginationDep,
    category: str | None = CategoryQuery,
) -> RunPage[Any]:
    """Products by trend_score, best first, from the latest run."""
    run = latest_run(session)
    stmt = None
    if run is not None:
        products = policy.scoped(select(Product.product_id), principal, Resource.PRODUCTS)
        stmt = trends_query(run.id, category).where(ProductTrend.product_id.in_(products))
    return _page(session, stmt, run, page, TrendOut)
