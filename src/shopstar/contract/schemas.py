"""One canonical Arrow schema per marketplace entity of CONTRACT.md §1.

Money is ``decimal128(18, 2)``, rates ``decimal128(9, 6)``, timestamps microseconds in UTC,
dates ``date32``, counts ``int64``. ``ENTITIES`` is ordered dimensions first, facts last:
the order a directory is ingested in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyarrow as pa

MONEY = pa.decimal128(18, 2)
RATE = pa.decimal128(9, 6)
TIMESTAMP = pa.timestamp("us", tz="UTC")


class Kind(StrEnum):
    """Column types of the contract."""

    ID = "id"
    STR = "str"
    TS = "ts"
    DATE = "date"
    MONEY = "money"
    RATE = "rate"
    INT = "int"
    CURRENCY = "currency"
    ENUM = "enum"


ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.ID: pa.string(),
    Kind.STR: pa.string(),
    Kind.TS: TIMESTAMP,
    Kind.DATE: pa.date32(),
    Kind.MONEY: MONEY,
    Kind.RATE: RATE,
    Kind.INT: pa.int64(),
    Kind.CURRENCY: pa.string(),
    Kind.ENUM: pa.string(),
}


@dataclass(frozen=True)
class Column:
    """A contract column. ``choices`` for enums; ``positive`` for ints that must be > 0."""

    name: str
    kind: Kind
    nullable: bool = False
    choices: tuple[str, ...] = ()
    positive: bool = False

    @property
    def arrow_type(self) -> pa.DataType:
        """The canonical Arrow type of this column."""
        return ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class Entity:
    """A contract entity: its name, key columns and columns, and whether it is a fact table."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    fact: bool = False

    @property
    def schema(self) -> pa.Schema:
        """The canonical Arrow schema (column order as in the contract)."""
        return pa.schema(
            [pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns]
        )

    @property
    def column_names(self) -> tuple[str, ...]:
        """Names of the columns, in contract order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def _c(name: str, kind: Kind, **kw: object) -> Column:
    return Column(name, kind, **kw)  # type: ignore[arg-type]


_ENTITY_LIST = [
    Entity("agencies", ("agency_id",), (_c("agency_id", Kind.ID), _c("name", Kind.STR))),
    Entity(
        "shops",
        ("shop_id",),
        (
            _c("shop_id", Kind.ID),
            _c("name", Kind.STR),
            _c("region", Kind.STR),
            _c("size", Kind.ENUM, choices=("smb", "brand")),
            _c("joined_at", Kind.TS),
        ),
    ),
    Entity(
        "products",
        ("product_id",),
        (
            _c("product_id", Kind.ID),
            _c("shop_id", Kind.ID),
            _c("title", Kind.STR),
            _c("category", Kind.STR),
            _c("subcategory", Kind.STR, nullable=True),
            _c("price", Kind.MONEY),
            _c("currency", Kind.CURRENCY),
            _c("commission_rate", Kind.RATE),
            _c("listed_at", Kind.TS),
        ),
    ),
    Entity(
        "creators",
        ("creator_id",),
        (
            _c("creator_id", Kind.ID),
            _c("handle", Kind.STR),
            _c("region", Kind.STR),
            _c("followers", Kind.INT),
            _c("joined_at", Kind.TS),
            _c("agency_id", Kind.ID, nullable=True),
        ),
    ),
    Entity(
        "creator_daily",
        ("creator_id", "date"),
        (_c("creator_id", Kind.ID), _c("date", Kind.DATE), _c("followers", Kind.INT)),
        fact=True,
    ),
    Entity(
        "content",
        ("content_id",),
        (
            _c("content_id", Kind.ID),
            _c("creator_id", Kind.ID),
            _c("kind", Kind.ENUM, choices=("video", "live")),
            _c("published_at", Kind.TS),
            _c("duration_s", Kind.INT),
        ),
        fact=True,
    ),
    Entity(
        "content_products",
        ("content_id", "product_id"),
        (_c("content_id", Kind.ID), _c("product_id", Kind.ID)),
        fact=True,
    ),
    Entity(
        "content_daily",
        ("content_id", "date"),
        (
            _c("content_id", Kind.ID),
            _c("date", Kind.DATE),
            _c("views", Kind.INT),
            _c("product_clicks", Kind.INT),
        ),
        fact=True,
    ),
    Entity(
        "orders",
        ("order_line_id",),
        (
            _c("order_line_id", Kind.ID),
            _c("order_id", Kind.ID),
            _c("ordered_at", Kind.TS),
            _c("updated_at", Kind.TS),
            _c("product_id", Kind.ID),
            _c("creator_id", Kind.ID, nullable=True),
            _c("content_id", Kind.ID, nullable=True),
            _c("quantity", Kind.INT, positive=True),
            _c("unit_price", Kind.MONEY),
            _c("currency", Kind.CURRENCY),
            _c("status", Kind.ENUM, choices=("placed", "cancelled")),
            _c("commission_rate", Kind.RATE, nullable=True),
            _c("content_type", Kind.STR, nullable=True),
        ),
        fact=True,
    ),
    Entity(
        "refunds",
        ("refund_id",),
        (
            _c("refund_id", Kind.ID),
            _c("order_line_id", Kind.ID),
            _c("refunded_at", Kind.TS),
            _c("amount", Kind.MONEY),
            _c("currency", Kind.CURRENCY),
        ),
        fact=True,
    ),
]

ENTITIES: dict[str, Entity] = {e.name: e for e in _ENTITY_LIST}


def entity_for_filename(filename: str) -> Entity | None:
    """The entity whose name is the longest prefix of ``filename`` (``content_daily_w3.jsonl``
    is ``content_daily``, not ``content``), or None when no entity name prefixes it."""
    base = filename.rsplit("/", 1)[-1].lower()
    matches = [name for name in ENTITIES if base.startswith(name)]
    return ENTITIES[max(matches, key=len)] if matches else None
