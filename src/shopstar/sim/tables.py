"""The simulated marketplace as one Arrow table per contract entity, in the exact schema."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from shopstar.contract import ENTITIES
from shopstar.sim.arrow import choices, dates, id_width, ids, money, rate, timestamps
from shopstar.sim.catalog import Catalog
from shopstar.sim.config import SimConfig
from shopstar.sim.content import Content
from shopstar.sim.creators import Creators
from shopstar.sim.model import IntArray
from shopstar.sim.names import agency_names
from shopstar.sim.orders import CONTENT_TYPES, Orders

DAILY_FOLLOWER_NOISE = 0.002


@dataclass(frozen=True)
class Ids:
    """The id columns of every dimension, indexable by simulator position."""

    agency: pa.Array
    shop: pa.Array
    product: pa.Array
    creator: pa.Array

    @staticmethod
    def build(n_agencies: int, n_shops: int, n_products: int, n_creators: int) -> Ids:
        """Ids ``ag-0001``, ``sh-0001``, ``pr-0001``, ``cr-0001`` numbered from 0."""

        def seq(prefix: str, n: int) -> pa.Array:
            return ids(prefix, np.arange(n, dtype=np.int64), id_width(n))

        return Ids(
            seq("ag-", n_agencies),
            seq("sh-", n_shops),
            seq("pr-", n_products),
            seq("cr-", n_creators),
        )


def _table(entity: str, columns: dict[str, pa.Array]) -> pa.Table:
    schema = ENTITIES[entity].schema
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def _take(column: pa.Array, index: IntArray) -> pa.Array:
    """``column[index]``, null where index is negative."""
    return column.take(pa.array(index, type=pa.int64(), mask=index < 0))


@dataclass(frozen=True)
class Numbering:
    """Where a shard's rows start in the run's numbering (its first creator, content, order
    line, order and refund) and the digits of content and order-line ids."""

    content_width: int
    line_width: int
    creator: int = 0
    content: int = 0
    line: int = 0
    order: int = 0
    refund: int = 0


def daily_followers(
    rng: np.random.Generator, config: SimConfig, creators: Creators, shard: tuple[int, int]
) -> IntArray:
    """Observed followers of the creators in ``shard`` (``[lo, hi)``) x days: the growth curve
    with a little daily noise."""
    days = np.arange(config.days, dtype=np.float64)
    lo, hi = shard
    f0, growth = creators.followers0[lo:hi, None], creators.growth[lo:hi, None]
    curve = f0 * np.power(1.0 + growth, days / 7.0)
    noise = np.exp(rng.normal(0.0, DAILY_FOLLOWER_NOISE, curve.shape))
    return np.maximum(1, np.round(curve * noise)).astype(np.int64)


def dimension_tables(
    config: SimConfig, catalog: Catalog, creators: Creators, followers: IntArray, key: Ids
) -> dict[str, pa.Table]:
    """agencies, shops, products and creators (``followers``: observed on the last day)."""
    specs = config.category_specs
    n_shops, n = len(catalog.shop_names), creators.n
    return {
        "agencies": _table(
            "agencies", {"agency_id": key.agency, "name": pa.array(agency_names(len(key.agency)))}
        ),
        "shops": _table(
            "shops",
            {
                "shop_id": key.shop,
                "name": pa.array(catalog.shop_names),
                "region": pa.array([config.region] * n_shops),
                "size": choices(catalog.shop_brand.astype(np.int64), ("smb", "brand")),
                "joined_at": timestamps(catalog.shop_joined_us),
            },
        ),
        "products": _table(
            "products",
            {
                "product_id": key.product,
                "shop_id": key.shop.take(pa.array(catalog.shop)),
                "title": pa.array(catalog.title),
                "category": choices(catalog.category, tuple(s.name for s in specs)),
                "subcategory": pa.array(catalog.subcategory),
                "price": money(catalog.price_cents),
                "currency": pa.array([config.currency] * catalog.n),
                "commission_rate": rate(catalog.commission_micro),
                "listed_at": timestamps(catalog.listed_us),
            },
        ),
        "creators": _table(
            "creators",
            {
                "creator_id": key.creator,
                "handle": pa.array(creators.handles),
                "region": pa.array([config.region] * n),
                "followers": pa.array(followers),
                "joined_at": timestamps(creators.joined_us),
                "agency_id": _take(key.agency, creators.agency),
            },
        ),
    }


def single_numbering(content: Content, orders: Orders) -> Numbering:
    """The numbering of a run drawn in one shard: ids as wide as their counts need."""
    n_lines = int(orders.line.max()) + 1 if len(orders.line) else 0
    return Numbering(id_width(content.n), id_width(n_lines))


def fact_tables(
    config: SimConfig,
    content: Content,
    orders: Orders,
    followers: IntArray,
    key: Ids,
    num: Numbering,
) -> dict[str, pa.Table]:
    """creator_daily, content, content_products, content_daily, orders and refunds of one
    shard, numbered from ``num``."""
    epoch_day = config.start.toordinal() - 719_163
    n_creators, n_days = followers.shape
    content_ids = ids("ct-", num.content + np.arange(content.n, dtype=np.int64), num.content_width)
    line_width = num.line_width
    line_ids = ids("ol-", num.line + orders.line, line_width)
    cur = pa.array([config.currency]).take(pa.array(np.zeros(len(orders.line), dtype=np.int64)))
    return {
        "creator_daily": _table(
            "creator_daily",
            {
                "creator_id": key.creator.take(
                    pa.array(np.repeat(np.arange(num.creator, num.creator + n_creators), n_days))
                ),
                "date": dates(np.tile(np.arange(n_days) + epoch_day, n_creators)),
                "followers": pa.array(followers.reshape(-1)),
            },
        ),
        "content": _table(
            "content",
            {
                "content_id": content_ids,
                "creator_id": key.creator.take(pa.array(content.creator)),
                "kind": choices(content.kind, ("video", "live")),
                "published_at": timestamps(content.published_us),
                "duration_s": pa.array(content.duration_s),
            },
        ),
        "content_products": _table(
            "content_products",
            {
                "content_id": content_ids.take(pa.array(content.cp_content)),
                "product_id": key.product.take(pa.array(content.cp_product)),
            },
        ),
        "content_daily": _table(
            "content_daily",
            {
                "content_id": content_ids.take(pa.array(content.daily_content)),
                "date": dates(content.daily_day + epoch_day),
                "views": pa.array(content.daily_views),
                "product_clicks": pa.array(content.daily_clicks),
            },
        ),
        "orders": _table(
            "orders",
            {
                "order_line_id": line_ids,
                "order_id": ids("o-", num.order + orders.order, line_width),
                "ordered_at": timestamps(orders.ordered_us),
                "updated_at": timestamps(orders.updated_us),
                "product_id": key.product.take(pa.array(orders.product)),
                "creator_id": _take(key.creator, orders.creator),
                "content_id": _take(content_ids, orders.content),
                "quantity": pa.array(orders.quantity),
                "unit_price": money(orders.unit_cents),
                "currency": cur,
                "status": choices(orders.cancelled.astype(np.int64), ("placed", "cancelled")),
                "commission_rate": rate(orders.commission),
                "content_type": choices(orders.content_type, CONTENT_TYPES),
            },
        ),
        "refunds": _table(
            "refunds",
            {
                "refund_id": ids(
                    "rf-", num.refund + np.arange(len(orders.refund_line)), line_width
                ),
                "order_line_id": line_ids.take(pa.array(orders.refund_line)),
                "refunded_at": timestamps(orders.refund_us),
                "amount": money(orders.refund_cents),
                "currency": cur.slice(0, len(orders.refund_line)),
            },
        ),
    }
