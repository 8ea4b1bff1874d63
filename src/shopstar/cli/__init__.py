"""The ``shopstar`` command: a thin layer over the library.

Each command group lives in its own module and registers itself on :data:`app`; the list
below is the only place that names them.
"""

from __future__ import annotations

import importlib
import sys

from rich.console import Console

from shopstar.cli._app import app
from shopstar.errors import ShopstarError

COMMAND_MODULES: tuple[str, ...] = (
    "about",
    "db",
    "users",
    "ingest",
    "summary",
    "sim",
    "demo",
    "serve",
    "score",
    "stars",
)


def _load_commands() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"shopstar.cli.{name}")


def main() -> None:
    """Entry point: run the CLI, turning user errors into one line and an exit code."""
    _load_commands()
    try:
        app()
    except ShopstarError as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)


__all__ = ["app", "main"]
