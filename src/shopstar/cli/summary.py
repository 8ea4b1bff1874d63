"""``shopstar summary``: exact GMV, net GMV, order lines, affiliate GMV and commission."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import typer
from rich.console import Console

from shopstar.cli._app import app
from shopstar.cli._output import Format, FormatOption, render, resolve_format
from shopstar.config import get_settings
from shopstar.lake import Lake


class Grouping(StrEnum):
    """What ``--by`` groups on."""

    category = "category"
    shop = "shop"
    creator = "creator"


NO_KEY = {  # shown in the table for lines whose product is unknown or that have no creator
    Grouping.category: "(unknown)",
    Grouping.shop: "(unknown)",
    Grouping.creator: "(organic)",
}


@app.command("summary")
def summary_command(
    by: Grouping | None = typer.Option(None, "--by", help="category, shop or creator."),
    fmt: Format | None = FormatOption,
) -> None:
    """Totals over the de-duplicated lake, one row per key and currency (money exact).

    Cancelled lines are excluded, refunds subtracted, commission at the line's own rate or
    the product's open rate, net of refund reversals. Without --by the key is ``all``.
    """
    import ibis  # heavy: imported only when this command runs

    from shopstar.analytics.source import lake_tables
    from shopstar.analytics.summary import SUMMARY_COLUMNS, summary

    lake = Lake(get_settings().lake_dir)
    if lake.is_empty():
        Console(stderr=True).print("the lake is empty: run `shopstar ingest PATH` first")
    rows: list[dict[str, Any]] = summary(
        lake_tables(ibis.duckdb.connect(), lake), None if by is None else by.value
    )
    if by is not None and resolve_format(fmt) is Format.table:
        rows = [{**row, "key": NO_KEY[by] if row["key"] is None else row["key"]} for row in rows]
    title = f"Summary by {by.value}" if by else "Summary"
    render(rows, SUMMARY_COLUMNS, fmt, title=title)
