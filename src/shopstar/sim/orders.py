"""Order lines (affiliate and organic), cancellations as re-sent rows, and refunds.

Counts come in aggregate (per content x product x day from the funnel, per product x day for
organic demand) and are expanded to lines with ``numpy.repeat``; nothing loops per line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopstar.sim import model as m
from shopstar.sim.catalog import US_PER_DAY, Catalog, start_us
from shopstar.sim.config import SimConfig
from shopstar.sim.content import LIVE, Content
from shopstar.sim.creators import Creators
from shopstar.sim.model import IntArray

US = 1_000_000
ORGANIC_SCALE = 0.7  # organic orders per product-day at appeal 1, median price, cvr 2.5%
SHOWCASE_SHARE = 0.05  # affiliate lines bought from the creator's showcase, not a content
BASKET_SHARE = 0.3  # chance an affiliate line joins the previous product's order
DISCOUNT_SHARE = 0.10  # lines sold below list price (promotions)
CANCEL_SHARE = 0.04
FULL_REFUND_SHARE = 0.65
TARGETED_SHARE = 0.15  # agency creator x product pairs with a targeted (higher) rate
TARGETED_BONUS = 50_000  # +5 percentage points, in millionths
CONTENT_TYPES = ("video", "live", "showcase")


@dataclass(frozen=True)
class Orders:
    """Order lines (placed rows first, then re-sent cancelled rows) and refunds.

    ``creator``, ``content``, ``content_type`` and ``commission`` use -1 for null.
    """

    line: IntArray
    order: IntArray
    ordered_us: IntArray
    updated_us: IntArray
    product: IntArray
    creator: IntArray
    content: IntArray
    quantity: IntArray
    unit_cents: IntArray
    cancelled: npt.NDArray[np.bool_]
    commission: IntArray
    content_type: IntArray
    refund_line: IntArray
    refund_us: IntArray
    refund_cents: IntArray

    @property
    def n_placed(self) -> int:
        """Number of distinct order lines."""
        return int((~self.cancelled).sum())


def _affiliate(
    rng: np.random.Generator, t0: int, content: Content, catalog: Catalog, creators: Creators
) -> dict[str, IntArray]:
    order = np.lexsort((content.sale_product, content.sale_day, content.sale_content))
    rows = np.repeat(order, content.sale_orders[order])
    c, p, day = content.sale_content[rows], content.sale_product[rows], content.sale_day[rows]
    n = len(rows)
    pub_tod = (content.published_us[c] - t0 - content.day[c] * US_PER_DAY) // US  # seconds
    live = content.kind[c] == LIVE
    u = rng.random(n)
    tod = np.where(
        live,
        pub_tod + u * content.duration_s[c],
        np.where(day == content.day[c], pub_tod + u * (86_400 - pub_tod), u * 86_400),
    )
    tod = np.minimum(tod.astype(np.int64), 86_399)
    # baskets: a line may join the order of the previous line (same content and day)
    same = np.zeros(n, dtype=bool)
    same[1:] = (c[1:] == c[:-1]) & (day[1:] == day[:-1]) & (p[1:] != p[:-1])
    joins = same & (rng.random(n) < BASKET_SHARE)
    starts = np.flatnonzero(~joins)
    head = starts[np.searchsorted(starts, np.arange(n), side="right") - 1]
    tod = tod[head]
    creator = content.creator[c]
    showcase = rng.random(n) < SHOWCASE_SHARE
    agency = creators.agency[creator] >= 0
    pair_hash = (creator * 2_654_435_761 + p * 40_503) % 1000
    targeted = agency & (pair_hash < TARGETED_SHARE * 1000)
    return {
        "ordered_us": day * US_PER_DAY + tod * US,
        "product": p,
        "creator": creator,
        "content": np.where(showcase, -1, c),
        "content_type": np.where(showcase, 2, content.kind[c]),
        "commission": catalog.commission_micro[p] + np.where(targeted, TARGETED_BONUS, 0),
        "order_head": head,
    }


def _organic(
    rng: np.random.Generator, config: SimConfig, catalog: Catalog, lo: int, hi: int
) -> dict[str, IntArray]:
    """Organic (no creator) lines of products ``lo`` to ``hi - 1``."""
    specs = config.category_specs
    category = catalog.category[lo:hi]
    cvr = np.array([s.cvr for s in specs])[category]
    median = np.array([s.price_median for s in specs])[category]
    rate = ORGANIC_SCALE * m.price_factor(catalog.price[lo:hi], median) * cvr / 0.025
    days = np.arange(config.days)
    lam = rate[:, None] * catalog.appeal[lo:hi, days // 7]
    lam[days[None, :] <= catalog.launch_week[lo:hi, None] * 7] = 0.0  # from the day after launch
    counts = rng.poisson(lam).reshape(-1)
    cell = np.repeat(np.arange(counts.size), counts)
    product, day = lo + cell // config.days, cell % config.days
    n = len(cell)
    tod = rng.integers(0, 86_400, n)
    return {
        "ordered_us": day * US_PER_DAY + tod * US,
        "product": product,
        "creator": np.full(n, -1),
        "content": np.full(n, -1),
        "content_type": np.full(n, -1),
        "commission": np.full(n, -1),
        "order_head": np.arange(n),
    }


def build_orders(
    rng: np.random.Generator,
    config: SimConfig,
    catalog: Catalog,
    creators: Creators,
    content: Content,
    organic: tuple[int, int],
) -> Orders:
    """Expand the funnel's counts of ``content`` and the organic demand for the products in
    ``organic`` (``[lo, hi)``) to order lines; add cancellations and refunds. Line, order and
    content numbers are local to these lines."""
    t0 = start_us(config)
    aff = _affiliate(rng, t0, content, catalog, creators)
    org = _organic(rng, config, catalog, *organic)
    org["order_head"] = org["order_head"] + len(aff["product"])
    cols = {k: np.concatenate([aff[k], org[k]]).astype(np.int64) for k in aff}
    end = t0 + config.days * US_PER_DAY
    ordered = t0 + cols["ordered_us"]
    order = np.lexsort((cols["order_head"], ordered))
    ordered = ordered[order]
    cols = {k: v[order] for k, v in cols.items()}
    n = len(ordered)
    head = cols["order_head"]
    new_order = np.ones(n, dtype=bool)
    new_order[1:] = head[1:] != head[:-1]
    order_no = np.cumsum(new_order) - 1
    price = catalog.price_cents[cols["product"]]
    discount = np.where(rng.random(n) < DISCOUNT_SHARE, rng.uniform(0.1, 0.3, n), 0.0)
    unit = np.round(price * (1.0 - discount)).astype(np.int64)
    quantity = rng.geometric(m.QUANTITY_P, n).astype(np.int64)
    updated = ordered + rng.integers(0, 120, n) * US

    cancel = np.flatnonzero(rng.random(n) < CANCEL_SHARE)
    delay = rng.integers(1_800, 48 * 3_600, len(cancel)) * US
    cancel_at = np.maximum(updated[cancel] + US, np.minimum(ordered[cancel] + delay, end - US))
    cancel_order = np.argsort(cancel_at, kind="stable")
    cancel, cancel_at = cancel[cancel_order], cancel_at[cancel_order]

    kept = np.ones(n, dtype=bool)
    kept[cancel] = False
    cat = catalog.category[cols["product"]]
    refund_rate = np.array([s.refund_rate for s in config.category_specs])[cat]
    refunded = np.flatnonzero(kept & (rng.random(n) < refund_rate))
    total = unit[refunded] * quantity[refunded]
    partial = np.maximum(1, np.round(total * rng.uniform(0.2, 0.8, len(refunded))))
    amount = np.where(rng.random(len(refunded)) < FULL_REFUND_SHARE, total, partial)
    refund_at = ordered[refunded] + rng.integers(3 * 86_400, 20 * 86_400, len(refunded)) * US
    in_window = (refund_at < end) & (amount > 0)
    refunded, refund_at, amount = refunded[in_window], refund_at[in_window], amount[in_window]
    by_time = np.argsort(refund_at, kind="stable")

    def with_cancels(a: IntArray) -> IntArray:
        return np.concatenate([a, a[cancel]]).astype(np.int64)

    line = np.arange(n, dtype=np.int64)
    return Orders(
        line=with_cancels(line),
        order=with_cancels(order_no),
        ordered_us=with_cancels(ordered),
        updated_us=np.concatenate([updated, cancel_at]).astype(np.int64),
        product=with_cancels(cols["product"]),
        creator=with_cancels(cols["creator"]),
        content=with_cancels(cols["content"]),
        quantity=with_cancels(quantity),
        unit_cents=with_cancels(unit),
        cancelled=np.concatenate([np.zeros(n, dtype=bool), np.ones(len(cancel), dtype=bool)]),
        commission=with_cancels(cols["commission"]),
        content_type=with_cancels(cols["content_type"]),
        refund_line=refunded[by_time].astype(np.int64),
        refund_us=refund_at[by_time].astype(np.int64),
        refund_cents=amount[by_time].astype(np.int64),
    )
