"""TikTok Shop order and settlement statuses mapped to the contract's ``placed``/``cancelled``.

Keys are compared after :func:`shopstar.sources.rows.status_key` (case, blanks, ``-``, ``_``
ignored). A line is ``cancelled`` when it never became a sale (cancelled, unpaid, ineligible
for commission); every other status is a sale in some stage (``placed``). Refunds are not a
status: they come from the refunded quantities and flags, as refund rows.
"""

from __future__ import annotations

from collections.abc import Mapping

PLACED = "placed"
CANCELLED = "cancelled"

AFFILIATE_STATUSES: Mapping[str, str] = {
    "pending": PLACED,
    "processing": PLACED,
    "completed": PLACED,
    "delivered": PLACED,
    "settled": PLACED,
    "to settle": PLACED,
    "frozen": PLACED,
    "refunded": PLACED,
    "ineligible": CANCELLED,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
    # Indonesian
    "diproses": PLACED,
    "selesai": PLACED,
    "tertunda": PLACED,
    "tidak memenuhi syarat": CANCELLED,
    "dibatalkan": CANCELLED,
}
"""Affiliate orders ``Order Status`` and creator earnings ``Order settlement status``."""

SELLER_ORDER_STATUSES: Mapping[str, str] = {
    "on hold": PLACED,
    "awaiting shipment": PLACED,
    "to ship": PLACED,
    "ready to ship": PLACED,
    "awaiting collection": PLACED,
    "partially shipping": PLACED,
    "shipped": PLACED,
    "in transit": PLACED,
    "delivered": PLACED,
    "completed": PLACED,
    "unpaid": CANCELLED,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
}
"""All-orders ``Order Status``."""

CONTENT_TYPES: Mapping[str, str] = {
    "video": "video",
    "live": "live",
    "livestream": "live",
    "showcase": "showcase",
    "product card": "product_card",
    "shop tab": "shop_tab",
}


def content_type(text: str | None) -> str | None:
    """The contract's ``content_type`` for an export's ``Content Type`` cell."""
    if text is None:
        return None
    key = " ".join(text.split()).casefold()
    return CONTENT_TYPES.get(key, key.replace(" ", "_"))
