"""Changes to organisations, through the policy layer and audited."""

from __future__ import annotations

from sqlalchemy.orm import Session

from shopstar.accounts import audit, policy
from shopstar.accounts.models import Organization
from shopstar.accounts.policy import Resource
from shopstar.accounts.principal import Principal
from shopstar.errors import ShopstarError


def rename(session: Session, principal: Principal, org_id: int, name: str) -> Organization:
    """Rename organisation ``org_id`` (its admins, or a program admin)."""
    name = name.strip()
    if not name:
        raise ShopstarError("name: must not be empty")
    org: Organization = policy.get_writable(session, principal, Resource.ORGANIZATIONS, org_id)
    before, org.name = org.name, name
    audit.record(
        session,
        principal,
        "organizations.update",
        Resource.ORGANIZATIONS.value,
        org.id,
        organization_id=org.id,
        detail={"before": {"name": before}, "after": {"name": name}},
    )
    return org
