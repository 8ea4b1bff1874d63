"""``shopstar serve``: migrate the app DB, then serve the web app and API with uvicorn."""

from __future__ import annotations

import os
import sys

import typer
import uvicorn

from shopstar.cli._app import app
from shopstar.config import get_settings
from shopstar.db import upgrade


@app.command()
def serve(
    host: str | None = typer.Option(
        None,
        "--host",
        help="Bind address (default: settings.host). Off loopback the session cookie is Secure: "
        "put TLS in front.",
    ),
    port: int | None = typer.Option(None, "--port", help="Port (default: settings.port)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
) -> None:
    """Serve the web app and the /api/v1 JSON API (runs pending migrations first)."""
    if host is not None:
        os.environ["SHOPSTAR_HOST"] = host  # the app factory reads it in each worker
    if port is not None:
        os.environ["SHOPSTAR_PORT"] = str(port)
    settings = get_settings()
    settings.check_production()
    upgrade(settings.db_url)
    typer.echo(f"ShopStar on http://{settings.host}:{settings.port}/ (API docs at /docs)")
    uvicorn.run(
        "shopstar.web.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        http="httptools",  # C parser: about twice the h11 request rate
        loop="asyncio" if sys.platform == "win32" else "uvloop",
        log_level="warning",
        access_log=False,
    )
