"""``tiktok-all-orders``: Seller Center > Orders export (every order, no creator)."""

from __future__ import annotations

from shopstar.errors import ShopstarError
from shopstar.lake.placeholders import SKU_PRODUCT_PREFIX
from shopstar.sources.model import ExportOptions, Line, Source, latest
from shopstar.sources.rows import Row, RowError
from shopstar.sources.statuses import SELLER_ORDER_STATUSES

TIMES = ("Paid Time", "Shipped Time", "Delivered Time", "Cancelled Time")


def map_row(row: Row, options: ExportOptions) -> Line:
    """A shop's order line: status, returned quantity, times; no creator or content."""
    sku_id = row.ident("SKU ID")
    ordered_at = row.timestamp("Created Time")
    updated_at = latest(ordered_at, *(row.optional_timestamp(name) for name in TIMES))
    quantity = row.quantity("Quantity")
    returned = row.count("Sku Quantity of return", default=0)
    if returned > quantity:
        raise RowError(
            f'{row.header.label("Sku Quantity of return")}: "{returned}" is more than the '
            f"{row.header.label('Quantity')} ({quantity})"
        )
    currency = row.optional("Currency") or options.currency
    if currency is None:
        raise ShopstarError("tiktok-all-orders exports carry no currency: pass --currency CODE")
    return Line(
        order_id=row.ident("Order ID"),
        sku_id=sku_id,
        product_id=row.optional("Product ID") or f"{SKU_PRODUCT_PREFIX}{sku_id}",
        product_title=row.optional("Product Name"),
        shop_id=options.shop_id,
        ordered_at=ordered_at,
        updated_at=updated_at,
        quantity=quantity,
        unit_price=row.money("SKU Unit Original Price"),
        currency=currency.upper(),
        status=row.choice("Order Status", SELLER_ORDER_STATUSES),
        refunded_quantity=returned,
        refunded_at=updated_at if returned else None,
    )


SOURCE = Source(
    name="tiktok-all-orders",
    title="Seller Center > Orders",
    required=(
        "Order ID",
        "Order Status",
        "SKU ID",
        "Quantity",
        "Sku Quantity of return",
        "SKU Unit Original Price",
        "Created Time",
    ),
    optional=("Product ID", "Product Name", "Currency", *TIMES),
    map_row=map_row,
)
