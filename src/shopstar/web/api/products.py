"""``/products``: the products the principal may see."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import ColumnElement, Connection, func, select

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Product
from shopstar.web.api.listing import plain_page
from shopstar.web.api.schemas import (
    ID,
    TEXT,
    ExternalId,
    Page,
    PaginationDep,
    ProductOut,
    ProductPatch,
    plain_json_response,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep, authenticate
from shopstar.web.reads import run_read

router = APIRouter(prefix="/products", tags=["products"])

PRODUCT_COLUMNS = tuple(getattr(Product, name) for name in ProductOut.model_fields)


@router.get("", response_model=Page[ProductOut])
async def list_products(
    request: Request,
    credentials: ApiCredentials,
    page: PaginationDep,
    shop_id: str | None = Query(
        None, max_length=128, pattern=ID, description="Only this shop's products."
    ),
    category: str | None = Query(None, max_length=200, pattern=TEXT, description="Exact category."),
) -> Response:
    """Products visible to the principal, by id."""
    filters: list[ColumnElement[bool]] = []
    if shop_id is not None:
        filters.append(Product.shop_id == shop_id)
    if category is not None:
        filters.append(Product.category == category)

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        count = select(func.count()).select_from(Product).where(*filters)
        rows = select(*PRODUCT_COLUMNS).where(*filters)
        return plain_page(
            db,
            policy.scoped(count, principal, Resource.PRODUCTS),
            policy.scoped(rows, principal, Resource.PRODUCTS).order_by(Product.product_id),
            page,
        )

    return plain_json_response(await run_read(request, query))


@router.get("/{product_id}", response_model=ProductOut)
async def get_product(
    request: Request, product_id: ExternalId, credentials: ApiCredentials
) -> Response:
    """One product (404 when it does not exist or is not visible)."""

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        row = policy.get_readable_columns(
            db, principal, Resource.PRODUCTS, product_id, PRODUCT_COLUMNS
        )
        return row._asdict()

    return plain_json_response(await run_read(request, query))


@router.patch("/{product_id}", response_model=ProductOut)
def update_product(
    product_id: ExternalId, body: ProductPatch, principal: ApiPrincipal, session: SessionDep
) -> ProductOut:
    """Change a product's notes (its shop's members, or a program admin)."""
    product = edit(
        session, principal, Resource.PRODUCTS, product_id, body.model_dump(exclude_unset=True)
    )
    session.commit()
    return ProductOut.model_validate(product)
