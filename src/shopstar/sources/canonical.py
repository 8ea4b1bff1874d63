"""Turn export lines into canonical contract rows, merged with what the lake already holds.

Rules (docs/sources.md explains them for users):

- orders: one row per ``<Order ID>-<SKU ID>``. When the line is already stored (or came
  earlier in the same call), the row with the later ``updated_at`` gives status, quantity,
  price and times, and attribution the newer row lacks (creator, content, commission rate,
  content type, a real product id instead of a ``tt-sku:`` placeholder) is kept from the
  older one. The merged row carries the later ``updated_at``; ingest lets a row whose
  ``updated_at`` equals the stored one replace it, so an older export that brings the
  creator still lands, and re-sending anything already merged is a duplicate.
- refunds: ``<order_line_id>-refund``, refunded quantity x unit price; a stored refund of the
  same amount is re-sent unchanged (a duplicate), so switching exports does not churn it.
- products and creators: placeholders only for ids the lake does not have yet, so an
  export never overwrites the shop's catalogue or a creators file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from shopstar.contract import ENTITIES
from shopstar.lake.placeholders import SKU_PRODUCT_PREFIX, fold_handle
from shopstar.lake.raw import RawInput, Reject, Skipped
from shopstar.sources.model import Line, creator_id_for
from shopstar.sources.reader import ExportLines
from shopstar.sources.state import StoredRow, StoredState

ATTRIBUTION = ("creator_id", "content_id", "commission_rate", "content_type")
UNKNOWN_CATEGORY = "unknown"
UNKNOWN_REGION = "ZZ"
ENTITY_ORDER = ("products", "creators", "orders", "refunds")


def refund_id(order_line_id: str) -> str:
    """The one refund id of an order line, the same from every export."""
    return f"{order_line_id}-refund"


def merge_order(stored: StoredRow | None, incoming: StoredRow) -> StoredRow:
    """The row to store for a line given the stored row (see the module docstring)."""
    if stored is None:
        return incoming
    incoming_newer = incoming["updated_at"] >= stored["updated_at"]
    newer, older = (incoming, stored) if incoming_newer else (stored, incoming)
    merged = dict(newer)
    for column in ATTRIBUTION:
        if merged[column] is None:
            merged[column] = older[column]
    if _placeholder(merged["product_id"]) and not _placeholder(older["product_id"]):
        merged["product_id"] = older["product_id"]
    return merged


def _placeholder(product_id: str) -> bool:
    return product_id.startswith(SKU_PRODUCT_PREFIX)


@dataclass
class _Rows:
    rows: list[StoredRow] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def add(self, line: int, row: StoredRow) -> None:
        self.lines.append(line)
        self.rows.append(row)


@dataclass
class Canonical:
    """The canonical inputs of one call, and notes for the user (skipped rows, gaps)."""

    inputs: list[RawInput]
    notes: list[str]


def build_inputs(exports: Sequence[ExportLines], state: StoredState) -> Canonical:
    """Canonical inputs for ``exports`` (in order), merged with ``state``; dimensions first."""
    builder = _Builder(exports, state)
    per_entity: dict[str, list[RawInput]] = {name: [] for name in ENTITY_ORDER}
    notes: list[str] = []
    for export in exports:
        tables = builder.add(export)
        for entity, rows in tables.items():
            rejects, skipped = (export.rejects, export.skipped) if entity == "orders" else ((), ())
            if rows.rows or rejects or skipped:
                per_entity[entity].append(_raw(entity, export, rows, rejects, skipped))
        notes += [f"{export.path} line {skip.line}: {skip.reason}" for skip in export.skipped]
        if export.lines and not any(line.shop_id for _, line in export.lines):
            notes.append(f"{export.path}: no shop id (pass --shop-id), so no products were added")
    return Canonical([raw for name in ENTITY_ORDER for raw in per_entity[name]], notes)


def _raw(
    entity: str,
    export: ExportLines,
    rows: _Rows,
    rejects: Iterable[Reject],
    skipped: Iterable[Skipped],
) -> RawInput:
    schema = ENTITIES[entity].schema
    table = pa.Table.from_pylist(rows.rows, schema=schema)
    source = f"{export.path} ({export.source.name})"
    return RawInput(
        entity, source, table, lines=rows.lines, rejects=tuple(rejects), skipped=tuple(skipped)
    )


class _Builder:
    def __init__(self, exports: Sequence[ExportLines], state: StoredState) -> None:
        lines = [line for export in exports for _, line in export.lines]
        line_ids = {line.order_line_id for line in lines}
        handles = {fold_handle(line.creator_handle) for line in lines if line.creator_handle}
        self.orders = state.rows("orders", "order_line_id", line_ids)
        self.refunds = state.rows("refunds", "refund_id", {refund_id(i) for i in line_ids})
        self.creator_ids = state.creator_ids_by_handle(handles)
        self.product_ids = state.real_product_ids(
            {p for line in lines if (p := line.product_id) and _placeholder(p)}
        )
        self.state = state
        self.known: dict[str, set[str]] = {"products": set(), "creators": set()}

    def add(self, export: ExportLines) -> dict[str, _Rows]:
        tables = {name: _Rows() for name in ENTITY_ORDER}
        merged: list[tuple[int, Line, StoredRow]] = []
        for number, line in export.lines:
            row = merge_order(self.orders.get(line.order_line_id), self._order(line))
            self.orders[line.order_line_id] = row
            tables["orders"].add(number, row)
            merged.append((number, line, row))
            refund = self._refund(line)
            if refund is not None:
                self.refunds[refund["refund_id"]] = refund
                tables["refunds"].add(number, refund)
        self._dimensions(merged, tables)
        return tables

    def _creator_id(self, handle: str | None) -> str | None:
        if handle is None:
            return None
        return self.creator_ids.get(fold_handle(handle)) or creator_id_for(handle)

    def _product_id(self, product_id: str | None) -> str | None:
        """The real product id of a ``tt-sku:`` placeholder when the lake knows it."""
        return self.product_ids.get(product_id, product_id) if product_id else product_id

    def _order(self, line: Line) -> StoredRow:
        return {
            "order_line_id": line.order_line_id,
            "order_id": line.order_id,
            "ordered_at": line.ordered_at,
            "updated_at": line.updated_at,
            "product_id": self._product_id(line.product_id),
            "creator_id": self._creator_id(line.creator_handle),
            "content_id": line.content_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "currency": line.currency,
            "status": line.status,
            "commission_rate": line.commission_rate,
            "content_type": line.content_type,
        }

    def _refund(self, line: Line) -> StoredRow | None:
        if not line.refunded_quantity or line.refunded_at is None:
            return None
        key = refund_id(line.order_line_id)
        amount = line.unit_price * line.refunded_quantity
        stored = self.refunds.get(key)
        if stored and (stored["amount"], stored["currency"]) == (amount, line.currency):
            return stored
        return {
            "refund_id": key,
            "order_line_id": line.order_line_id,
            "refunded_at": line.refunded_at,
            "amount": amount,
            "currency": line.currency,
        }

    def _dimensions(
        self, merged: list[tuple[int, Line, StoredRow]], tables: dict[str, _Rows]
    ) -> None:
        products: dict[str, tuple[int, StoredRow]] = {}
        creators: dict[str, tuple[int, StoredRow]] = {}
        for number, line, row in merged:
            product_id, creator_id = row["product_id"], row["creator_id"]
            if line.shop_id is not None:
                _first_seen(products, product_id, number, _product(line, row), "listed_at")
            if creator_id is not None and creator_id == self._creator_id(line.creator_handle):
                _first_seen(creators, creator_id, number, _creator(line, row), "joined_at")
        for entity, found in (("products", products), ("creators", creators)):
            key = f"{entity[:-1]}_id"
            new = set(found) - self.known[entity]
            stored = self.state.rows(entity, key, new)
            for identifier in sorted(new - set(stored), key=lambda i: found[i][0]):
                tables[entity].add(*found[identifier])
            self.known[entity] |= set(found)


def _first_seen(
    found: dict[str, tuple[int, StoredRow]], key: str, line: int, row: StoredRow, since: str
) -> None:
    """Keep the first row seen for ``key``, with the earliest ``since`` time of them all."""
    if key not in found:
        found[key] = (line, row)
        return
    first = found[key][1]
    first[since] = min(first[since], row[since])
    if first.get("commission_rate") == Decimal(0) and row.get("commission_rate"):
        first["commission_rate"] = row["commission_rate"]


def _product(line: Line, order: StoredRow) -> dict[str, Any]:
    return {
        "product_id": order["product_id"],
        "shop_id": line.shop_id,
        "title": line.product_title or order["product_id"],
        "category": UNKNOWN_CATEGORY,
        "subcategory": None,
        "price": line.unit_price,
        "currency": line.currency,
        "commission_rate": line.commission_rate or Decimal(0),
        "listed_at": line.ordered_at,
    }


def _creator(line: Line, order: StoredRow) -> dict[str, Any]:
    return {
        "creator_id": order["creator_id"],
        "handle": fold_handle(line.creator_handle or ""),
        "region": (line.creator_region or UNKNOWN_REGION).upper(),
        "followers": 0,
        "joined_at": line.ordered_at,
        "agency_id": None,
    }
