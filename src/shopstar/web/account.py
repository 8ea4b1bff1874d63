"""The logged-in user's own account pages: changing the password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from shopstar.accounts.login import TooManyAttempts
from shopstar.accounts.password_change import WrongPassword, change_own_password
from shopstar.accounts.passwords import MIN_LENGTH
from shopstar.errors import ShopstarError
from shopstar.web.csrf import check_csrf
from shopstar.web.deps import SESSION_KEY, PagePrincipal, SessionDep
from shopstar.web.pages import render

router = APIRouter(include_in_schema=False)
PASSWORD_PAGE = "/account/password"
Password = Annotated[str, Form(max_length=1024)]


@router.get(PASSWORD_PAGE)
def password_form(request: Request, principal: PagePrincipal, changed: bool = False) -> Response:
    """The change-password form (current, new, confirmation)."""
    context = {"me": principal, "min_length": MIN_LENGTH, "changed": changed}
    return render(request, "account_password.html", context)


@router.post(PASSWORD_PAGE)
def change_password(
    request: Request,
    principal: PagePrincipal,
    session: SessionDep,
    current_password: Password,
    new_password: Password,
    confirm_password: Password,
    csrf: Annotated[str, Form()],
) -> Response:
    """Change the password; every other session of the user is logged out, this one renewed."""
    check_csrf(request, csrf)
    ip = request.client.host if request.client else "unknown"
    try:
        secret = change_own_password(
            session, principal, current_password, new_password, confirm_password, ip
        )
    except (WrongPassword, TooManyAttempts) as exc:
        session.commit()  # keep the failed attempt: it counts towards the login rate limit
        status = 429 if isinstance(exc, TooManyAttempts) else 400
        return _form_error(request, principal, str(exc), status)
    except ShopstarError as exc:
        session.rollback()
        return _form_error(request, principal, str(exc), 400)
    session.commit()
    request.session.clear()  # a fresh session (and CSRF token)
    request.session[SESSION_KEY] = secret
    return RedirectResponse(f"{PASSWORD_PAGE}?changed=true", status_code=303)


def _form_error(request: Request, principal: PagePrincipal, error: str, status: int) -> Response:
    context = {"me": principal, "min_length": MIN_LENGTH, "changed": False, "error": error}
    return render(request, "account_password.html", context, status)
