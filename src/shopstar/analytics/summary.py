"""``shopstar summary``: GMV, net GMV, order lines, affiliate GMV and commission (CONTRACT.md §2).

Built from Ibis built-in operations only, so it runs on any backend. Money is carried as
integer cents (``int64``) so every sum and rounding is exact, and returned as ``Decimal``:

* a line counts unless it is cancelled; its GMV is ``quantity * unit_price``;
* commission on an affiliate line (``creator_id`` set) is ``round_half_up(gmv * rate, 2)``
  with the line's own ``commission_rate`` when given, else the product's open rate (no rate
  known, e.g. an unknown product: no commission);
* a refund of a counted line in the line's currency is subtracted from net GMV and reverses
  ``round_half_up(refund / line gmv * line commission, 2)`` of commission;
* amounts in different currencies are never added: one row per key and currency.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

SUMMARY_COLUMNS = (
    "key",
    "currency",
    "gmv",
    "net_gmv",
    "order_lines",
    "affiliate_gmv",
    "commission",
)
MONEY_COLUMNS = ("gmv", "net_gmv", "affiliate_gmv", "commission")
GROUPINGS = ("category", "shop", "creator")
RATE_SCALE = 1_000_000  # rates have 6 decimal places

By = Literal["category", "shop", "creator"] | None


def _cents(value: ir.DecimalValue) -> ir.IntegerValue:
    return (value * 100).cast("int64")


def _floordiv(n: ir.IntegerValue, d: ir.IntegerValue) -> ir.IntegerValue:
    """Exact ``floor(n / d)`` for ``d > 0``: backends may divide in floating point, so the
    quotient is corrected by integer comparisons (exact for any int64 operands)."""
    q = n // d
    return ibis.ifelse(q * d > n, q - 1, ibis.ifelse((q + 1) * d <= n, q + 1, q))


def order_lines(tables: Mapping[str, ir.Table]) -> ir.Table:
    """Counted (not cancelled) order lines with ``gmv_cents``, ``commission_cents``,
    ``refund_cents`` and ``reversal_cents``, plus the product's category and shop."""
    orders, products, refunds = tables["orders"], tables["products"], tables["refunds"]
    product = products.select(
        "product_id", "category", "shop_id", open_rate=products.commission_rate
    )
    lines = orders.filter(orders.status != "cancelled").left_join(product, "product_id")
    rate = ibis.coalesce(lines.commission_rate, lines.open_rate)
    gmv = lines.quantity * _cents(lines.unit_price)
    commission = ibis.ifelse(
        lines.creator_id.notnull(),
        _floordiv(
            gmv * (rate * RATE_SCALE).cast("int64") + RATE_SCALE // 2, ibis.literal(RATE_SCALE)
        ),
        0,
    ).fill_null(0)
    lines = lines.mutate(gmv_cents=gmv, commission_cents=commission)
    matched = refunds.join(
        lines.select("order_line_id", "currency", "gmv_cents", "commission_cents"),
        ["order_line_id", "currency"],
    )
    a = _cents(matched.amount)
    reversal = ibis.ifelse(
        matched.gmv_cents > 0,
        _floordiv(2 * a * matched.commission_cents + matched.gmv_cents, 2 * matched.gmv_cents),
        0,
    )
    per_line = matched.group_by("order_line_id").aggregate(
        refund_cents=a.sum(), reversal_cents=reversal.sum()
    )
    return lines.left_join(per_line, "order_line_id").mutate(
        refund_cents=ibis._.refund_cents.fill_null(0),
        reversal_cents=ibis._.reversal_cents.fill_null(0),
    )


def summary_table(tables: Mapping[str, ir.Table], by: By = None) -> ir.Table:
    """The summary as an Ibis expression (money in integer cents)."""
    lines = order_lines(tables)
    if by is None:
        key: ir.Value = ibis.literal("all")
    elif by == "category":
        key = lines.category
    elif by == "shop":
        key = lines.shop_id
    elif by == "creator":
        key = lines.creator_id
    else:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)} or None, not {by!r}")
    lines = lines.mutate(key=key)
    affiliate = ibis.ifelse(lines.creator_id.notnull(), lines.gmv_cents, 0)
    return (
        lines.group_by(["key", "currency"])
        .aggregate(
            gmv=lines.gmv_cents.sum(),
            net_gmv=lines.gmv_cents.sum() - lines.refund_cents.sum(),
            order_lines=lines.count(),
            affiliate_gmv=affiliate.sum(),
            commission=lines.commission_cents.sum() - lines.reversal_cents.sum(),
        )
        .order_by([ibis.asc("key", nulls_first=False), "currency"])
    )


def summary(tables: Mapping[str, ir.Table], by: By = None) -> list[dict[str, Any]]:
    """Rows of ``key, currency, gmv, net_gmv, order_lines, affiliate_gmv, commission`` with
    money as ``Decimal``; ``key`` is ``all`` without ``by`` (None for an unknown side)."""
    rows = summary_table(tables, by).to_pyarrow().to_pylist()
    for row in rows:
        for col in MONEY_COLUMNS:
            row[col] = Decimal(int(row[col] or 0)).scaleb(-2)
        row["order_lines"] = int(row["order_lines"])
    return [{c: row[c] for c in SUMMARY_COLUMNS} for row in rows]
