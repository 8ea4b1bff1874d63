"""The ``shopstar`` command: a thin layer over the library.

Each command group lives in its own module and registers itself on :data:`app`; the table
:data:`COMMANDS` below is the only place that names them, so a command starts without
importing the libraries of the others.
"""

from __future__ import annotations

import importlib
import sys

from rich.console import Console

from shopstar.cli._app import app
from shopstar.errors import ShopstarError

COMMANDS: dict[str, str] = {
    "version": "about",
    "config": "about",
    "ingest": "ingest",
    "summary": "summary",
    "sim": "sim",
    "demo": "demo",
    "serve": "serve",
    "score": "score",
    "runs": "runs",
    "stars": "stars",
    "trends": "stars",
    "db": "db",
    "users": "users",
}
"""Each command and the module that defines it (only the module needed is imported)."""

COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


def load_commands(argv: list[str] | None = None) -> None:
    """Import the module of the command named in ``argv``, or every module (for help)."""
    words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
    wanted = COMMANDS.get(words[0]) if words else None
    for name in (wanted,) if wanted else COMMAND_MODULES:
        importlib.import_module(f"shopstar.cli.{name}")


def main() -> None:
    """Entry point: run the CLI, turning user errors into one line and an exit code."""
    load_commands()
    try:
        app()
    except ShopstarError as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"error: {exc}", markup=False)
        sys.exit(exc.exit_code)


__all__ = ["COMMANDS", "COMMAND_MODULES", "app", "load_commands", "main"]
