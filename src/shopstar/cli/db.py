"""``shopstar db upgrade|downgrade|current|sync``: the app DB's migrations and catalog sync."""

from __future__ import annotations

import typer

from shopstar.catalog.sync import sync_from_lake
from shopstar.cli._app import app
from shopstar.config import get_settings
from shopstar.db import (
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    make_sessionmaker,
    upgrade,
)
from shopstar.lake import Lake

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


@db_app.command("sync")
def db_sync() -> None:
    """Copy the lake's agencies, shops, products and creators into the app database."""
    settings = get_settings()
    upgrade(settings.db_url)
    engine = make_engine(settings.db_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            report = sync_from_lake(session, Lake(settings.lake_dir))
    finally:
        engine.dispose()
    for entity, counts in report.as_dict().items():
        typer.echo(f"{entity}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
