"""Server-rendered pages: login, logout, the home page of each role, and revoking an agency."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from shopstar.accounts import authorizations
from shopstar.accounts.login import LoginFailed, TooManyAttempts, authenticate
from shopstar.accounts.sessions import end_session, start_session
from shopstar.web.csrf import check_csrf, csrf_token
from shopstar.web.deps import SESSION_KEY, PagePrincipal, SessionDep, page_principal_or_none
from shopstar.web.holdings import holdings

router = APIRouter(include_in_schema=False)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

LEADS = {
    ("program", "admin"): "Program admin: every creator, shop and product of the program.",
    ("program", "manager"): "Program manager: every creator, and the shops and products of "
    "your categories; you edit the creators on your roster.",
    ("agency", "admin"): "Agency: the creators who authorised you and the shops you manage.",
    ("agency", "member"): "Agency: the creators who authorised you and the shops you manage.",
    ("shop", "admin"): "Shop: your shop and its catalogue.",
    ("shop", "member"): "Shop: your shop and its catalogue.",
    ("creator", "creator"): "Creator: your profile and the agencies you authorised.",
}
METHODS = ("get", "post", "put", "patch", "delete")


def render(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    """A page with the CSRF token in its context and the security headers set."""
    context = {"csrf": csrf_token(request), **context}
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    response.headers.update(SECURITY_HEADERS)
    return response


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else "/"


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Liveness probe."""
    return {"status": "ok"}


@router.get("/docs")
def api_docs(request: Request) -> Response:
    """The API reference, rendered from the OpenAPI schema (no external assets)."""
    spec = request.app.openapi()
    operations = [
        {"method": method.upper(), "path": path, **op}
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]
    return render(request, "api_docs.html", {"spec": spec, "operations": operations})


@router.get("/login")
def login_form(request: Request, session: SessionDep, next: str = "/") -> Response:
    """The login form (or home, when already logged in)."""
    if page_principal_or_none(request, session) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "email": ""})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password (rate limited per account and address) and start a session."""
    check_csrf(request, csrf)
    ip = request.client.host if request.client else "unknown"
    context = {"next": _safe_next(next), "email": email}
    try:
        user = authenticate(session, email, password, ip)
    except TooManyAttempts as exc:
        session.commit()
        return render(request, "login.html", {**context, "error": str(exc)}, 429)
    except LoginFailed as exc:
        session.commit()
        return render(request, "login.html", {**context, "error": str(exc)}, 401)
    secret = start_session(session, user.id)
    session.commit()
    request.session.clear()  # a fresh session (and CSRF token) for the logged-in user
    request.session[SESSION_KEY] = secret
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, csrf: Annotated[str, Form()]) -> Response:
    """End the session (server-side too: the cookie no longer logs in)."""
    check_csrf(request, csrf)
    end_session(session, request.session.get(SESSION_KEY))
    session.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request, principal: PagePrincipal, session: SessionDep) -> Response:
    """Who you are and what your organisation holds."""
    return render(
        request,
        "home.html",
        {
            "me": principal,
            "lead": LEADS[principal.org_kind.value, principal.role.value],
            "sections": holdings(session, principal),
        },
    )


@router.post("/authorizations/{authorization_id}/revoke")
def revoke(
    request: Request,
    authorization_id: int,
    principal: PagePrincipal,
    session: SessionDep,
    csrf: Annotated[str, Form()],
) -> Response:
    """A creator revokes an agency's authorisation from the home page."""
    check_csrf(request, csrf)
    authorizations.revoke(session, principal, authorization_id)
    session.commit()
    return RedirectResponse("/", status_code=303)
