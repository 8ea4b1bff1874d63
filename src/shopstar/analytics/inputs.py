"""Read a directory of contract-format Parquet files (``<entity>*.parquet``) as Ibis tables.

Used for simulator output and benchmarks; ``shopstar score`` reads the lake through
:func:`shopstar.analytics.source.lake_tables`.
"""

from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from shopstar.contract import ENTITIES, entity_for_filename
from shopstar.errors import UnreadableInput

SCORED_ENTITIES = (
    "products",
    "creators",
    "creator_daily",
    "content",
    "content_products",
    "content_daily",
    "orders",
    "refunds",
)


def parquet_tables(con: BaseBackend, directory: Path) -> dict[str, ir.Table]:
    """Every entity the scoring needs, read from the Parquet files in ``directory``."""
    found: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.parquet")):
        entity = entity_for_filename(path.name)
        if entity is not None:
            found.setdefault(entity.name, []).append(str(path))
    missing = [name for name in SCORED_ENTITIES if name not in found]
    if missing:
        raise UnreadableInput(f"{directory}: no Parquet file for {', '.join(missing)}")
    tables = {}
    for name in SCORED_ENTITIES:
        columns = ENTITIES[name].column_names
        parts = [con.read_parquet(path).select(*columns) for path in found[name]]
        tables[name] = parts[0] if len(parts) == 1 else ibis.union(*parts)
    return tables
