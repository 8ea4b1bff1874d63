"""``shopstar score``: compute every analytic over the lake and publish it as a new score run."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from shopstar.analytics.job import score_and_publish
from shopstar.analytics.scratch import remove_stale
from shopstar.cli._app import app
from shopstar.config import get_settings


class EngineChoice(StrEnum):
    """Engines ``shopstar score`` runs on."""

    duckdb = "duckdb"
    spark = "spark"


@app.command("score")
def score_command(
    as_of: dt.datetime | None = typer.Option(
        None, "--as-of", formats=["%Y-%m-%d"], help="Last day scored (default: latest data)."
    ),
    engine: EngineChoice | None = typer.Option(
        None, "--engine", help="duckdb (default) or spark.", case_sensitive=False
    ),
    currency: str | None = typer.Option(
        None, "--currency", help="Score the orders in this currency (default: the most used)."
    ),
) -> None:
    """Score creators, rising stars and product trends up to AS-OF and publish the run."""
    settings = get_settings()
    for leftover in remove_stale():
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            leftover.describe(), markup=False
        )
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    console = Console(stderr=True)
    # on a terminal only: elsewhere (a pipe, a log) it would leave an empty line behind
    shown = console.is_terminal
    with Progress(*columns, console=console, transient=True, disable=not shown) as bar:
        task = bar.add_task("scoring the lake", total=None)
        run = score_and_publish(
            settings,
            as_of.date() if as_of else None,
            engine.value if engine else None,
            currency,
            lambda step: bar.update(task, description=f"scoring the lake: {step}"),
        )
    if run.other_currency_lines:
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"note: {run.other_currency_lines} order lines not in {run.currency} were left out "
            "(amounts in different currencies are never added; see --currency)",
            markup=False,
        )
    typer.echo(
        f"score run {run.run_id} published (as of {run.as_of.isoformat()}, {run.engine}): "
        f"{run.scores} creator x category scores, {run.rising} rising stars, "
        f"{run.trends} product trends"
    )
