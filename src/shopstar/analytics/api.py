"""``/stars``, ``/rising``, ``/trends``: the latest complete score run, read-only, policy-scoped.

Rows are scoped by :mod:`shopstar.analytics.visible` (as the web pages are): a star or rising row
is visible when its creator is, a trend row when its product is. With no complete score run yet
the lists are empty and ``run`` is null.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select
from sqlalchemy.orm import Session

from shopstar.accounts.principal import Principal
from shopstar.analytics.published import ScoreRun, latest_run
from shopstar.analytics.visible import Listing, rows_query
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


_OUT: dict[Listing, type[_Row]] = {
    Listing.STARS: StarOut,
    Listing.RISING: RisingOut,
    Listing.TRENDS: TrendOut,
}
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


def _rows(
    session: Session, principal: Principal, page: Pagination, category: str | None, listing: Listing
) -> RunPage[Any]:
    """The rows of ``listing`` in the latest run that the principal may see."""
    run = latest_run(session)
    stmt = None if run is None else rows_query(principal, listing, run.id, category)
    return _page(session, stmt, run, page, _OUT[listing])


@router.get("/stars", response_model=RunPage[StarOut])
async def list_stars(
    request: Request,
    credentials: ApiCredentials,
    page: PaginationDep,
    category: str | None = CategoryQuery,
) -> Response:
    """Creators by star_score (per category rank), best first, from the latest run."""
    body = await run_session_read(
        request, credentials, lambda s, p: _rows(s, p, page, category, Listing.STARS)
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
        request, credentials, lambda s, p: _rows(s, p, page, category, Listing.RISING)
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
        request, credentials, lambda s, p: _rows(s, p, page, category, Listing.TRENDS)
    )
    return plain_json_response(body)
