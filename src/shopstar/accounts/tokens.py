"""API tokens: random, shown once, stored as a SHA-256 hash, scoped, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, bindparam
from sqlalchemy.orm import Session

from shopstar.accounts import audit
from shopstar.accounts.models import ApiToken, Membership, Organization, OrgKind, Role, User
from shopstar.accounts.principal import (
    ALL_SCOPES,
    READ,
    Principal,
    manager_categories,
    principal_query,
)
from shopstar.db.types import utcnow
from shopstar.errors import ShopstarError

TOKEN_PREFIX = "sst_"


@dataclass(frozen=True)
class IssuedToken:
    """A newly issued token: ``secret`` is shown to the user once and never stored."""

    token: ApiToken
    secret: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_scopes(text: str) -> frozenset[str]:
    """``"read"`` or ``"read,write"`` (write implies read) as a set; refuse anything else."""
    scopes = frozenset(s.strip() for s in text.split(",") if s.strip())
    unknown = scopes - ALL_SCOPES
    if unknown or not scopes:
        raise ShopstarError(f"scope: {text!r} is not 'read' or 'read,write'")
    return scopes | {READ}


def issue_token(
    session: Session, user: User, *, name: str, scopes: frozenset[str], actor: Principal | str
) -> IssuedToken:
    """Create a token for ``user``; the plaintext is only in the returned value."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=_digest(secret),
        scopes=",".join(sorted(scopes)),
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor,
        "token.issue",
        "api_tokens",
        token.id,
        detail={"user": user.email, "name": name, "scopes": token.scopes},
    )
    return IssuedToken(token, secret)


def revoke_token(session: Session, token_id: int, *, actor: Principal | str) -> ApiToken:
    """Revoke token ``token_id`` (idempotent)."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise ShopstarError(f"token: no token with id {token_id}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(session, actor, "token.revoke", "api_tokens", token.id)
    return token


def _token_principal_query() -> Select[*tuple[Any, ...]]:
    """Plain columns (no ORM objects) of :func:`principal_query` plus the token's scopes, for a
    token hash given as the ``token_hash`` parameter: built once, compiled once."""
    return (
        principal_query()
        .with_only_columns(
            User.id,
            User.email,
            User.name,
            Membership.id,
            Membership.role,
            Organization.id,
            Organization.kind,
            Organization.name,
            Organization.external_id,
            ApiToken.scopes,
        )
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
    )


_TOKEN_PRINCIPAL = _token_principal_query()


def principal_for_token(db: Session | Connection, secret: str) -> Principal | None:
    """The principal a presented token stands for, or None if unknown, revoked or inactive.

    Looked up on every call (one indexed query; a manager's categories are a second), so a
    revocation or deactivation takes effect on the next request."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = db.execute(_TOKEN_PRINCIPAL, {"token_hash": _digest(secret)}).first()
    if row is None:
        return None
    user_id, email, name, membership_id, role, org_id, kind, org_name, external_id, scopes = row
    return Principal(
        user_id=user_id,
        email=email,
        name=name,
        membership_id=membership_id,
        org_id=org_id,
        org_kind=OrgKind(kind),
        org_name=org_name,
        org_external_id=external_id,
        role=Role(role),
        scopes=frozenset(scopes.split(",")),
        categories=manager_categories(db, membership_id) if role == Role.MANAGER.value else (),
    )
