"""Request dependencies: the DB session and the principal (API token or page login)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from shopstar.accounts.principal import Principal
from shopstar.accounts.sessions import principal_for_session
from shopstar.accounts.tokens import principal_for_token
from shopstar.web.errors import LoginRequired
from shopstar.web.reads import run_read

T = TypeVar("T")

SESSION_KEY = "sid"  # the page session's secret, inside the signed cookie
bearer = HTTPBearer(auto_error=False, description="An API token from `shopstar users token`.")


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session for this request; endpoints that write commit it themselves.

    Creating a session does no I/O: it checks a connection out at its first query, inside a
    sync dependency or endpoint, on a worker thread. Closing it returns the connection (a
    rollback, never a wait for the pool), so it runs on the loop without a thread hop. The loop
    must never check connections out: it could wait for one that only the loop can give back.
    """
    session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


ApiCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def authenticate(
    db: Session | Connection, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    """The principal of a bearer token, looked up now (every request: revocation is immediate);
    401 without a valid one. Call it on a worker thread: it queries the DB."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise HTTPException(401, "send an API token: Authorization: Bearer <token>", challenge)
    principal = principal_for_token(db, credentials.credentials)
    if principal is None:
        raise HTTPException(401, "the API token is unknown or revoked", challenge)
    return principal


async def token_error(request: Request) -> HTTPException | None:
    """The 401 that :func:`authenticate` raises for this request's bearer token, or None when
    the token is valid (looked up on the read path)."""
    credentials = await bearer(request)

    def check(db: Connection) -> HTTPException | None:
        try:
            authenticate(db, credentials)
        except HTTPException as error:
            return error
        return None

    return await run_read(request, check)


async def run_session_read(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None,
    work: Callable[[Session, Principal], T],
) -> T:
    """``work(session, principal)`` on the read path (:func:`run_read`) for reads built on ORM
    objects: the bearer token's principal and an ORM session on the read connection."""

    def call(db: Connection) -> T:
        principal = authenticate(db, credentials)
        with Session(db) as session:
            return work(session, principal)

    return await run_read(request, call)


def api_principal(session: SessionDep, credentials: ApiCredentials) -> Principal:
    """The principal of the request's bearer token; 401 without a valid one."""
    return authenticate(session, credentials)


ApiPrincipal = Annotated[Principal, Depends(api_principal)]


def page_principal_or_none(request: Request, session: SessionDep) -> Principal | None:
    """The logged-in principal of a page request, or None (no session, or one revoked by a
    logout or password change, expired, or of a deactivated user)."""
    return principal_for_session(session, request.session.get(SESSION_KEY))


def page_principal(
    principal: Annotated[Principal | None, Depends(page_principal_or_none)],
) -> Principal:
    """The logged-in principal; pages without one redirect to the login page."""
    if principal is None:
        raise LoginRequired
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]
