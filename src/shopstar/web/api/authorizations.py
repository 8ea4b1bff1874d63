"""``/authorizations``: creators authorising agencies, and revoking them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from shopstar.accounts import authorizations, policy
from shopstar.accounts.models import Authorization, Organization
from shopstar.accounts.policy import Resource
from shopstar.web.api.listing import plain_page
from shopstar.web.api.schemas import (
    AuthorizationCreate,
    AuthorizationOut,
    Page,
    PaginationDep,
    RowId,
    plain_json_response,
)
from shopstar.web.deps import ApiCredentials, ApiPrincipal, SessionDep, authenticate
from shopstar.web.reads import run_read

router = APIRouter(prefix="/authorizations", tags=["authorizations"])

# the response model's fields, in its order: the agency's id and name from its organisation
AUTHORIZATION_COLUMNS = (
    Authorization.id,
    Organization.external_id.label("agency_id"),
    Organization.name.label("agency_name"),
    Authorization.creator_id,
    Authorization.status,
    Authorization.granted_at,
    Authorization.revoked_at,
)


def _out(session: Session, auth: Authorization) -> AuthorizationOut:
    agency = session.get_one(Organization, auth.agency_org_id)
    return AuthorizationOut(
        id=auth.id,
        agency_id=agency.external_id,
        agency_name=agency.name,
        creator_id=auth.creator_id,
        status=auth.status,
        granted_at=auth.granted_at,
        revoked_at=auth.revoked_at,
    )


@router.get("", response_model=Page[AuthorizationOut])
async def list_authorizations(
    request: Request, credentials: ApiCredentials, page: PaginationDep
) -> Response:
    """Authorisations visible to the principal (a creator's own, an agency's)."""

    def query(db: Connection) -> dict[str, Any]:
        principal = authenticate(db, credentials)
        count = select(func.count()).select_from(Authorization)
        rows = (
            select(*AUTHORIZATION_COLUMNS)
            .select_from(Authorization)
            .join(Organization, Organization.id == Authorization.agency_org_id)
        )
        return plain_page(
            db,
            policy.scoped(count, principal, Resource.AUTHORIZATIONS),
            policy.scoped(rows, principal, Resource.AUTHORIZATIONS).order_by(Authorization.id),
            page,
        )

    return plain_json_response(await run_read(request, query))


@router.post("", response_model=AuthorizationOut, status_code=201)
def grant_authorization(
    body: AuthorizationCreate, principal: ApiPrincipal, session: SessionDep
) -> AuthorizationOut:
    """Authorise an agency to see and manage the creator (re-activates a revoked one)."""
    auth = authorizations.grant(session, principal, body.agency_id, body.creator_id)
    session.commit()
    return _out(session, auth)


@router.post("/{authorization_id}/revoke", response_model=AuthorizationOut)
def revoke_authorization(
    authorization_id: RowId, principal: ApiPrincipal, session: SessionDep
) -> AuthorizationOut:
    """Revoke an authorisation: the agency stops seeing the creator at once."""
    auth = authorizations.revoke(session, principal, authorization_id)
    session.commit()
    return _out(session, auth)
