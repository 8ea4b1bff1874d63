"""``/organizations``: the organisations the principal may see."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import ColumnElement, Connection, func, select

from shopstar.accounts import organizations, policy
from shopstar.accounts.models import Organization
from shopstar.accounts.policy import Resource
from shopstar.web.api.listing import plain_page
from shopstar.web.api.schemas import (
    OrganizationOut,
    OrganizationPatch,
    Page,
    PaginationDep,
    RowId,
    plain_json_response,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep, authenticate
from shopstar.web.reads import run_read

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

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        count = select(func.count()).select_from(Organization).where(*filters)
        rows = select(*ORGANIZATION_COLUMNS).where(*filters)
        return plain_page(
            db,
            policy.scoped(count, principal, Resource.ORGANIZATIONS),
            policy.scoped(rows, principal, Resource.ORGANIZATIONS).order_by(Organization.id),
            page,
        )

    return plain_json_response(await run_read(request, query))


@router.get("/{org_id}", response_model=OrganizationOut)
async def get_organization(
    request: Request, org_id: RowId, credentials: ApiCredentials
) -> Response:
    """One organisation (404 when it does not exist or is not visible)."""

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        row = policy.get_readable_columns(
            db, principal, Resource.ORGANIZATIONS, org_id, ORGANIZATION_COLUMNS
        )
        return row._asdict()

    return plain_json_response(await run_read(request, query))


@router.patch("/{org_id}", response_model=OrganizationOut)
def update_organization(
    org_id: RowId, body: OrganizationPatch, principal: ApiPrincipal, session: SessionDep
) -> OrganizationOut:
    """Rename an organisation (its admins, or a program admin)."""
    org = organizations.rename(session, principal, org_id, body.name)
    session.commit()
    return OrganizationOut.model_validate(org)
