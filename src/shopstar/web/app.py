"""The application factory: one FastAPI app serving ``/api/v1`` and the pages."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from shopstar import __version__
from shopstar.config import Settings, get_settings
from shopstar.db import make_engine, make_sessionmaker
from shopstar.web import account, errors, managers_pages, pages, score_pages
from shopstar.web.api import api_router
from shopstar.web.deps import token_error
from shopstar.web.reads import make_read_engine

HERE = Path(__file__).parent
SESSION_COOKIE = "shopstar_session"
SESSION_MAX_AGE = 14 * 24 * 3600


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: cookies may then travel over plain HTTP."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app on ``settings`` (default: :func:`get_settings`); the DB must be migrated."""
    settings = settings or get_settings()
    settings.check_production()
    # no pre-ping (a round trip per request); a connection the server closed is replaced at
    # checkout instead (shopstar.db.make_engine)
    engine = make_engine(settings.db_url, pool_pre_ping=False)
    read_engine = make_read_engine(settings.db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()
        read_engine.dispose()

    app = FastAPI(
        title="ShopStar API",
        version=__version__,
        description="Creators, shops and products of a star creator program, scoped to the "
        "caller's organisation. Authenticate with `Authorization: Bearer <token>` "
        "(`shopstar users token EMAIL`).",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI comes from a CDN; /docs is rendered locally (pages.py)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.read_engine = read_engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.templates = Jinja2Templates(directory=HERE / "templates")
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=not is_loopback(settings.host),
    )
    errors.install(app, token_error)
    app.include_router(api_router())
    app.include_router(pages.router)
    app.include_router(account.router)
    app.include_router(managers_pages.router)
    app.include_router(score_pages.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def app_from_environment() -> FastAPI:
    """Factory for ``uvicorn --factory shopstar.web.app:app_from_environment``."""
    return create_app(get_settings())
