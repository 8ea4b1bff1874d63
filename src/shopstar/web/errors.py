"""One error body for every 4xx on the API: ``{"error": {"code", "message", "field"?}}``.

Pages get the same errors rendered as HTML; a page that needs a login redirects to it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from shopstar.accounts.login import LoginFailed, TooManyAttempts
from shopstar.accounts.policy import Forbidden, NotFound
from shopstar.errors import ShopstarError

_FIELD = re.compile(r"^([A-Za-z_][\w.]*): ")


class ErrorDetail(BaseModel):
    """What went wrong: a stable ``code``, a message for people, the offending field if any."""

    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The body of every API error response."""

    error: ErrorDetail


class LoginRequired(Exception):
    """A page needs a logged-in user."""


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": HTTPStatus(status).phrase}
    for status in (400, 401, 403, 404, 422)
}

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "too_many_requests",
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(
    request: Request,
    status: int,
    message: str,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error as JSON for the API, as an HTML page otherwise."""
    code = _CODES.get(status, "error")
    if _is_api(request):
        detail = ErrorDetail(code=code, message=message, field=field)
        return JSONResponse(
            {"error": detail.model_dump(exclude_none=True)}, status_code=status, headers=headers
        )
    templates = request.app.state.templates
    page: Response = templates.TemplateResponse(
        request,
        "error.html",
        {"status": status, "title": HTTPStatus(status).phrase, "message": message},
        status_code=status,
        headers=headers,
    )
    return page


def _shopstar_error(request: Request, exc: Exception) -> Response:
    message = str(exc)
    match = _FIELD.match(message)
    status = 400
    if isinstance(exc, NotFound):
        status = 404
    elif isinstance(exc, Forbidden):
        status = 403
    elif isinstance(exc, TooManyAttempts):
        status = 429
    elif isinstance(exc, LoginFailed):
        status = 401
    return error_response(request, status, message, match.group(1) if match else None)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(request, exc.status_code, str(exc.detail), headers=exc.headers)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0]
    loc = [str(p) for p in first.get("loc", ()) if p != "body"] or ["body"]
    field = ".".join(loc[1:] if loc[0] in {"query", "path", "header", "cookie"} else loc)
    value = first.get("input")
    message = f"{field}: {first.get('msg', 'invalid')}"
    if value is not None and not isinstance(value, dict | list):
        message += f" (got {value!r})"
    return error_response(request, 422, message, field or None)


def _data_error(request: Request, exc: Exception) -> Response:
    # the database refused a value the validation let through (e.g. a NUL in a text)
    return error_response(request, 400, "a value is out of range or has invalid characters")


def _login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


def install(
    app: FastAPI, token_error: Callable[[Request], Awaitable[HTTPException | None]]
) -> None:
    """Register the handlers on ``app``. An API request with invalid parameters answers
    ``token_error(request)`` (its token's 401) when there is one: 401 comes before 422 whether
    the endpoint authenticates in a dependency or inside its read."""

    async def validation_error(request: Request, exc: Exception) -> Response:
        if _is_api(request) and (error := await token_error(request)) is not None:
            return _http_error(request, error)
        return _validation_error(request, exc)

    app.add_exception_handler(ShopstarError, _shopstar_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(LoginRequired, _login_required)
