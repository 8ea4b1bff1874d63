"""``shopstar sim generate``: write a simulated marketplace (contract files + ground truth)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from shopstar.cli._app import app
from shopstar.cli._output import render
from shopstar.sim import SimConfig, SimResult, generate

sim_app = typer.Typer(
    help="Simulated marketplaces with ground truth (docs/simulator.md).", no_args_is_help=True
)
app.add_typer(sim_app, name="sim")


class FileFormat(StrEnum):
    """Formats the simulator writes."""

    parquet = "parquet"
    csv = "csv"


def run_with_progress(out: Path, config: SimConfig, console: Console) -> SimResult:
    """Generate ``config`` into ``out`` with a Rich progress bar (one step per shard)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("simulating: {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("start", total=None)

        def step(name: str, done: int, total: int) -> None:
            bar.update(task, description=name, completed=done, total=total)

        return generate(out, config, step)


@sim_app.command("generate")
def generate_command(
    out: Path = typer.Argument(..., help="Directory to write into (created if missing)."),
    creators: int = typer.Option(SimConfig.creators, "--creators", min=10, help="Creators."),
    weeks: int = typer.Option(SimConfig.weeks, "--weeks", min=1, max=260, help="Weeks."),
    seed: int = typer.Option(SimConfig.seed, "--seed", help="Random seed (same seed, same bytes)."),
    start: dt.datetime = typer.Option(
        dt.datetime.combine(SimConfig.start, dt.time()),
        "--start",
        formats=["%Y-%m-%d"],
        help="First simulated day.",
    ),
    file_format: FileFormat = typer.Option(
        FileFormat.parquet, "--format", case_sensitive=False, help="parquet or csv."
    ),
    messy: bool = typer.Option(
        False, "--messy", help="Add CSV files of bad rows and a file of re-sent (duplicate) rows."
    ),
) -> None:
    """Generate a TikTok-Shop-like marketplace into OUT, with its ground truth in OUT/truth.

    Prints one row per file written (entity, file, rows): a table on a terminal, else CSV.
    """
    config = SimConfig(
        creators=creators,
        weeks=weeks,
        seed=seed,
        start=start.date(),
        messy=messy,
        format=file_format.value,
    )
    result = run_with_progress(out, config, Console(stderr=True))
    rows = [
        {"entity": name, "file": path.name, "rows": result.rows[name]}
        for name, path in result.files.items()
    ]
    rows += [
        {"entity": "(messy)", "file": path.name, "rows": n}
        for path, n in result.extra_files.items()
    ]
    render(rows, ("entity", "file", "rows"), None, title=f"Simulated marketplace in {out}")
    Console(stderr=True, highlight=False).print(
        f"{result.order_lines} order lines in {result.seconds:.1f}s; truth in {result.truth_dir}"
    )
