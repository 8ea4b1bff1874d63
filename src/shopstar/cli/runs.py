"""``shopstar runs [prune|delete]``: list published score runs, and delete the unwanted ones."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy import Engine

from shopstar.analytics import runs as retention
from shopstar.analytics.scratch import remove_stale
from shopstar.analytics.scratch import stale as stale_scratch
from shopstar.cli._app import app
from shopstar.cli._output import Format, FormatOption, render
from shopstar.cli.stars import _no_database
from shopstar.config import get_settings
from shopstar.db import make_engine, make_sessionmaker
from shopstar.db.types import utcnow

runs_app = typer.Typer(
    help="List published score runs; prune or delete old ones.", invoke_without_command=True
)
app.add_typer(runs_app, name="runs")

RUN_COLUMNS = [
    "id",
    "as_of",
    "engine",
    "currency",
    "status",
    "served",
    "started_at",
    "completed_at",
    *retention.RESULT_MODELS,
    "total_rows",
    "publisher",
    "publisher_state",
]
DryRunOption = typer.Option(False, "--dry-run", help="Show what would be deleted; delete nothing.")
VacuumOption = typer.Option(
    False, "--vacuum", help="SQLite: then give the freed space back to the OS (VACUUM)."
)


def _note(message: str) -> None:
    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


@contextmanager
def _engine() -> Iterator[Engine]:
    engine = make_engine(get_settings().db_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _listed() -> list[retention.RunInfo]:
    if _no_database(get_settings().db_url):
        return []
    with _engine() as engine, make_sessionmaker(engine)() as session:
        return retention.list_runs(session)


@runs_app.callback()
def runs(ctx: typer.Context, fmt: Format | None = FormatOption) -> None:
    """List score runs, newest first: rows per result table, which one is served, and who
    publishes each run still running (publisher_state: alive, dead, or unknown on another
    host)."""
    if ctx.invoked_subcommand is None:
        render([r.as_row() for r in _listed()], RUN_COLUMNS, fmt, title="score runs")


def clean_scratch(*, dry_run: bool = False) -> None:
    """Remove (or with ``dry_run`` show) the temporary directories of dead scoring processes."""
    for leftover in stale_scratch() if dry_run else remove_stale():
        _note(leftover.describe("would remove" if dry_run else "removed"))


def _remove(
    plan: Sequence[retention.RunInfo],
    notes: list[str],
    dry_run: bool,
    vacuum: bool,
    fmt: Format | None,
) -> None:
    """Delete the planned runs (unless ``dry_run``), print them with what happened, and say
    what else was done or left."""
    for note in notes:
        _note(f"note: {note}")
    for run in plan:
        if run.abandoned:
            _note(
                f"note: run {run.id} was abandoned: its publisher, process {run.publisher_pid} "
                f"on {run.publisher_host}, is dead"
            )
    columns = ["action", *RUN_COLUMNS]
    if dry_run or not (plan or vacuum) or _no_database(get_settings().db_url):
        # nothing to do in the database: a dry run, nothing to delete, or no database at all
        render([{"action": "would delete", **r.as_row()} for r in plan], columns, fmt)
        return
    with _engine() as engine:
        started = time.perf_counter()
        deleted = retention.remove_runs(make_sessionmaker(engine), plan, utcnow())
        seconds = time.perf_counter() - started
        gone = {r.id for r in deleted}
        rows = [
            {"action": "deleted" if r.id in gone else "skipped (changed meanwhile)", **r.as_row()}
            for r in plan
        ]
        render(rows, columns, fmt)
        total = sum(sum(r.rows.values()) for r in deleted)
        _note(f"deleted {len(deleted)} run(s), {total:,} rows, in {seconds:.2f} s")
        if vacuum:
            started = time.perf_counter()
            if retention.vacuum(engine):
                _note(f"vacuumed the SQLite file in {time.perf_counter() - started:.2f} s")
            else:
                _note("nothing to vacuum: PostgreSQL gave the dropped partitions' space back")
        elif deleted and engine.dialect.name == "sqlite":
            _note(
                "the SQLite file keeps its size: the next runs reuse the freed pages; "
                "`--vacuum` gives them back to the OS (rewrites the file, needs as much free disk)"
            )


@runs_app.command("prune")
def prune(
    keep: int = typer.Option(..., "--keep", min=1, help="How many complete runs to keep."),
    dry_run: bool = DryRunOption,
    vacuum: bool = VacuumOption,
    fmt: Format | None = FormatOption,
) -> None:
    """Delete all but the KEEP newest complete runs, failed runs older than the served one,
    and abandoned runs (still running, their publisher on this host dead). The served run and
    runs still being published are never touched."""
    plan, notes = retention.plan_prune(_listed(), keep, utcnow())
    clean_scratch(dry_run=dry_run)
    _remove(plan, notes, dry_run, vacuum, fmt)


@runs_app.command("delete")
def delete(
    ids: list[int] = typer.Argument(..., min=1, help="Ids of the runs to delete."),
    dry_run: bool = DryRunOption,
    vacuum: bool = VacuumOption,
    fmt: Format | None = FormatOption,
) -> None:
    """Delete the runs with these ids; refuses (deleting none) if one is served or still being
    published (an abandoned run, its publisher dead, is not). Ids that no longer exist are
    noted, not an error."""
    plan, notes = retention.plan_delete(_listed(), ids, utcnow())
    _remove(plan, notes, dry_run, vacuum, fmt)
