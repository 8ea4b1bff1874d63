"""The Stars, Rising and Trends pages: the latest complete score run, one category at a time,
scoped by the same queries as ``/api/v1/stars|rising|trends`` (:mod:`shopstar.analytics.visible`).

A category not offered to the principal (no row it may see there) and a page past the last one
answer 404, malformed parameters 422; with no complete run the page says to run ``shopstar score``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from shopstar.accounts.models import OrgKind, Role
from shopstar.accounts.policy import NotFound
from shopstar.accounts.principal import Principal
from shopstar.analytics.published import latest_run
from shopstar.analytics.visible import Listing, categories, rows_query
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import TEXT, Pagination
from shopstar.web.deps import PagePrincipal, SessionDep
from shopstar.web.pages import render
from shopstar.web.score_views import view_rows

router = APIRouter(include_in_schema=False)

CategoryParam = Annotated[
    str | None, Query(min_length=1, max_length=128, pattern=TEXT, description="A category.")
]
PageParam = Annotated[int, Query(ge=1, le=50_000)]  # offsets up to 10M rows (Pagination)
LimitParam = Annotated[int, Query(ge=1, le=200)]

TITLES = {
    Listing.STARS: "Star creators",
    Listing.RISING: "Rising stars",
    Listing.TRENDS: "Product trends",
}
# what each kind of organisation sees: creators' rows (stars, rising), products' rows (trends)
SCOPES: dict[OrgKind, tuple[str, str]] = {
    OrgKind.PROGRAM: ("every creator", "the products of your categories"),
    OrgKind.AGENCY: ("the creators who authorised your agency", "the products of your shops"),
    OrgKind.SHOP: ("no creators (scores are not shared with shops)", "your shop's products"),
    OrgKind.CREATOR: ("your own scores", "no products (trends are not shared with creators)"),
}


def scope_text(principal: Principal, listing: Listing) -> str:
    """What of ``listing`` the principal sees, in words."""
    if principal.is_(OrgKind.PROGRAM, Role.ADMIN):
        return "every creator" if listing is not Listing.TRENDS else "every product"
    creators, products = SCOPES[principal.org_kind]
    return products if listing is Listing.TRENDS else creators


def _choose(principal: Principal, offered: list[str], wanted: str | None) -> str:
    if wanted is not None:
        if wanted not in offered:
            raise NotFound(f"category: no rows you may see in {wanted!r}")
        return wanted
    mine = [c for c in principal.categories if c in offered]
    return (mine or offered)[0]


def _listing(
    request: Request,
    principal: Principal,
    session: Session,
    listing: Listing,
    category: str | None,
    page: int,
    limit: int,
) -> Response:
    context: dict[str, Any] = {
        "me": principal,
        "listing": listing.value,
        "title": TITLES[listing],
        "tabs": TITLES,
        "scope": scope_text(principal, listing),
        "run": latest_run(session),
        "rows": [],
    }
    run = context["run"]
    offered = [] if run is None else categories(session, principal, listing, run.id)
    if run is None or not offered:
        return render(request, f"{listing.value}.html", context)
    chosen = _choose(principal, offered, category)
    window = Pagination(limit=limit, offset=(page - 1) * limit)
    rows, count = page_of(session, rows_query(principal, listing, run.id, chosen), window)
    pages = max(1, -(-count // limit))
    if page > pages:
        raise NotFound(f"page: {page} is past the last page ({pages})")
    context |= {
        "categories": offered,
        "category": chosen,
        "rows": view_rows(session, principal, listing, rows),
        "count": count,
        "page": page,
        "pages": pages,
        "limit": limit,
        "first": window.offset + 1,
    }
    return render(request, f"{listing.value}.html", context)


def _listing_route(listing: Listing, summary: str) -> None:
    """Serve ``listing`` at ``/<listing>``."""

    def listing_page(
        request: Request,
        principal: PagePrincipal,
        session: SessionDep,
        category: CategoryParam = None,
        page: PageParam = 1,
        limit: LimitParam = 25,
    ) -> Response:
        return _listing(request, principal, session, listing, category, page, limit)

    router.add_api_route(f"/{listing.value}", listing_page, name=listing.value, summary=summary)


_listing_route(Listing.STARS, "Creators of a category by star_score, with skill and explanation.")
_listing_route(Listing.RISING, "Creators early in their rise in a category, with the evidence.")
_listing_route(Listing.TRENDS, "Products of a category by trend_score: units, velocity, adoption.")
