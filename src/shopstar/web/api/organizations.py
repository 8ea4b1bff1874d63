"""``/organizations``: the organisations the principal may see."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query
from sqlalchemy import select

from shopstar.accounts import organizations, policy
from shopstar.accounts.models import Organization
from shopstar.accounts.policy import Resource
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import OrganizationOut, OrganizationPatch, Page, PaginationDep, RowId
from shopstar.web.deps import ApiPrincipal, SessionDep

router = APIRouter(prefix="/organizations", tags=["organizations"])
Kind = Literal["program", "agency", "shop", "creator"]


@router.get("", response_model=Page[OrganizationOut])
def list_organizations(
    principal: ApiPrincipal,
    session: SessionDep,
    page: PaginationDep,
    kind: Kind | None = Query(None, description="Only organisations of this kind."),
) -> Page[OrganizationOut]:
    """Organisations visible to the principal, by id."""
    stmt = policy.scoped(select(Organization), principal, Resource.ORGANIZATIONS)
    if kind is not None:
        stmt = stmt.where(Organization.kind == kind)
    rows, count = page_of(session, stmt.order_by(Organization.id), page)
    data = [OrganizationOut.model_validate(r) for r in rows]
    return Page(data=data, count=count, limit=page.limit, offset=page.offset)


@router.get("/{org_id}", response_model=OrganizationOut)
def get_organization(
    org_id: RowId, principal: ApiPrincipal, session: SessionDep
) -> OrganizationOut:
    """One organisation (404 when it does not exist or is not visible)."""
    org = policy.get_readable(session, principal, Resource.ORGANIZATIONS, org_id)
    return OrganizationOut.model_validate(org)


@router.patch("/{org_id}", response_model=OrganizationOut)
def update_organization(
    org_id: RowId, body: OrganizationPatch, principal: ApiPrincipal, session: SessionDep
) -> OrganizationOut:
    """Rename an organisation (its admins, or a program admin)."""
    org = organizations.rename(session, principal, org_id, body.name)
    session.commit()
    return OrganizationOut.model_validate(org)
