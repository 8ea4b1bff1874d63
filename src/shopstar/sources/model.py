"""What a source adapter reads out of one export row, and the options an export needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shopstar.errors import ShopstarError
from shopstar.lake.placeholders import CREATOR_ID_PREFIX, fold_handle
from shopstar.sources.rows import Row

ORDER_LINE_SEPARATOR = "-"


@dataclass(frozen=True)
class ExportOptions:
    """What an export does not say itself: its shop, creator, currency and time zone."""

    shop_id: str | None = None
    creator: str | None = None
    currency: str | None = None
    tz: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        """The time zone the export's local times are read in."""
        try:
            return ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ShopstarError(
                f'--tz: "{self.tz}" is not a time zone such as UTC or Asia/Jakarta'
            ) from None


@dataclass(frozen=True)
class Line:
    """One order line as an export describes it (None: the export does not say)."""

    order_id: str
    sku_id: str
    product_id: str | None
    product_title: str | None
    shop_id: str | None
    ordered_at: dt.datetime
    updated_at: dt.datetime
    quantity: int
    unit_price: Decimal
    currency: str
    status: str
    creator_handle: str | None = None
    creator_region: str | None = None
    content_id: str | None = None
    content_type: str | None = None
    commission_rate: Decimal | None = None
    refunded_quantity: int = 0
    refunded_at: dt.datetime | None = None

    @property
    def order_line_id(self) -> str:
        """``<Order ID>-<SKU ID>``: the same line gets the same id from every export."""
        return order_line_id(self.order_id, self.sku_id)


def order_line_id(order_id: str, sku_id: str) -> str:
    """The canonical order line id of an export line."""
    return f"{order_id}{ORDER_LINE_SEPARATOR}{sku_id}"


def creator_id_for(handle: str) -> str:
    """The stable creator id of a TikTok username with no known id: ``tt:<username>``."""
    return CREATOR_ID_PREFIX + fold_handle(handle)


def latest(*times: dt.datetime | None) -> dt.datetime:
    """The latest of the times given (at least one must be known)."""
    known = [t for t in times if t is not None]
    return max(known)


RowMapper = Callable[[Row, ExportOptions], Line]


@dataclass(frozen=True)
class Source:
    """A kind of export: its name, the columns that identify it, and how a row maps."""

    name: str
    title: str
    required: tuple[str, ...]
    map_row: RowMapper
    optional: tuple[str, ...] = field(default=())

    def missing(self, has: Callable[[str], bool]) -> list[str]:
        """The required columns a header lacks."""
        return [name for name in self.required if not has(name)]
