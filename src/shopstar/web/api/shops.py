"""``/shops``: the shops the principal may see."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy import select

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Shop
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import TEXT, ExternalId, Page, PaginationDep, ShopOut, ShopPatch
from shopstar.web.deps import ApiPrincipal, SessionDep

router = APIRouter(prefix="/shops", tags=["shops"])


@router.get("", response_model=Page[ShopOut])
def list_shops(
    principal: ApiPrincipal,
    session: SessionDep,
    page: PaginationDep,
    region: str | None = Query(None, max_length=16, pattern=TEXT, description="Exact region code."),
) -> Page[ShopOut]:
    """Shops visible to the principal, by id."""
    stmt = policy.scoped(select(Shop), principal, Resource.SHOPS)
    if region is not None:
        stmt = stmt.where(Shop.region == region)
    rows, count = page_of(session, stmt.order_by(Shop.shop_id), page)
    data = [ShopOut.model_validate(r) for r in rows]
    return Page(data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{shop_id}", response_model=ShopOut)
def get_shop(shop_id: ExternalId, principal: ApiPrincipal, session: SessionDep) -> ShopOut:
    """One shop (404 when it does not exist or is not visible)."""
    return ShopOut.model_validate(policy.get_readable(session, principal, Resource.SHOPS, shop_id))


@router.patch("/{shop_id}", response_model=ShopOut)
def update_shop(
    shop_id: ExternalId, body: ShopPatch, principal: ApiPrincipal, session: SessionDep
) -> ShopOut:
    """Change a shop's description (its admins, or a program admin)."""
    shop = edit(session, principal, Resource.SHOPS, shop_id, body.model_dump(exclude_unset=True))
    session.commit()
    return ShopOut.model_validate(shop)
