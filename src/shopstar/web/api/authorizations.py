"""``/authorizations``: creators authorising agencies, and revoking them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopstar.accounts import authorizations, policy
from shopstar.accounts.models import Authorization, Organization
from shopstar.accounts.policy import Resource
from shopstar.web.api.listing import page_of
from shopstar.web.api.schemas import (
    AuthorizationCreate,
    AuthorizationOut,
    Page,
    PaginationDep,
    RowId,
)
from shopstar.web.deps import ApiPrincipal, SessionDep

router = APIRouter(prefix="/authorizations", tags=["authorizations"])


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
def list_authorizations(
    principal: ApiPrincipal, session: SessionDep, page: PaginationDep
) -> Page[AuthorizationOut]:
    """Authorisations visible to the principal (a creator's own, an agency's)."""
    stmt: Any = policy.scoped(select(Authorization), principal, Resource.AUTHORIZATIONS)
    rows, count = page_of(session, stmt.order_by(Authorization.id), page)
    data = [_out(session, r) for r in rows]
    return Page(data=data, count=count, limit=page.limit, offset=page.offset)


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
