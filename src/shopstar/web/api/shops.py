"""``/shops``: the shops the principal may see."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import ColumnElement

from shopstar.accounts.policy import Resource
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Shop
from shopstar.web.api.listing import read_page, read_row
from shopstar.web.api.schemas import (
    TEXT,
    ExternalId,
    Page,
    PaginationDep,
    ShopOut,
    ShopPatch,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep

router = APIRouter(prefix="/shops", tags=["shops"])

SHOP_COLUMNS = tuple(getattr(Shop, name) for name in ShopOut.model_fields)


@router.get("", response_model=Page[ShopOut])
async def list_shops(
    request: Request,
    credentials: ApiCredentials,
    page: PaginationDep,
    region: str | None = Query(None, max_length=16, pattern=TEXT, description="Exact region code."),
) -> Response:
    """Shops visible to the principal, by id."""
    filters: list[ColumnElement[bool]] = []
    if region is not None:
        filters.append(Shop.region == region)

    return await read_page(
        request, credentials, Resource.SHOPS, Shop, SHOP_COLUMNS, filters, (Shop.shop_id,), page
    )


@router.get("/{shop_id}", response_model=ShopOut)
async def get_shop(request: Request, shop_id: ExternalId, credentials: ApiCredentials) -> Response:
    """One shop (404 when it does not exist or is not visible)."""
    return await read_row(request, credentials, Resource.SHOPS, shop_id, SHOP_COLUMNS)


@router.patch("/{shop_id}", response_model=ShopOut)
def update_shop(
    shop_id: ExternalId, body: ShopPatch, principal: ApiPrincipal, session: SessionDep
) -> ShopOut:
    """Change a shop's description (its admins, or a program admin)."""
    shop = edit(session, principal, Resource.SHOPS, shop_id, body.model_dump(exclude_unset=True))
    session.commit()
    return ShopOut.model_validate(shop)
