"""``tiktok-affiliate-orders``: Seller Center > Affiliate > Orders export."""

from __future__ import annotations

from shopstar.sources.model import ExportOptions, Line, Source, latest
from shopstar.sources.rows import Row
from shopstar.sources.statuses import AFFILIATE_STATUSES, content_type

OPTIONAL_TIMES = ("Payment time", "Order Delivery Time", "Time Commission Paid")


def map_row(row: Row, options: ExportOptions) -> Line:
    """An affiliate order line: credited creator, content, standard commission rate."""
    ordered_at = row.timestamp("Time Created")
    updated_at = latest(ordered_at, *(row.optional_timestamp(name) for name in OPTIONAL_TIMES))
    quantity = row.quantity("Quantity")
    refunded = row.flag("Fully returned or refunded")
    return Line(
        order_id=row.ident("Order ID"),
        sku_id=row.ident("SKU ID"),
        product_id=row.ident("Product ID"),
        product_title=row.optional("Product Name"),
        shop_id=options.shop_id,
        ordered_at=ordered_at,
        updated_at=updated_at,
        quantity=quantity,
        unit_price=row.money("Price"),
        currency=row.text("Currency").upper(),
        status=row.choice("Order Status", AFFILIATE_STATUSES),
        creator_handle=row.optional("Creator Username"),
        creator_region=row.optional("Creator Region"),
        content_id=row.optional("Content ID"),
        content_type=content_type(row.optional("Content Type")),
        commission_rate=row.percent("Standard commission rate"),
        refunded_quantity=quantity if refunded else 0,
        refunded_at=updated_at if refunded else None,
    )


SOURCE = Source(
    name="tiktok-affiliate-orders",
    title="Seller Center > Affiliate > Orders",
    required=(
        "Order ID",
        "Product ID",
        "SKU ID",
        "Price",
        "Currency",
        "Quantity",
        "Order Status",
        "Creator Username",
        "Standard commission rate",
        "Time Created",
    ),
    optional=(
        "Product Name",
        "Fully returned or refunded",
        "Content Type",
        "Content ID",
        "Creator Region",
        *OPTIONAL_TIMES,
    ),
    map_row=map_row,
)
