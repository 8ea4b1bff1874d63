"""Password login with rate limiting per account and client address."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shopstar.accounts.models import LoginAttempt, User
from shopstar.accounts.passwords import hash_password, needs_rehash, verify_password
from shopstar.db.types import utcnow
from shopstar.errors import ShopstarError

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=5)


class LoginFailed(ShopstarError):
    """Wrong email or password (deliberately not saying which)."""


class TooManyAttempts(ShopstarError):
    """Too many failed logins for this account from this address; try again later."""


def recent_failures(session: Session, email: str, ip: str) -> int:
    """Failed attempts for ``email`` from ``ip`` within the window since the last success."""
    since = utcnow() - WINDOW
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.succeeded.is_(True)
        )
    )
    if last_success is not None and last_success > since:
        since = last_success
    return (
        session.scalar(
            select(func.count()).where(
                LoginAttempt.email == email,
                LoginAttempt.ip == ip,
                LoginAttempt.succeeded.is_(False),
                LoginAttempt.at > since,
            )
        )
        or 0
    )


def authenticate(session: Session, email: str, password: str, ip: str) -> User:
    """The active user with these credentials; records the attempt (caller commits).

    Raises TooManyAttempts after MAX_FAILURES failures in WINDOW, else LoginFailed.
    """
    email = email.strip().lower()
    if recent_failures(session, email, ip) >= MAX_FAILURES:
        raise TooManyAttempts(
            f"too many failed logins; try again in {int(WINDOW.total_seconds() // 60)} minutes"
        )
    user = session.scalars(select(User).where(User.email == email)).first()
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(email=email, ip=ip, succeeded=bool(ok)))
    if not ok or user is None:
        raise LoginFailed("wrong email or password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
