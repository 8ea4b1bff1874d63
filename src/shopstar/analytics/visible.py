"""What of a published score run a principal may see: the one place that scopes the rows of
``/api/v1/stars|rising|trends`` and of the Stars, Rising and Trends pages.

A star or rising row is visible when its creator is (``Resource.CREATORS``), a trend row when
its product is (``Resource.PRODUCTS``); rows of creators or products not yet in the app's
catalog are hidden.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.accounts.principal import Principal
from shopstar.analytics.published import (
    CreatorCategoryScore,
    ProductTrend,
    RisingStar,
    stars_query,
    trends_query,
)
from shopstar.catalog.models import Creator, Product


class Listing(StrEnum):
    """The three published listings."""

    STARS = "stars"
    RISING = "rising"
    TRENDS = "trends"


def rows_query(
    principal: Principal, listing: Listing, run_id: int, category: str | None
) -> Select[Any]:
    """The rows of ``listing`` in run ``run_id`` the principal may see, best first (per-category
    rank order when ``category`` is given)."""
    if listing is Listing.TRENDS:
        products = policy.scoped(select(Product.product_id), principal, Resource.PRODUCTS)
        return trends_query(run_id, category).where(ProductTrend.product_id.in_(products))
    rising = listing is Listing.RISING
    creators = policy.scoped(select(Creator.creator_id), principal, Resource.CREATORS)
    column = RisingStar.creator_id if rising else CreatorCategoryScore.creator_id
    return stars_query(run_id, category, rising=rising).where(column.in_(creators))


def categories(session: Session, principal: Principal, listing: Listing, run_id: int) -> list[str]:
    """The categories in which the principal sees at least one row of ``listing``, sorted."""
    visible = rows_query(principal, listing, run_id, None).order_by(None).subquery()
    query = select(visible.c.category).distinct().order_by(visible.c.category)
    return list(session.scalars(query))
