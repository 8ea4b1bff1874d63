"""``/organizations``: the organisations the principal may see."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import ColumnElement

from shopstar.accounts import organizations
from shopstar.accounts.models import Organization
from shopstar.accounts.policy import Resource
from shopstar.web.api.listing import read_page, read_row
from shopstar.web.api.schemas import (
    OrganizationOut,
    OrganizationPatch,
    Page,
    PaginationDep,
    RowId,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep

router = APIRouter(prefix="/organizations", tags=["organizations"])
Kind = Literal["program", "agency", "shop", "creator"]

ORGANIZATION_COLUMNS = tuple(getattr(Organization, name) for name in OrganizationOut.model_fields)


@router.get("", response_model=Page[OrganizationOut])
async def list_organizations(
    request: Request,
    credentials: ApiCredentials,
    page: PaginationDep,
    kind: Kind | None = Query(None, description="Only organisations of this kind."),
) -> Response:
    """Organisations visible to the principal, by id."""
    filters: list[ColumnElement[bool]] = []
    if kind is not None:
        filters.append(Organization.kind == kind)

    return await read_page(
        request,
        credentials,
        Resource.ORGANIZATIONS,
        Organization,
        ORGANIZATION_COLUMNS,
        filters,
        (Organization.id,),
        page,
    )


@router.get("/{org_id}", response_model=OrganizationOut)
async def get_organization(
    request: Request, org_id: RowId, credentials: ApiCredentials
) -> Response:
    """One organisation (404 when it does not exist or is not visible)."""
    return await read_row(
        request, credentials, Resource.ORGANIZATIONS, org_id, ORGANIZATION_COLUMNS
    )


@router.patch("/{org_id}", response_model=OrganizationOut)
def update_organization(
    org_id: RowId, body: OrganizationPatch, principal: ApiPrincipal, session: SessionDep
) -> OrganizationOut:
    """Rename an organisation (its admins, or a program admin)."""
    org = organizations.rename(session, principal, org_id, body.name)
    session.commit()
    return OrganizationOut.model_validate(org)
