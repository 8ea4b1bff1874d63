"""Shops and products: prices, open commission rates and the latent appeal lifecycle.

A product's appeal in week ``w`` is ``base_appeal * (lifecycle + breakout)``: a linear ramp
from launch to a peak after 1-4 weeks, exponential decay afterwards (to a 5% floor), and for
some products a late breakout bump several times the base. Weeks run from 0 (the first
simulated week) to ``weeks + 1`` (two weeks past the data, for forecasting truth).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopstar.sim.config import SimConfig
from shopstar.sim.model import FloatArray, IntArray
from shopstar.sim.names import product_titles, shop_names

US_PER_DAY = 86_400_000_000
FUTURE_WEEKS = 2
BRAND_SHARE = 0.15
PRODUCTS_PER_SHOP = 8.0
LAUNCHED_DURING_SHARE = 0.35
PRELAUNCH_WEEKS = 40
BREAKOUT_SHARE = 0.12
APPEAL_SIGMA = 0.9
APPEAL_FLOOR = 0.05


@dataclass(frozen=True)
class Catalog:
    """Shops and products as arrays (index = position; ids are assigned when writing)."""

    shop_brand: npt.NDArray[np.bool_]
    shop_joined_us: IntArray
    shop_names: list[str]
    category: IntArray  # index into config.category_specs
    shop: IntArray
    subcategory: list[str]
    title: list[str]
    price_cents: IntArray
    commission_micro: IntArray  # open rate in millionths
    listed_us: IntArray
    launch_week: IntArray  # may be negative (listed before the simulation)
    base_appeal: FloatArray
    breakout_week: IntArray  # -1 when the product never breaks out
    appeal: FloatArray  # products x (weeks + FUTURE_WEEKS)

    @property
    def n(self) -> int:
        """Number of products."""
        return len(self.category)

    @property
    def price(self) -> FloatArray:
        """Prices in currency units as floats (for the model; data uses the exact cents)."""
        return np.asarray(self.price_cents / 100.0, dtype=np.float64)


def start_us(config: SimConfig) -> int:
    """Microseconds since the epoch (UTC) of the first simulated day."""
    return (config.start.toordinal() - 719_163) * US_PER_DAY


def _prices(rng: np.random.Generator, config: SimConfig, category: IntArray) -> IntArray:
    specs = config.category_specs
    median = np.array([s.price_median for s in specs])[category]
    sigma = np.array([s.price_sigma for s in specs])[category]
    lo = np.array([s.price_min for s in specs])[category]
    hi = np.array([s.price_max for s in specs])[category]
    raw = np.clip(rng.lognormal(np.log(median), sigma), lo, hi)
    charm = np.round(raw).astype(np.int64) * 100 - 1  # 19.99 style
    halves = (np.round(raw * 2) * 50).astype(np.int64)
    return np.where(rng.random(len(raw)) < 0.7, charm, halves).astype(np.int64)


def _lifecycle(
    rng: np.random.Generator, launch: IntArray, n_weeks: int, weeks: int
) -> tuple[FloatArray, IntArray]:
    n = len(launch)
    t = np.arange(n_weeks)[None, :] - launch[:, None] + 0.5  # weeks since launch, mid-week
    ramp = rng.uniform(1.0, 4.0, n)[:, None]
    half = rng.lognormal(np.log(6.0), 0.5, n)[:, None]
    rising = 0.15 + 0.85 * np.clip(t / ramp, 0.0, 1.0)
    decay = np.maximum(APPEAL_FLOOR, np.exp(-np.maximum(t - ramp, 0.0) / half))
    curve = np.where(t < 0, 0.0, np.where(t < ramp, rising, decay))
    breaks = rng.random(n) < BREAKOUT_SHARE
    lo = np.maximum(launch + 4, 0)
    when = lo + np.floor(rng.random(n) * np.maximum(weeks - lo, 1)).astype(np.int64)
    breaks &= when < weeks
    tb = np.arange(n_weeks)[None, :] - when[:, None] + 0.5
    height = rng.uniform(3.0, 8.0, n)[:, None]
    fade = rng.uniform(2.0, 5.0, n)[:, None]
    bump = np.clip((tb + 1.0) / 1.5, 0.0, 1.0) * np.exp(-np.maximum(tb - 1.5, 0.0) / fade)
    bump = np.where(breaks[:, None] & (tb > -1.0), height * bump, 0.0)
    return np.asarray(curve + bump, dtype=np.float64), np.where(breaks, when, -1)


def build_catalog(rng: np.random.Generator, config: SimConfig) -> Catalog:
    """Draw shops and products for ``config``."""
    specs = config.category_specs
    n_products = max(8 * len(specs), round(config.creators * config.products_per_creator))
    shares = np.array([s.share for s in specs])
    category = rng.choice(len(specs), n_products, p=shares / shares.sum()).astype(np.int64)
    category.sort()
    # shops: each sells in one category; brands are bigger and better known
    n_per_cat = np.bincount(category, minlength=len(specs))
    shops_per_cat = np.maximum(1, np.round(n_per_cat / PRODUCTS_PER_SHOP).astype(np.int64))
    n_shops = int(shops_per_cat.sum())
    shop_cat = np.repeat(np.arange(len(specs)), shops_per_cat)
    brand = rng.random(n_shops) < BRAND_SHARE
    weight = rng.lognormal(0.0, 0.8, n_shops) * np.where(brand, 3.0, 1.0)
    shop = np.empty(n_products, dtype=np.int64)
    for c in range(len(specs)):
        members = np.flatnonzero(shop_cat == c)
        prob = weight[members] / weight[members].sum()
        shop[category == c] = rng.choice(members, int(n_per_cat[c]), p=prob)
    subs = [specs[c].subcategories for c in category]
    sub_pick = rng.integers(0, 12, n_products)
    subcategory = [s[k % len(s)] for s, k in zip(subs, sub_pick, strict=True)]

    launched_during = rng.random(n_products) < LAUNCHED_DURING_SHARE
    launch = np.where(
        launched_during,
        rng.integers(0, config.weeks, n_products),
        rng.integers(-PRELAUNCH_WEEKS, 0, n_products),
    ).astype(np.int64)
    t0 = start_us(config)
    listed = t0 + launch * 7 * US_PER_DAY + rng.integers(0, 6 * 3600, n_products) * 1_000_000
    shop_first = np.full(n_shops, np.iinfo(np.int64).max)
    np.minimum.at(shop_first, shop, listed)
    shop_first = np.where(shop_first == np.iinfo(np.int64).max, t0, shop_first)
    shop_joined = shop_first - rng.integers(1, 365, n_shops) * US_PER_DAY

    comm_lo = np.array([s.commission_min for s in specs])[category]
    comm_hi = np.array([s.commission_max for s in specs])[category]
    pct = np.round(rng.uniform(comm_lo, comm_hi) * 100) - np.where(brand[shop], 3, 0)
    commission = (np.clip(pct, 5, 30) * 10_000).astype(np.int64)

    base = rng.lognormal(0.0, APPEAL_SIGMA, n_products) * np.where(brand[shop], 1.5, 1.0)
    curve, breakout = _lifecycle(rng, launch, config.weeks + FUTURE_WEEKS, config.weeks)
    return Catalog(
        shop_brand=brand,
        shop_joined_us=shop_joined.astype(np.int64),
        shop_names=shop_names(rng, n_shops),
        category=category,
        shop=shop,
        subcategory=subcategory,
        title=product_titles(rng, subcategory),
        price_cents=_prices(rng, config, category),
        commission_micro=commission,
        listed_us=listed.astype(np.int64),
        launch_week=launch,
        base_appeal=base,
        breakout_week=breakout.astype(np.int64),
        appeal=base[:, None] * curve,
    )
