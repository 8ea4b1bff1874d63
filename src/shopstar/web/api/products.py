"""``/products``: the products the principal may see."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy import select

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.catalog.edits import edit
from shopstar.catalog.models import Product
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import (
    ID,
    TEXT,
    ExternalId,
    Page,
    PaginationDep,
    ProductOut,
    ProductPatch,
)
from shopstar.web.deps import ApiPrincipal, SessionDep

router = APIRouter(prefix="/products", tags=["products"])


@router.get("", response_model=Page[ProductOut])
def list_products(
    principal: ApiPrincipal,
    session: SessionDep,
    page: PaginationDep,
    shop_id: str | None = Query(
        None, max_length=128, pattern=ID, description="Only this shop's products."
    ),
    category: str | None = Query(None, max_length=200, pattern=TEXT, description="Exact category."),
) -> Page[ProductOut]:
    """Products visible to the principal, by id."""
    stmt = policy.scoped(select(Product), principal, Resource.PRODUCTS)
    if shop_id is not None:
        stmt = stmt.where(Product.shop_id == shop_id)
    if category is not None:
        stmt = stmt.where(Product.category == category)
    rows, count = page_of(session, stmt.order_by(Product.product_id), page)
    data = [ProductOut.model_validate(r) for r in rows]
    return Page(data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{product_id}", response_model=ProductOut)
def get_product(product_id: ExternalId, principal: ApiPrincipal, session: SessionDep) -> ProductOut:
    """One product (404 when it does not exist or is not visible)."""
    product = policy.get_readable(session, principal, Resource.PRODUCTS, product_id)
    return ProductOut.model_validate(product)


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
