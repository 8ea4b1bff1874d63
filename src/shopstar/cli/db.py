"""``shopstar db upgrade|downgrade|current``: the app DB's schema migrations."""

from __future__ import annotations

import typer

from shopstar.cli._app import app
from shopstar.config import get_settings
from shopstar.db import current_revision, downgrade, head_revision, upgrade

db_app = typer.Typer(help="Migrate the app database (SQLite or PostgreSQL).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    revision: str = typer.Argument("head", help="Target revision (default: the latest)."),
) -> None:
    """Migrate the app database up to REVISION."""
    url = get_settings().db_url
    upgrade(url, revision)
    typer.echo(f"database at revision {current_revision(url)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: str = typer.Argument(..., help="Target revision; `base` drops every table."),
) -> None:
    """Migrate the app database down to REVISION."""
    url = get_settings().db_url
    downgrade(url, revision)
    typer.echo(f"database at revision {current_revision(url) or 'base'}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the newest one this ShopStar ships."""
    url = get_settings().db_url
    typer.echo(f"current: {current_revision(url) or 'base'}\nhead: {head_revision()}")
