"""Source adapters: TikTok Shop export files (CSV, XLSX) read into canonical contract rows.

``read_exports`` reads files (detecting each one's source from its header unless told),
and returns :class:`shopstar.lake.raw.RawInput` tables that :func:`shopstar.lake.ingest_raw`
commits as one batch, with the same rules as any other ingest. See docs/sources.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shopstar.lake.raw import RawInput
from shopstar.lake.store import Lake
from shopstar.sources.canonical import Canonical, build_inputs, merge_order, refund_id
from shopstar.sources.detect import SOURCES, detect
from shopstar.sources.ingest import ingest_exports, is_export, wants_sources
from shopstar.sources.model import ExportOptions, creator_id_for, order_line_id
from shopstar.sources.reader import ExportLines, read_lines
from shopstar.sources.state import LakeState, NothingStored, StoredState


def read_exports(
    paths: Sequence[Path],
    source: str | None = None,
    options: ExportOptions | None = None,
    lake: Lake | None = None,
) -> Canonical:
    """Read export files into canonical inputs, merged with what ``lake`` already holds."""
    options = options or ExportOptions()
    exports = [read_lines(Path(path), source, options) for path in paths]
    state: StoredState = LakeState(lake) if lake is not None else NothingStored()
    return build_inputs(exports, state)


def read_export(
    path: Path, source: str | None = None, shop_id: str | None = None
) -> list[RawInput]:
    """The canonical inputs of one export file read on its own (nothing stored)."""
    return read_exports([path], source, ExportOptions(shop_id=shop_id)).inputs


__all__ = [
    "SOURCES",
    "Canonical",
    "ExportLines",
    "ExportOptions",
    "creator_id_for",
    "detect",
    "ingest_exports",
    "is_export",
    "merge_order",
    "order_line_id",
    "read_export",
    "read_exports",
    "refund_id",
    "wants_sources",
]
