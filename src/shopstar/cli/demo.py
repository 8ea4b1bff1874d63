"""``shopstar demo``: build a demo marketplace and load it, step by step.

Each step is a function taking the :class:`DemoContext`; :data:`DEMO_STEPS` lists them in
order, so adding one (score, serve...) is one function and one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console

from shopstar.cli._app import app
from shopstar.cli._output import render
from shopstar.cli.sim import run_with_progress
from shopstar.config import Settings, get_settings
from shopstar.errors import ShopstarError
from shopstar.sim import SimConfig, SimResult


@dataclass
class DemoContext:
    """What the demo steps share."""

    settings: Settings
    config: SimConfig
    console: Console
    data_dir: Path
    sim: SimResult | None = None
    serve: bool = True
    host: str = "127.0.0.1"
    port: int = 8000


def simulate(ctx: DemoContext) -> None:
    """Generate the demo marketplace into ``$SHOPSTAR_HOME/demo``."""
    ctx.sim = run_with_progress(ctx.data_dir, ctx.config, ctx.console)
    ctx.console.print(
        f"[green]✓[/] simulated {ctx.config.creators} creators over {ctx.config.weeks} weeks: "
        f"{ctx.sim.order_lines:,} order lines in {ctx.sim.seconds:.1f}s ({ctx.data_dir})"
    )


def ingest(ctx: DemoContext) -> None:
    """Ingest the marketplace into the lake (idempotent: a re-run adds nothing)."""
    from shopstar.lake import Lake, ingest_paths

    with ctx.console.status("ingesting...") as status:
        report = ingest_paths(
            Lake(ctx.settings.lake_dir),
            [ctx.data_dir],
            progress=lambda what, _done, _total: status.update(f"ingesting: {what}"),
        )
    if report.unreadable or report.rejected:
        raise ShopstarError(f"demo data did not ingest cleanly: {report.to_json()}")
    accepted = sum(c.accepted for c in report.counts.values())
    ctx.console.print(f"[green]✓[/] ingested {accepted:,} new rows into {ctx.settings.lake_dir}")


def summarise(ctx: DemoContext) -> None:
    """Print the marketplace summary by category (a table on a terminal, else CSV)."""
    import ibis

    from shopstar.analytics.source import lake_tables
    from shopstar.analytics.summary import SUMMARY_COLUMNS, summary
    from shopstar.lake import Lake

    rows = summary(lake_tables(ibis.duckdb.connect(), Lake(ctx.settings.lake_dir)), "category")
    render(rows, SUMMARY_COLUMNS, None, title="Demo marketplace by category")


def score(ctx: DemoContext) -> None:
    """Score creators, rising stars and trends, and publish the run into the app DB."""
    from shopstar.analytics.job import score_and_publish

    with ctx.console.status("scoring creators, rising stars and product trends...") as status:
        run = score_and_publish(
            ctx.settings, progress=lambda step: status.update(f"scoring: {step}...")
        )
    ctx.console.print(
        f"[green]✓[/] score run {run.run_id} published (as of {run.as_of.isoformat()}): "
        f"{run.scores:,} creator x category scores, {run.rising} rising stars, "
        f"{run.trends:,} product trends"
    )


def accounts(ctx: DemoContext) -> None:
    """Copy the catalog into the app DB and create one demo login per role."""
    from shopstar.accounts.demo import seed_demo_users
    from shopstar.catalog.sync import sync_from_lake
    from shopstar.db import make_engine, make_sessionmaker, upgrade
    from shopstar.lake import Lake

    upgrade(ctx.settings.db_url)
    engine = make_engine(ctx.settings.db_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            sync_from_lake(session, Lake(ctx.settings.lake_dir))
            logins = seed_demo_users(session)
    finally:
        engine.dispose()
    render(
        [vars(login) for login in logins],
        ("role", "email", "password", "org"),
        None,
        title="Demo logins",
    )


def serve(ctx: DemoContext) -> None:
    """Serve the web app and API until interrupted (skipped with ``--no-serve``)."""
    if not ctx.serve:
        ctx.console.print("[green]✓[/] demo ready; start the web app with `shopstar serve`")
        return
    from shopstar.cli.serve import serve as serve_command

    serve_command(host=ctx.host, port=ctx.port, workers=1)


DEMO_STEPS: tuple[Callable[[DemoContext], None], ...] = (
    simulate,
    ingest,
    summarise,
    score,
    accounts,
    serve,
)


@app.command()
def demo(
    creators: int = typer.Option(SimConfig.creators, "--creators", min=10, help="Creators."),
    weeks: int = typer.Option(SimConfig.weeks, "--weeks", min=1, max=260, help="Weeks."),
    seed: int = typer.Option(SimConfig.seed, "--seed", help="Random seed."),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web app at the end."),
    host: str | None = typer.Option(None, "--host", help="Bind address (default: settings.host)."),
    port: int | None = typer.Option(None, "--port", help="Port (default: settings.port)."),
) -> None:
    """Build a demo marketplace, ingest and score it, create demo logins and serve the app."""
    settings = get_settings()
    ctx = DemoContext(
        settings=settings,
        config=SimConfig(creators=creators, weeks=weeks, seed=seed),
        console=Console(stderr=True, highlight=False),
        data_dir=settings.home / "demo",
        serve=serve,
        host=host or settings.host,
        port=port or settings.port,
    )
    for step in DEMO_STEPS:
        step(ctx)
