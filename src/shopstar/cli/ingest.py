"""``shopstar ingest PATH...``: load shop data into the lake, one atomic batch per run."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from shopstar.cli._app import app
from shopstar.cli._output import Format, FormatOption, render
from shopstar.config import get_settings
from shopstar.lake import COUNT_COLUMNS, IngestReport, Lake, ingest_paths
from shopstar.sources import SOURCES, ExportOptions, ingest_exports, wants_sources

SHOW_PROGRESS_BYTES = 20 << 20  # inputs at least this large get a progress bar


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="Files or directories (CSV, Parquet, JSONL)."),
    entity: str | None = typer.Option(
        None, "--entity", help="Entity of every file, instead of taking it from the file name."
    ),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 when any row is rejected."),
    source: str | None = typer.Option(
        None,
        "--source",
        help=f"Read TikTok Shop exports ({', '.join(SOURCES)}); XLSX files and files named "
        "after no entity are detected from their header. See docs/sources.md.",
    ),
    shop_id: str | None = typer.Option(None, "--shop-id", help="Shop of the exports."),
    currency: str | None = typer.Option(None, "--currency", help="Currency of all-orders exports."),
    creator: str | None = typer.Option(None, "--creator", help="Owner of creator earnings."),
    tz: str = typer.Option("UTC", "--tz", help="Time zone of the exports' local times."),
    fmt: Format | None = FormatOption,
) -> None:
    """Ingest shop exports into the lake: exact, idempotent and atomic.

    Prints one row per entity (read, accepted, duplicate, superseded, rejected). Exit code 0
    when the input was readable (even with rejected rows), 1 with --strict and any rejected
    row, 2 when an input could not be read at all.
    """
    lake = Lake(get_settings().lake_dir)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    size = sum(p.stat().st_size for p in _files(paths))
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=size < SHOW_PROGRESS_BYTES or not err.is_terminal,
    ) as bar:
        task: TaskID = bar.add_task("ingest", total=1)

        def progress(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total)

        if wants_sources(paths, source, entity):
            options = ExportOptions(shop_id=shop_id, creator=creator, currency=currency, tz=tz)
            report = ingest_exports(lake, paths, source=source, options=options, progress=progress)
        else:
            report = ingest_paths(lake, paths, entity=entity, progress=progress)
    render(report.rows(), COUNT_COLUMNS, fmt, title=_title(report))
    _notes(err, report)
    if report.unreadable:
        raise typer.Exit(2)
    if strict and report.rejected:
        raise typer.Exit(1)


def _files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += [p for p in path.iterdir() if p.is_file()]
        elif path.is_file():
            found.append(path)
    return found


def _title(report: IngestReport) -> str:
    return f"batch {report.batch_id}" if report.batch_id else "nothing ingested"


def _notes(err: Console, report: IngestReport) -> None:
    for warning in report.warnings:
        err.print(f"warning: {warning}", markup=False)
    if report.skipped and report.batch_id is None:
        for path in report.skipped:
            err.print(f"warning: skipped {path}: its name matches no entity", markup=False)
    if report.quarantine:
        err.print(
            f"{report.rejected} rejected row(s) with reasons in {report.quarantine}", markup=False
        )
    for source, reason in report.unreadable:
        err.print(f"error: {source}: {reason}", markup=False)
