"""Write TikTok Shop export files (CSV and XLSX) with the headers the exports use."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

AFFILIATE = [
    "Order ID", "Product ID", "Product Name", "SKU ID", "Price", "Payment Amount", "Currency",
    "Quantity", "Fully returned or refunded", "Payment method", "Order Status",
    "Creator Username", "Content Type", "Content ID", "commission model",
    "Standard commission rate", "Est. Commission Base", "Est. standard commission payment",
    "Actual Commission Base", "Actual Commission Payment", "Shop Ads commission rate",
    "Est. Shop Ads commission payment", "Actual Shop Ads commission payment",
    "Est. co-funded creator bonus", "Actual co-funded creator bonus", "Time Created",
]  # fmt: skip
AFFILIATE_UK = [*AFFILIATE[:12], "Creator Region", *AFFILIATE[12:]]
AFFILIATE_OLD = [
    "Est. base commission" if name == "Est. Commission Base" else name for name in AFFILIATE
] + ["Commission GMV", "Payment time", "Order Delivery Time", "Time Commission Paid", "Platform"]

ALL_ORDERS = [
    "Order ID", "Order Status", "Order Substatus", "Cancelation/Return Type", "SKU ID",
    "Seller SKU", "Product Name", "Quantity", "Sku Quantity of return",
    "SKU Unit Original Price", "SKU Subtotal After Discount", "Order Amount",
    "Order Refund Amount", "Created Time", "Paid Time", "Shipped Time", "Delivered Time",
    "Cancelled Time", "Buyer Username", "Recipient", "Country", "Province", "Zipcode",
]  # fmt: skip

CREATOR_EARNINGS = [
    "Order ID", "SKU ID", "Product name", "Product ID", "Price", "Items sold", "Items refunded",
    "Shop name", "Shop code", "Affiliate partner", "Agency", "Currency", "Order type",
    "Order settlement status", "Indirect", "Commission type", "Content Type", "Content ID",
    "Standard", "Shop ads", "TikTok bonus", "Partner bonus", "Revenue sharing portion", "GMV",
    "Est. commission base", "Est. standard commission", "Est. Shop Ads commission",
    "Est. TikTok bonus commission", "Actual commission base", "Standard commission",
    "Shop Ads commission", "TikTok bonus commission", "Total final earned amount",
    "Order date", "Commission settlement date",
]  # fmt: skip


def write_export(
    path: Path, header: Sequence[str], rows: Sequence[Mapping[str, str]], summary: bool = True
) -> Path:
    """Write ``rows`` under ``header`` (missing cells empty) as CSV or XLSX by ``path``'s suffix,
    followed by a ``Summary`` totals row when ``summary``."""
    table = [list(header)] + [[row.get(name, "") for name in header] for row in rows]
    if summary:
        table.append(["Summary"] + [""] * (len(header) - 1))
    if path.suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Sheet1"
        for cells in table:
            sheet.append(cells)
        book.save(path)
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(table)
    return path
