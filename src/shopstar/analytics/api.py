"""``/stars``, ``/rising``, ``/trends``: the latest complete score run, read-only, policy-scoped.

A star or rising row is visible when its creator is (``Resource.CREATORS``), a trend row when its
product is (``Resource.PRODUCTS``); rows of creators or products not yet in the app's catalog
are hidden. With no complete score run yet the lists are empty and ``run`` is null.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.accounts.principal import Principal
from shopstar.analytics.publish import latest_run, stars_query, trends_query
from shopstar.analytics.published import CreatorCategoryScore, ProductTrend, RisingStar, ScoreRun
from shopstar.catalog.models import Creator, Product
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import TEXT, Pagination, PaginationDep, plain_json_response
from shopstar.web.deps import ApiCredentials, run_session_read

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
    session: Session, principal: Principal, page: Pagination, category: str | None, *, rising: bool
) -> RunPage[Any]:
    """Star (or rising-star) rows of the latest run whose creator the principal may see."""
    run = latest_run(session)
    stmt = None
    if run is not None:
        creators = policy.scoped(select(Creator.creator_id), principal, Resource.CREATORS)
        column = RisingStar.creator_id if rising else CreatorCategoryScore.creator_id
        stmt = stars_query(run.id, category, rising=rising).where(column.in_(creators))
    return _page(session, stmt, run, page, RisingOut if rising else StarOut)


def _trend_rows(
    session: Session, principal: Principal, page: Pagination, category: str | None
) -> RunPage[Any]:
    """Trend rows of the latest run whose product the principal may see."""
    run = latest_run(session)
    stmt = None
    if run is not None:
        products = policy.scoped(select(Product.product_id), principal, Resource.PRODUCTS)
        stmt = trends_query(run.id, category).where(ProductTrend.product_id.in_(products))
    return _page(session, stmt, run, page, TrendOut)


@router.get("/stars", response_model=RunPage[StarOut])
async def list_stars(
    request: Request,
    credentials: ApiCredentials,
    page: PaginationDep,
    category: str | None = CategoryQuery,
) -> Response:
    """Creators by star_score (per category rank), best first, from the latest run."""
    body = await run_session_read(
        request, credentials, lambda s, p: _creator_rows(s, p, page, category, rising=False)
    )
    return plain_json_response(body)


@router.get("/rising", response_model=RunPage[RisingOut])
async def list_rising(
    request: Request,
    credentials: ApiCredentials,
    page: PaginationDep,
    category: str | None = CategoryQuery,
) -> Response:
    """Rising stars by rising_score, best first, from the latest run."""
    body = await run_session_read(
        request, credentials, lambda s, p: _creator_rows(s, p, page, category, rising=True)
    )
    return plain_json_response(body)


@router.get("/trends", response_model=RunPage[TrendOut])
async def list_trends(
    request: Request,
    credentials: ApiCredentials,
    page: PaginationDep,
    category: str | None = CategoryQuery,
) -> Response:
    """Products by trend_score, best first, from the latest run."""
    body = await run_session_read(
        request, credentials, lambda s, p: _trend_rows(s, p, page, category)
    )
    return plain_json_response(body)
