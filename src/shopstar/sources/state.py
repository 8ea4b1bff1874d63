"""What the lake already holds, as far as an export adapter needs to know it.

Exports know less than the lake may (an all-orders export has no creator), so the adapter
merges each line with the stored row before handing it to ingest, and only fills gaps in
dimension tables (a placeholder product never overwrites the shop's own catalogue row).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from shopstar.lake.placeholders import CREATOR_ID_PREFIX, handle_keys, real_product_ids
from shopstar.lake.store import Lake

StoredRow = dict[str, Any]


class StoredState(Protocol):
    """Read access to the committed, de-duplicated rows of the lake."""

    def rows(self, entity: str, key: str, values: Collection[str]) -> dict[str, StoredRow]:
        """The stored rows of ``entity`` whose single-column ``key`` is in ``values``."""

    def creator_ids_by_handle(self, handles: Collection[str]) -> dict[str, str]:
        """``{handle (case-folded): creator_id}`` for stored creators with those handles."""

    def real_product_ids(self, placeholders: Collection[str]) -> dict[str, str]:
        """``{tt-sku:<SKU>: product_id}`` for SKUs whose real product the lake knows."""


class NothingStored:
    """The state of an empty lake."""

    def rows(self, entity: str, key: str, values: Collection[str]) -> dict[str, StoredRow]:
        """Nothing is stored."""
        return {}

    def creator_ids_by_handle(self, handles: Collection[str]) -> dict[str, str]:
        """No creator is stored."""
        return {}

    def real_product_ids(self, placeholders: Collection[str]) -> dict[str, str]:
        """No product is known."""
        return {}


class LakeState:
    """The committed state of a lake, read from its live Parquet files."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake

    def rows(self, entity: str, key: str, values: Collection[str]) -> dict[str, StoredRow]:
        """The stored rows of ``entity`` whose ``key`` is in ``values``."""
        files = self.lake.files(entity)
        if not files or not values:
            return {}
        table = pq.read_table(files, filters=[(key, "in", sorted(values))])
        return {row[key]: row for row in table.to_pylist()}

    def creator_ids_by_handle(self, handles: Collection[str]) -> dict[str, str]:
        """Stored creators whose handle equals one of ``handles``, ignoring case; a creator with
        its own id is preferred to a ``tt:<username>`` placeholder of the same handle."""
        files = self.lake.files("creators")
        if not files or not handles:
            return {}
        table = pq.read_table(files, columns=["creator_id", "handle"])
        folded = handle_keys(table["handle"])
        wanted = pa.array(sorted(handles), pa.string())
        table = table.append_column("folded", folded).filter(pc.is_in(folded, value_set=wanted))
        found: dict[str, str] = {}
        for row in sorted(table.to_pylist(), key=lambda r: _preference(r["creator_id"])):
            found[row["folded"]] = row["creator_id"]
        return found

    def real_product_ids(self, placeholders: Collection[str]) -> dict[str, str]:
        """The real product of each ``tt-sku:`` placeholder the stored order lines know."""
        files = [str(f) for f in self.lake.files("orders")]
        with duckdb.connect() as con:
            return real_product_ids(con, files, placeholders)


def _preference(creator_id: str) -> tuple[bool, str]:
    """Sort key putting placeholders first, so a creator's own id is the one kept."""
    return (not creator_id.startswith(CREATOR_ID_PREFIX), creator_id)
