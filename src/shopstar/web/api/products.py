"""``/products``: the products the principal may see."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import ColumnElement

from shopstar.accounts.policy import Resource
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Product
from shopstar.web.api.listing import read_page, read_row
from shopstar.web.api.schemas import (
    ID,
    TEXT,
    ExternalId,
    Page,
    PaginationDep,
    ProductOut,
    ProductPatch,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep

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

    return await read_page(
        request,
        credentials,
        Resource.PRODUCTS,
        Product,
        PRODUCT_COLUMNS,
        filters,
        (Product.product_id,),
        page,
    )


@router.get("/{product_id}", response_model=ProductOut)
async def get_product(
    request: Request, product_id: ExternalId, credentials: ApiCredentials
) -> Response:
    """One product (404 when it does not exist or is not visible)."""
    return await read_row(request, credentials, Resource.PRODUCTS, product_id, PRODUCT_COLUMNS)


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
