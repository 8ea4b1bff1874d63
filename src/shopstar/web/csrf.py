"""CSRF tokens for forms: one random token per session, compared in constant time."""

from __future__ import annotations

import hmac
import secrets

from fastapi import HTTPException, Request

KEY = "csrf"


def csrf_token(request: Request) -> str:
    """This session's CSRF token, created on first use."""
    token = request.session.get(KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[KEY] = token
    return token


def check_csrf(request: Request, submitted: str) -> None:
    """Refuse a form whose token does not match the session's (403)."""
    expected = request.session.get(KEY)
    if not isinstance(expected, str) or not hmac.compare_digest(expected, submitted):
        raise HTTPException(403, "the form expired or did not come from this site; reload it")
