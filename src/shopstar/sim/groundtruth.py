"""Build the truth tables described in :mod:`shopstar.sim.truth` from the simulator's state."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from shopstar.sim import model as m
from shopstar.sim.catalog import FUTURE_WEEKS, Catalog
from shopstar.sim.config import SimConfig
from shopstar.sim.creators import Creators
from shopstar.sim.model import FloatArray
from shopstar.sim.orders import Orders
from shopstar.sim.tables import Ids

LIVE_DURATION_MEDIAN_S = 5400.0
VIDEO_SQRT_PRODUCTS_MEAN = 0.7 * 1.0 + 0.2 * np.sqrt(2.0) + 0.1 * np.sqrt(3.0)


def base_conversion(config: SimConfig, catalog: Catalog) -> FloatArray:
    """Orders per view of a one-product video by a skill-0 creator, at appeal 1."""
    specs = config.category_specs
    cat = catalog.category
    ctr = np.array([s.ctr for s in specs])[cat]
    cvr = np.array([s.cvr for s in specs])[cat]
    median = np.array([s.price_median for s in specs])[cat]
    return np.asarray(ctr * cvr * m.price_factor(catalog.price, median), dtype=np.float64)


def _gmv_per_view(config: SimConfig, catalog: Catalog, tier: int) -> FloatArray:
    """Per category: expected GMV per view for a skill-0 creator of ``tier`` choosing products
    as the simulator does in the last week (probability ~ appeal**gamma)."""
    last = config.weeks - 1
    appeal = catalog.appeal[:, last]
    live = catalog.launch_week <= last
    value = (
        base_conversion(config, catalog)
        * np.power(appeal, m.APPEAL_CONVERSION)
        * catalog.price
        * m.mean_quantity()
    )
    weight = np.where(live, np.power(appeal, m.TIER_GAMMA[tier]), 0.0)
    k = len(config.category_specs)
    num = np.bincount(catalog.category, weights=weight * value, minlength=k)
    den = np.bincount(catalog.category, weights=weight, minlength=k)
    return np.asarray(np.where(den > 0, num / np.maximum(den, 1e-300), 0.0), dtype=np.float64)


def creator_tables(
    config: SimConfig, catalog: Catalog, creators: Creators, key: Ids
) -> dict[str, pa.Table]:
    """``creators`` and ``creator_category`` truth tables."""
    final = creators.followers_final(config.weeks)
    tier = m.tier_of(final)
    views_per_post = m.expected_video_views(final)
    live_views = np.power(final, m.VIEW_EXPONENT) * m.live_view_factor(
        np.full(creators.n, LIVE_DURATION_MEDIAN_S)
    )
    video_effective_views = creators.videos_per_week * views_per_post * VIDEO_SQRT_PRODUCTS_MEAN
    live_effective_views = (
        creators.lives_per_week * live_views * m.LIVE_CTR * m.LIVE_CVR * m.live_sqrt_products_mean()
    )
    per_view = np.stack([_gmv_per_view(config, catalog, t) for t in range(len(m.TIER_GAMMA))])
    potential = (
        (video_effective_views + live_effective_views)[:, None]
        * per_view[tier]
        * np.exp(creators.skill)
    )
    k = len(config.category_specs)
    names = np.array([s.name for s in config.category_specs], dtype=object)
    rising = (creators.followers0 < m.RISING_MAX_FOLLOWERS) & (
        creators.growth >= m.RISING_MIN_GROWTH
    )
    return {
        "creators": pa.table(
            {
                "creator_id": key.creator,
                "followers_initial": pa.array(creators.followers0.astype(np.int64)),
                "followers_final": pa.array(np.round(final).astype(np.int64)),
                "weekly_growth": pa.array(creators.growth),
                "is_rising": pa.array(rising),
                "tier": pa.array(tier),
                "views_per_post": pa.array(views_per_post),
                "videos_per_week": pa.array(creators.videos_per_week),
                "lives_per_week": pa.array(creators.lives_per_week),
                "post_logit": pa.array(creators.post_logit),
            }
        ),
        "creator_category": pa.table(
            {
                "creator_id": key.creator.take(pa.array(np.repeat(np.arange(creators.n), k))),
                "category": pa.array(np.tile(names, creators.n).tolist(), type=pa.string()),
                "is_focus": pa.array(creators.focus.reshape(-1)),
                "true_skill": pa.array(creators.skill.reshape(-1)),
                "true_potential": pa.array(potential.reshape(-1)),
            }
        ),
    }


def units_sold(config: SimConfig, catalog: Catalog, orders: Orders) -> FloatArray:
    """Units of never-cancelled lines per product x week (weeks of the data and the future
    ones), flattened; the sums of several shards add up."""
    n_weeks = config.weeks + FUTURE_WEEKS
    was_cancelled = np.zeros(len(orders.line), dtype=bool)
    was_cancelled[orders.line[orders.cancelled]] = True
    alive = ~orders.cancelled & ~was_cancelled[orders.line]
    week = (orders.ordered_us[alive] // 86_400_000_000 - (config.start.toordinal() - 719_163)) // 7
    cell = orders.product[alive] * n_weeks + week
    units = np.bincount(cell, weights=orders.quantity[alive], minlength=catalog.n * n_weeks)
    return np.asarray(units, dtype=np.float64)


def product_tables(
    config: SimConfig, catalog: Catalog, units: FloatArray, key: Ids
) -> dict[str, pa.Table]:
    """``products`` and ``products_weekly`` truth tables (``units``: from :func:`units_sold`)."""
    names = [s.name for s in config.category_specs]
    n_weeks = config.weeks + FUTURE_WEEKS
    weeks = np.tile(np.arange(n_weeks), catalog.n)
    future = weeks >= config.weeks
    week_start = [config.start + dt.timedelta(weeks=int(w)) for w in range(n_weeks)]
    return {
        "products": pa.table(
            {
                "product_id": key.product,
                "category": pa.array([names[c] for c in catalog.category]),
                "price": pa.array(catalog.price),
                "base_conversion": pa.array(base_conversion(config, catalog)),
                "base_appeal": pa.array(catalog.base_appeal),
                "appeal_final": pa.array(catalog.appeal[:, config.weeks - 1]),
                "launch_week": pa.array(catalog.launch_week),
                "breakout_week": pa.array(catalog.breakout_week, mask=catalog.breakout_week < 0),
            }
        ),
        "products_weekly": pa.table(
            {
                "product_id": key.product.take(pa.array(np.repeat(np.arange(catalog.n), n_weeks))),
                "week_start": pa.array(week_start * catalog.n, type=pa.date32()),
                "week": pa.array(weeks),
                "appeal": pa.array(catalog.appeal.reshape(-1)),
                "units_sold": pa.array(units.astype(np.int64), mask=future),
                "is_future": pa.array(future),
            }
        ),
    }
