"""``tiktok-creator-earnings``: a creator's Affiliate Center earnings export."""

from __future__ import annotations

from shopstar.errors import ShopstarError
from shopstar.sources.model import ExportOptions, Line, Source, latest
from shopstar.sources.rows import Row, RowError, status_key
from shopstar.sources.statuses import AFFILIATE_STATUSES, content_type


def map_row(row: Row, options: ExportOptions) -> Line:
    """One of the creator's order lines; the creator is the file's owner (``--creator``)."""
    if options.creator is None:
        raise ShopstarError(
            "tiktok-creator-earnings exports do not name their creator: pass --creator USERNAME"
        )
    ordered_at = row.timestamp("Order date")
    updated_at = latest(ordered_at, row.optional_timestamp("Commission settlement date"))
    quantity = row.quantity("Items sold")
    refunded = row.count("Items refunded", default=0)
    if refunded > quantity:
        raise RowError(
            f'{row.header.label("Items refunded")}: "{refunded}" is more than the '
            f"{row.header.label('Items sold')} ({quantity})"
        )
    if refunded == 0 and status_key(row.text("Order settlement status")) == "refunded":
        refunded = quantity
    row.flag("Indirect")
    return Line(
        order_id=row.ident("Order ID"),
        sku_id=row.ident("SKU ID"),
        product_id=row.ident("Product ID"),
        product_title=row.optional("Product name"),
        shop_id=row.optional("Shop code") or options.shop_id,
        ordered_at=ordered_at,
        updated_at=updated_at,
        quantity=quantity,
        unit_price=row.money("Price"),
        currency=row.text("Currency").upper(),
        status=row.choice("Order settlement status", AFFILIATE_STATUSES),
        creator_handle=options.creator,
        content_id=row.optional("Content ID"),
        content_type=content_type(row.optional("Content Type")),
        commission_rate=row.percent("Standard"),
        refunded_quantity=refunded,
        refunded_at=updated_at if refunded else None,
    )


SOURCE = Source(
    name="tiktok-creator-earnings",
    title="Affiliate Center > Earnings (creator)",
    required=(
        "Order ID",
        "SKU ID",
        "Product ID",
        "Price",
        "Items sold",
        "Currency",
        "Order settlement status",
        "Standard",
        "Order date",
    ),
    optional=(
        "Product name",
        "Items refunded",
        "Shop code",
        "Indirect",
        "Content Type",
        "Content ID",
        "Commission settlement date",
    ),
    map_row=map_row,
)
