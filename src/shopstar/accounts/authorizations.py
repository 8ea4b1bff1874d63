"""Creators authorising agencies, and revoking them; the policy reads the result."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopstar.accounts import audit, policy
from shopstar.accounts.models import Authorization, AuthorizationStatus, Organization, OrgKind
from shopstar.accounts.policy import Forbidden, NotFound, Resource
from shopstar.accounts.principal import WRITE, Principal
from shopstar.catalog.models import Creator
from shopstar.db.types import utcnow


def grant(
    session: Session, principal: Principal, agency_id: str, creator_id: str | None = None
) -> Authorization:
    """Authorise agency ``agency_id`` for the principal's creator (or, for a program admin,
    for ``creator_id``); re-activates a revoked authorisation."""
    policy.require_scope(principal, WRITE)
    if not policy.may_create(principal, Resource.AUTHORIZATIONS):
        raise Forbidden("only a creator (or a program admin) can authorise an agency")
    if principal.org_kind is OrgKind.CREATOR:
        creator = session.scalars(
            select(Creator).where(Creator.organization_id == principal.org_id)
        ).first()
    else:
        creator = session.get(Creator, creator_id) if creator_id else None
    if creator is None:
        raise NotFound(f"creator {creator_id!r} not found")
    agency = session.scalars(
        select(Organization).where(
            Organization.kind == OrgKind.AGENCY.value, Organization.external_id == agency_id
        )
    ).first()
    if agency is None:
        raise NotFound(f"agency {agency_id!r} not found")
    auth = session.scalars(
        select(Authorization).where(
            Authorization.agency_org_id == agency.id,
            Authorization.creator_id == creator.creator_id,
        )
    ).first()
    if auth is None:
        auth = Authorization(agency_org_id=agency.id, creator_id=creator.creator_id)
        session.add(auth)
    auth.status = AuthorizationStatus.ACTIVE.value
    auth.granted_at = utcnow()
    auth.revoked_at = None
    session.flush()
    audit.record(
        session,
        principal,
        "authorization.grant",
        Resource.AUTHORIZATIONS.value,
        auth.id,
        detail={"agency_id": agency_id, "creator_id": creator.creator_id},
    )
    return auth


def revoke(session: Session, principal: Principal, authorization_id: int) -> Authorization:
    """Revoke an authorisation: from now on the agency no longer sees the creator."""
    auth: Authorization = policy.get_writable(
        session, principal, Resource.AUTHORIZATIONS, authorization_id
    )
    if auth.status != AuthorizationStatus.REVOKED.value:
        auth.status = AuthorizationStatus.REVOKED.value
        auth.revoked_at = utcnow()
        audit.record(
            session,
            principal,
            "authorization.revoke",
            Resource.AUTHORIZATIONS.value,
            auth.id,
            detail={"creator_id": auth.creator_id, "agency_org_id": auth.agency_org_id},
        )
    return auth
