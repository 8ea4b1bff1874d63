"""API tokens: random, shown once, stored as a SHA-256 hash, scoped, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from shopstar.accounts import audit
from shopstar.accounts.models import ApiToken, User
from shopstar.accounts.principal import (
    ALL_SCOPES,
    READ,
    Principal,
    build_principal,
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


def principal_for_token(session: Session, secret: str) -> Principal | None:
    """The principal a presented token stands for, or None if unknown, revoked or inactive."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        principal_query()
        .add_columns(ApiToken.scopes)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(secret), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None:
        return None
    user, membership, org, scopes = row
    return build_principal(session, (user, membership, org), frozenset(scopes.split(",")))
