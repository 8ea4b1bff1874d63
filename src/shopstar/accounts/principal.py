"""The principal: who is acting, in which organisation, with which role and scopes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Select, select
from sqlalchemy.orm import Session

from shopstar.accounts.models import (
    ManagerCategory,
    Membership,
    Organization,
    OrgKind,
    Role,
    User,
)

READ = "read"
WRITE = "write"
ALL_SCOPES: frozenset[str] = frozenset({READ, WRITE})


@dataclass(frozen=True)
class Principal:
    """An authenticated user acting through one organisation. Logins get every scope; an API
    token gets the scopes it was issued with."""

    user_id: int
    email: str
    name: str
    membership_id: int
    org_id: int
    org_kind: OrgKind
    org_name: str
    org_external_id: str | None
    role: Role
    scopes: frozenset[str] = ALL_SCOPES
    categories: tuple[str, ...] = ()

    def has_scope(self, scope: str) -> bool:
        """True when this principal's credentials carry ``scope``."""
        return scope in self.scopes

    def is_(self, kind: OrgKind, *roles: Role) -> bool:
        """True when the organisation is of ``kind`` (and the role one of ``roles``, if given)."""
        return self.org_kind is kind and (not roles or self.role in roles)


def principal_query() -> Select[User, Membership, Organization]:
    """Active users with their membership and organisation, in one query (filter it further)."""
    return (
        select(User, Membership, Organization)
        .join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(User.is_active.is_(True))
    )


def manager_categories(db: Session | Connection, membership_id: int) -> tuple[str, ...]:
    """The categories of manager membership ``membership_id``, sorted."""
    return tuple(
        db.scalars(
            select(ManagerCategory.category)
            .where(ManagerCategory.membership_id == membership_id)
            .order_by(ManagerCategory.category)
        )
    )


def build_principal(
    session: Session, row: tuple[User, Membership, Organization], scopes: frozenset[str]
) -> Principal:
    """A principal from a :func:`principal_query` row (loads a manager's categories)."""
    user, membership, org = row
    categories: tuple[str, ...] = ()
    if membership.role == Role.MANAGER.value:
        categories = manager_categories(session, membership.id)
    return Principal(
        user_id=user.id,
        email=user.email,
        name=user.name,
        membership_id=membership.id,
        org_id=org.id,
        org_kind=OrgKind(org.kind),
        org_name=org.name,
        org_external_id=org.external_id,
        role=Role(membership.role),
        scopes=scopes,
        categories=categories,
    )


def load_principal(
    session: Session, user_id: int, scopes: frozenset[str] = ALL_SCOPES
) -> Principal | None:
    """The principal of active user ``user_id``, or None if there is no such active member."""
    row = session.execute(principal_query().where(User.id == user_id)).first()
    if row is None:
        return None
    user, membership, org = row
    return build_principal(session, (user, membership, org), scopes)
