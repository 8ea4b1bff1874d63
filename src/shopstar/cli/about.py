"""``shopstar version`` and ``shopstar config``: what is installed and how it is configured."""

import typer

from shopstar import __version__
from shopstar.cli._app import app
from shopstar.config import Settings, get_settings


@app.command()
def version() -> None:
    """Print the ShopStar version."""
    typer.echo(__version__)


@app.command("config")
def show_config() -> None:
    """Print the effective settings (secrets hidden) and what each one means."""
    settings = get_settings()
    for name, field in Settings.model_fields.items():
        value = "***" if name == "secret_key" else getattr(settings, name)
        typer.echo(f"{name} = {value}    # {field.description}")
