"""A tiny hand-built marketplace for analytics unit tests, as Ibis memtables in contract schemas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from shopstar.contract import ENTITIES

AS_OF = dt.date(2026, 3, 31)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    """Noon UTC (or ``hour``) on ``day``."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def days_ago(n: int) -> dt.date:
    """The day ``n`` days before :data:`AS_OF`."""
    return AS_OF - dt.timedelta(days=n)


class Market:
    """Builder of a small marketplace: add rows, then :meth:`tables`."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in ENTITIES}
        self._line = 0

    def product(self, product_id: str, category: str, price: str = "10.00") -> None:
        """A product of ``category`` at ``price``."""
        self.rows["products"].append(
            {
                "product_id": product_id,
                "shop_id": "shop",
                "title": product_id,
                "category": category,
                "subcategory": None,
                "price": Decimal(price),
                "currency": "USD",
                "commission_rate": Decimal("0.100000"),
                "listed_at": at(days_ago(200)),
            }
        )

    def creator(self, creator_id: str, followers: Iterable[tuple[int, int]] = ()) -> None:
        """A creator; ``followers`` are (days ago, count) rows of creator_daily."""
        history = sorted(followers)
        self.rows["creators"].append(
            {
                "creator_id": creator_id,
                "handle": creator_id,
                "region": "US",
                "followers": history[0][1] if history else 1000,
                "joined_at": at(days_ago(400)),
                "agency_id": None,
            }
        )
        for ago, count in history:
            self.rows["creator_daily"].append(
                {"creator_id": creator_id, "date": days_ago(ago), "followers": count}
            )

    def content(
        self,
        content_id: str,
        creator_id: str,
        products: Iterable[str],
        ago: int,
        views: int,
        clicks: int = 0,
        kind: str = "video",
    ) -> None:
        """A content published ``ago`` days before as-of, all its views on that day."""
        self.rows["content"].append(
            {
                "content_id": content_id,
                "creator_id": creator_id,
                "kind": kind,
                "published_at": at(days_ago(ago)),
                "duration_s": 60,
            }
        )
        for product_id in products:
            self.rows["content_products"].append(
                {"content_id": content_id, "product_id": product_id}
            )
        self.rows["content_daily"].append(
            {
                "content_id": content_id,
                "date": days_ago(ago),
                "views": views,
                "product_clicks": clicks,
            }
        )

    def order(
        self,
        product_id: str,
        ago: int,
        *,
        creator_id: str | None = None,
        content_id: str | None = None,
        quantity: int = 1,
        price: str = "10.00",
        status: str = "placed",
        content_type: str | None = "video",
        refund: str | None = None,
        lines: int = 1,
        currency: str = "USD",
    ) -> None:
        """``lines`` identical order lines, optionally with a refund each."""
        for _ in range(lines):
            self._line += 1
            line_id = f"L{self._line}"
            self.rows["orders"].append(
                {
                    "order_line_id": line_id,
                    "order_id": f"O{self._line}",
                    "ordered_at": at(days_ago(ago)),
                    "updated_at": at(days_ago(ago)),
                    "product_id": product_id,
                    "creator_id": creator_id,
                    "content_id": content_id,
                    "quantity": quantity,
                    "unit_price": Decimal(price),
                    "currency": currency,
                    "status": status,
                    "commission_rate": None,
                    "content_type": content_type if creator_id else None,
                }
            )
            if refund is not None:
                self.rows["refunds"].append(
                    {
                        "refund_id": f"R{self._line}",
                        "order_line_id": line_id,
                        "refunded_at": at(days_ago(max(ago - 1, 0))),
                        "amount": Decimal(refund),
                        "currency": currency,
                    }
                )

    def tables(self) -> dict[str, ir.Table]:
        """Every entity as a memtable in its canonical schema."""
        return {
            name: ibis.memtable(pa.Table.from_pylist(rows, schema=ENTITIES[name].schema))
            for name, rows in self.rows.items()
        }
