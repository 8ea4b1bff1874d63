"""Server-side page sessions: the cookie holds a random secret, the database its SHA-256.

A page request is logged in only while its session row exists and has not expired, so deleting
rows logs browsers out at their next request: :func:`end_session` (logout) and
:func:`revoke_sessions` (password change or reset).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shopstar.accounts.models import User, UserSession
from shopstar.accounts.principal import ALL_SCOPES, Principal, build_principal, principal_query
from shopstar.db.types import utcnow

LIFETIME = dt.timedelta(days=14)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start_session(session: Session, user_id: int) -> str:
    """A new session for ``user_id``; returns the cookie secret. Every expired session, of any
    user, is dropped here, so users who never log in again leave no rows behind."""
    now = utcnow()
    session.execute(delete(UserSession).where(UserSession.expires_at <= now))
    secret = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user_id, token_hash=_digest(secret), expires_at=now + LIFETIME))
    return secret


def principal_for_session(session: Session, secret: object) -> Principal | None:
    """The principal of a live session secret, or None (unknown, expired, revoked, inactive)."""
    if not isinstance(secret, str) or not secret:
        return None
    row = session.execute(
        principal_query()
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == _digest(secret), UserSession.expires_at > utcnow())
    ).first()
    if row is None:
        return None
    user, membership, org = row
    return build_principal(session, (user, membership, org), ALL_SCOPES)


def end_session(session: Session, secret: object) -> None:
    """Delete the session of ``secret`` (logout); unknown secrets are ignored."""
    if isinstance(secret, str) and secret:
        session.execute(delete(UserSession).where(UserSession.token_hash == _digest(secret)))


def revoke_sessions(session: Session, user_id: int) -> int:
    """Delete every session of ``user_id``; returns how many were live."""
    live = (
        session.scalar(
            select(func.count()).where(
                UserSession.user_id == user_id, UserSession.expires_at > utcnow()
            )
        )
        or 0
    )
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))
    return live
