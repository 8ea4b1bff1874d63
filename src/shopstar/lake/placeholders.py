"""Placeholder ids, and how rows with the real ids supersede them.

An export adapter that must name a creator or product whose id the export does not give
mints a placeholder: ``tt:<username>`` for a creator, ``tt-sku:<SKU ID>`` for a product
(docs/sources.md). Once the lake knows the real id, the placeholder goes, in the same batch
that taught it:

* a creator ``tt:<h>`` is superseded by the creator with its own id whose handle folds to
  ``<h>`` (``@`` and blanks dropped, lower case); if several do, the greatest id;
* a product ``tt-sku:<s>`` is superseded by the product of the order lines
  ``<order_id>-<s>`` that carry a real product id (the largest, should they disagree).

Order lines crediting a placeholder are moved to the real id; the placeholder's dimension row
is removed, or, for a product the lake has no row for yet, renamed to the real id (so the
product keeps its shop and title until the catalogue arrives). The outcome depends only on
the rows stored, never on the order in which the batches came.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from shopstar.contract import ENTITIES
from shopstar.contract.validation import quote_ident
from shopstar.lake.parts import PartWriter, sql_list

CREATOR_ID_PREFIX = "tt:"
SKU_PRODUCT_PREFIX = "tt-sku:"


@dataclass(frozen=True)
class Superseded:
    """A placeholder id replaced by the real one, and how many order lines moved to it."""

    entity: str
    placeholder: str
    real: str
    order_lines: int

    def note(self) -> str:
        """One line for the report."""
        lines = f"{self.order_lines} order line{'s' if self.order_lines != 1 else ''}"
        return f"{self.entity}: placeholder {self.placeholder} superseded by {self.real} ({lines})"


def fold_handle(handle: str) -> str:
    """A username folded for matching: blanks and leading ``@`` dropped, case folded (usernames
    ignore case; ``casefold`` also matches ``ß`` with ``ss``)."""
    return handle.strip().lstrip("@").casefold()


def handle_keys(handles: pa.Array | pa.ChunkedArray) -> pa.Array:
    """:func:`fold_handle` of every handle (null stays null), each distinct handle folded once."""
    encoded = pc.dictionary_encode(pa.chunked_array([handles]) if isinstance(handles, pa.Array)
                                   else handles).combine_chunks()  # fmt: skip
    folded = pa.array([fold_handle(h) for h in encoded.dictionary.to_pylist()], pa.string())
    return pc.take(folded, encoded.indices)


def supersede_placeholders(
    con: duckdb.DuckDBPyConnection, root: Path, parts: dict[str, list[str]], batch_id: str
) -> list[Superseded]:
    """Replace placeholders the live ``parts`` know the real ids of; update ``parts`` with
    the rewritten part files (written with ``batch_id``) and say what was replaced."""
    files = {name: [str(root / p) for p in parts.get(name, [])] for name in ENTITIES}
    creators = _creator_ids(con, files)
    products = _product_ids(con, files)
    if not creators and not products:
        return []
    con.register("creator_map", _mapping(creators))
    con.register("product_map", _mapping(products))
    rewrite = _Rewrite(con, root, parts, f"{batch_id}-placeholders")
    moved = rewrite.orders()
    rewrite.dimension("creators")
    rewrite.dimension("products")
    con.unregister("creator_map")
    con.unregister("product_map")
    return [
        Superseded(entity, placeholder, real, moved.get(placeholder, 0))
        for entity, mapping in (("creators", creators), ("products", products))
        for placeholder, real in sorted(mapping.items())
    ]


def _mapping(ids: dict[str, str]) -> pa.Table:
    return pa.table(
        {
            "placeholder": pa.array(list(ids), pa.string()),
            "real": pa.array(ids.values(), pa.string()),
        }
    )


def _creator_ids(con: duckdb.DuckDBPyConnection, files: dict[str, list[str]]) -> dict[str, str]:
    """``{placeholder creator id: real creator id}`` for placeholders the lake can resolve."""
    prefix = f"starts_with(creator_id, '{CREATOR_ID_PREFIX}')"
    queries = [f"SELECT creator_id FROM read_parquet({sql_list(f)}) WHERE {prefix}"
               for f in (files["creators"], files["orders"]) if f]  # fmt: skip
    if not queries or not files["creators"]:
        return {}
    used = {row[0] for row in con.execute(" UNION ".join(queries)).fetchall()}
    if not used:
        return {}
    real = con.sql(
        f"SELECT creator_id, handle FROM read_parquet({sql_list(files['creators'])}) "
        f"WHERE NOT {prefix}"
    ).to_arrow_table()
    keys = pc.binary_join_element_wise(CREATOR_ID_PREFIX, handle_keys(real["handle"]), "")
    real = real.append_column("key", keys).filter(pc.is_in(keys, pa.array(sorted(used))))
    grouped = real.group_by("key").aggregate([("creator_id", "max")])
    return dict(zip(grouped["key"].to_pylist(), grouped["creator_id_max"].to_pylist(), strict=True))


def _product_ids(con: duckdb.DuckDBPyConnection, files: dict[str, list[str]]) -> dict[str, str]:
    """``{placeholder product id: real product id}`` learnt from order lines of the same SKU."""
    if not files["orders"]:
        return {}
    prefix = f"starts_with(product_id, '{SKU_PRODUCT_PREFIX}')"
    queries = [f"SELECT product_id FROM read_parquet({sql_list(f)}) WHERE {prefix}"
               for f in (files["products"], files["orders"]) if f]  # fmt: skip
    used = [row[0] for row in con.execute(" UNION ".join(queries)).fetchall()]
    return real_product_ids(con, files["orders"], used)


def real_product_ids(
    con: duckdb.DuckDBPyConnection, order_files: list[str], placeholders: Collection[str]
) -> dict[str, str]:
    """``{tt-sku:<SKU>: real product id}`` for the ``placeholders`` whose SKU has an order
    line ``<order_id>-<SKU>`` with a real product id in ``order_files``."""
    if not order_files or not placeholders:
        return {}
    wanted = pa.table({"placeholder": pa.array(sorted(placeholders), pa.string())})
    con.register("wanted_placeholders", wanted)
    rows = con.execute(
        f"""SELECT placeholder, max(product_id) FROM (
                SELECT '{SKU_PRODUCT_PREFIX}' || substr(order_line_id, length(order_id) + 2)
                           AS placeholder, product_id
                FROM read_parquet({sql_list(order_files)})
                WHERE NOT starts_with(product_id, '{SKU_PRODUCT_PREFIX}')
                  AND starts_with(order_line_id, order_id || '-'))
            SEMI JOIN wanted_placeholders USING (placeholder) GROUP BY placeholder"""
    ).fetchall()
    con.unregister("wanted_placeholders")
    return {placeholder: real for placeholder, real in rows}


class _Rewrite:
    """Rewrites the live parts holding superseded placeholders (``creator_map`` and
    ``product_map`` registered on ``con``), updating ``parts``."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, root: Path, parts: dict[str, list[str]], name: str
    ) -> None:
        self.con, self.root, self.parts, self.name = con, root, parts, name

    def _files(self, entity: str) -> list[str]:
        return [str(self.root / p) for p in self.parts.get(entity, [])]

    def _affected(self, entity: str, condition: str) -> list[str]:
        source = f"read_parquet({sql_list(self._files(entity))}, filename = true)"
        query = f"SELECT DISTINCT filename FROM {source} WHERE {condition}"
        return sorted(r[0] for r in self.con.execute(query).fetchall())

    def _replace(self, entity: str, affected: list[str], query: str) -> None:
        written = PartWriter(self.con, self.root, entity, self.name).write(query)
        gone = {str(Path(a).relative_to(self.root)) for a in affected}
        self.parts[entity] = [p for p in self.parts[entity] if p not in gone]
        self.parts[entity] += [written] if written else []

    def orders(self) -> dict[str, int]:
        """Move the order lines crediting a placeholder; ``{placeholder: lines moved}``."""
        if not self._files("orders"):
            return {}
        hit = (
            "creator_id IN (SELECT placeholder FROM creator_map) "
            "OR product_id IN (SELECT placeholder FROM product_map)"
        )
        affected = self._affected("orders", hit)
        if not affected:
            return {}
        source = f"read_parquet({sql_list(affected)})"
        moved: dict[str, int] = {}
        for column, table in (("creator_id", "creator_map"), ("product_id", "product_map")):
            query = (
                f"SELECT {column}, count(*) FROM {source} JOIN {table} ON {column} = placeholder"
            )
            moved.update(
                (k, int(n)) for k, n in self.con.execute(query + " GROUP BY ALL").fetchall()
            )
        self._replace(
            "orders",
            affected,
            f"""SELECT o.* REPLACE (coalesce(c.real, o.creator_id) AS creator_id,
                                    coalesce(p.real, o.product_id) AS product_id)
                FROM {source} o
                LEFT JOIN creator_map c ON o.creator_id = c.placeholder
                LEFT JOIN product_map p ON o.product_id = p.placeholder""",
        )
        return moved

    def dimension(self, entity: str) -> None:
        """Drop the placeholder rows of ``creators`` or ``products``; a placeholder product
        whose real product has no row yet is renamed (the smallest, when several are)."""
        files = self._files(entity)
        if not files:
            return
        key = ENTITIES[entity].key[0]
        mapping = "creator_map" if entity == "creators" else "product_map"
        affected = self._affected(entity, f"{key} IN (SELECT placeholder FROM {mapping})")
        if not affected:
            return
        source = f"read_parquet({sql_list(affected)})"
        kept = f"SELECT * FROM {source} WHERE {key} NOT IN (SELECT placeholder FROM {mapping})"
        if entity == "products":
            renamed = ", ".join(
                "m.real AS product_id" if c == key else f"d.{quote_ident(c)}"
                for c in ENTITIES[entity].column_names
            )
            kept += f"""
                UNION ALL
                SELECT {renamed} FROM {source} d JOIN product_map m ON d.product_id = m.placeholder
                WHERE m.real NOT IN (SELECT product_id FROM read_parquet({sql_list(files)}))
                QUALIFY row_number() OVER (PARTITION BY m.real ORDER BY d.product_id) = 1"""
        self._replace(entity, affected, kept)
