"""Creating and listing users, their organisation membership, categories and roster."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopstar.accounts import audit, roster
from shopstar.accounts.models import (
    ROLES_BY_KIND,
    ApiToken,
    ManagerCategory,
    Membership,
    Organization,
    OrgKind,
    Role,
    User,
)
from shopstar.accounts.passwords import hash_password
from shopstar.accounts.principal import Principal
from shopstar.accounts.sessions import revoke_sessions
from shopstar.db.types import utcnow
from shopstar.errors import ShopstarError

PROGRAM_EXTERNAL_ID = "program"
PROGRAM_NAME = "Program team"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def program_org(session: Session) -> Organization:
    """The program team's organisation, created on first use."""
    org = session.scalars(
        select(Organization).where(
            Organization.kind == OrgKind.PROGRAM.value,
            Organization.external_id == PROGRAM_EXTERNAL_ID,
        )
    ).first()
    if org is None:
        org = Organization(
            kind=OrgKind.PROGRAM.value, name=PROGRAM_NAME, external_id=PROGRAM_EXTERNAL_ID
        )
        session.add(org)
        session.flush()
    return org


def resolve_org(session: Session, spec: str) -> Organization:
    """The organisation named by ``program``, ``agency:ID``, ``shop:ID`` or ``creator:ID``."""
    if spec == OrgKind.PROGRAM.value:
        return program_org(session)
    kind, _, external_id = spec.partition(":")
    if kind not in {k.value for k in OrgKind} - {OrgKind.PROGRAM.value} or not external_id:
        raise ShopstarError(f"org: {spec!r} is not program, agency:ID, shop:ID or creator:ID")
    org = session.scalars(
        select(Organization).where(
            Organization.kind == kind, Organization.external_id == external_id
        )
    ).first()
    if org is None:
        raise ShopstarError(f"org: no {kind} {external_id!r} in the catalog (sync the lake first)")
    return org


@dataclass(frozen=True)
class NewUser:
    """What :func:`create_user` needs."""

    email: str
    name: str
    password: str
    org: Organization
    role: Role
    categories: tuple[str, ...] = ()


def create_user(session: Session, new: NewUser, *, actor: Principal | str) -> User:
    """Add a user with one membership; program managers get their categories."""
    email = new.email.strip().lower()
    if not _EMAIL.match(email):
        raise ShopstarError(f"email: {new.email!r} is not an email address")
    kind = OrgKind(new.org.kind)
    if new.role not in ROLES_BY_KIND[kind]:
        allowed = ", ".join(r.value for r in ROLES_BY_KIND[kind])
        raise ShopstarError(f"role: {new.role.value!r} is not a {kind.value} role ({allowed})")
    if new.categories and new.role is not Role.MANAGER:
        raise ShopstarError("category: only program managers have categories")
    if session.scalars(select(User.id).where(User.email == email)).first() is not None:
        raise ShopstarError(f"email: {email!r} already has an account")
    user = User(email=email, name=new.name or email, password_hash=hash_password(new.password))
    session.add(user)
    session.flush()
    membership = Membership(user_id=user.id, organization_id=new.org.id, role=new.role.value)
    session.add(membership)
    session.flush()
    session.add_all(
        ManagerCategory(membership_id=membership.id, category=c) for c in set(new.categories)
    )
    audit.record(
        session,
        actor,
        "user.create",
        "users",
        user.id,
        organization_id=new.org.id,
        detail={"email": email, "role": new.role.value, "categories": sorted(new.categories)},
    )
    return user


@dataclass(frozen=True)
class PasswordSet:
    """What a password change revoked."""

    sessions_revoked: int
    tokens_revoked: int


def set_password(
    session: Session,
    user: User,
    password: str,
    *,
    actor: Principal | str,
    revoke_tokens: bool = False,
) -> PasswordSet:
    """Replace ``user``'s password and log out every page session of theirs (audited).

    API tokens survive unless ``revoke_tokens``: they are credentials of their own.
    """
    user.password_hash = hash_password(password)
    sessions_revoked = revoke_sessions(session, user.id)
    tokens_revoked = 0
    if revoke_tokens:
        live = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        now = utcnow()
        for token in session.scalars(live):
            token.revoked_at = now
            tokens_revoked += 1
    audit.record(
        session,
        actor,
        "user.password",
        "users",
        user.id,
        organization_id=user.membership.organization_id,
        detail={"sessions_revoked": sessions_revoked, "tokens_revoked": tokens_revoked},
    )
    return PasswordSet(sessions_revoked, tokens_revoked)


def add_to_roster(
    session: Session, user: User, creator_ids: Iterable[str], *, actor: Principal | str
) -> int:
    """Put creators on program manager ``user``'s roster; returns how many were added."""
    membership = roster.manager_membership(user)
    return len(roster.update_roster(session, membership, add=creator_ids, actor=actor).added)


@dataclass(frozen=True)
class UserRow:
    """A user as listed by ``shopstar users list``."""

    id: int
    email: str
    name: str
    org_kind: str
    org: str
    role: str
    active: bool


def list_users(session: Session) -> list[UserRow]:
    """Every user with organisation and role, by email."""
    rows = session.execute(
        select(User, Membership.role, Organization.kind, Organization.name)
        .join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.organization_id)
        .order_by(User.email)
    )
    return [
        UserRow(u.id, u.email, u.name, kind, org, role, u.is_active) for u, role, kind, org in rows
    ]


def find_user(session: Session, email: str) -> User:
    """The user with ``email``."""
    user = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise ShopstarError(f"email: no user {email!r}")
    return user
