"""Content (videos and lives), the products they feature, their daily views and clicks, and the
affiliate order counts of the funnel, all drawn in aggregate (per content x product x day)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopstar.sim import model as m
from shopstar.sim.catalog import US_PER_DAY, Catalog, start_us
from shopstar.sim.config import SimConfig
from shopstar.sim.creators import OFF_FOCUS_CONTENT, Creators
from shopstar.sim.model import IntArray

VIDEO, LIVE = 0, 1


@dataclass(frozen=True)
class Content:
    """Contents, their products and daily stats; ``sale_*`` are the funnel's affiliate sales
    (one entry per content x product x day with at least one order)."""

    creator: IntArray
    kind: IntArray  # VIDEO or LIVE
    day: IntArray
    published_us: IntArray
    duration_s: IntArray
    cp_content: IntArray  # content_products, sorted by content
    cp_product: IntArray
    daily_content: IntArray  # content_daily rows
    daily_day: IntArray
    daily_views: IntArray
    daily_clicks: IntArray
    sale_content: IntArray
    sale_product: IntArray
    sale_day: IntArray
    sale_orders: IntArray

    @property
    def n(self) -> int:
        """Number of contents."""
        return len(self.creator)


def _schedule(
    rng: np.random.Generator, config: SimConfig, creators: Creators, lo: int, hi: int
) -> tuple[IntArray, IntArray, IntArray]:
    """Creator, kind and day of every content of creators ``lo`` to ``hi - 1``, ordered by
    creator then time."""
    w = config.weeks
    videos = rng.poisson(np.repeat(creators.videos_per_week[lo:hi, None], w, axis=1))
    lives = rng.poisson(np.repeat(creators.lives_per_week[lo:hi, None], w, axis=1))
    counts = np.stack([videos, lives], axis=2).reshape(-1)  # creator, week, kind
    cell = np.repeat(np.arange(counts.size), counts)
    creator = lo + cell // (2 * w)
    week = (cell // 2) % w
    kind = cell % 2
    day = week * 7 + rng.integers(0, 7, len(cell))
    order = np.lexsort((kind, day, creator))
    return creator[order], kind[order].astype(np.int64), day[order].astype(np.int64)


def _categories(rng: np.random.Generator, creators: Creators, creator: IntArray) -> IntArray:
    k = creators.focus.shape[1]
    cum = np.cumsum(creators.focus_weight, axis=1)[creator]
    u = rng.random(len(creator))
    in_focus = np.minimum((cum < u[:, None]).sum(axis=1), k - 1)
    off = rng.random(len(creator)) < OFF_FOCUS_CONTENT
    return np.where(off, rng.integers(0, k, len(creator)), in_focus).astype(np.int64)


def _pick_products(
    rng: np.random.Generator,
    catalog: Catalog,
    slot_cat: IntArray,
    slot_week: IntArray,
    slot_tier: IntArray,
) -> IntArray:
    """A product per slot: available in the slot's category and week, with probability
    proportional to appeal**gamma(tier) (bigger creators chase hotter products). -1 if none."""
    if len(slot_cat) == 0:
        return np.zeros(0, dtype=np.int64)
    weeks = catalog.appeal.shape[1]
    key = (slot_cat * weeks + slot_week) * len(m.TIER_GAMMA) + slot_tier
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    bounds = np.flatnonzero(np.diff(sorted_key)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [len(key)]])
    u = rng.random(len(key))
    picked = np.full(len(key), -1, dtype=np.int64)
    by_cat = [np.flatnonzero(catalog.category == c) for c in range(int(slot_cat.max()) + 1)]
    for s, e in zip(starts, ends, strict=True):
        kk = int(sorted_key[s])
        tier = kk % len(m.TIER_GAMMA)
        cat, week = divmod(kk // len(m.TIER_GAMMA), weeks)
        members = by_cat[cat]
        members = members[catalog.launch_week[members] <= week]
        if len(members) == 0:
            continue
        weight = np.power(catalog.appeal[members, week], m.TIER_GAMMA[tier])
        cdf = np.cumsum(weight)
        idx = np.searchsorted(cdf, u[order[s:e]] * cdf[-1], side="right")
        picked[order[s:e]] = members[np.minimum(idx, len(members) - 1)]
    return picked


def _group_index(counts: IntArray) -> tuple[IntArray, IntArray]:
    """For groups of the given sizes: the group of each row and the row's rank in its group."""
    group = np.repeat(np.arange(len(counts)), counts)
    offsets = np.cumsum(counts) - counts
    return group, np.arange(len(group)) - offsets[group]


def build_content(
    rng: np.random.Generator,
    config: SimConfig,
    catalog: Catalog,
    creators: Creators,
    shard: tuple[int, int],
) -> Content:
    """Draw the contents of the creators in ``shard`` (``[lo, hi)``), their products, daily
    views and clicks, and affiliate order counts. Content indices are local to the shard."""
    specs = config.category_specs
    creator, kind, day = _schedule(rng, config, creators, *shard)
    n = len(creator)
    is_live = kind == LIVE
    tod = np.where(
        is_live, rng.integers(12 * 3600, 21 * 3600, n), rng.integers(7 * 3600, 23 * 3600, n)
    )
    duration = np.where(
        is_live,
        np.clip(rng.lognormal(np.log(5400), 0.4, n), 1800, 10800),
        np.clip(rng.lognormal(np.log(35), 0.5, n), 8, 180),
    ).astype(np.int64)
    category = _categories(rng, creators, creator)
    followers = creators.followers_at(day.astype(np.float64), creator)

    # products featured: videos 1-3, lives 2-8
    u = rng.random(n)
    n_slots = np.where(
        is_live,
        2 + np.minimum(rng.poisson(m.LIVE_EXTRA_PRODUCTS, n), m.LIVE_MAX_PRODUCTS - 2),
        1 + (u > 0.7) + (u > 0.9),
    )
    slot_content = np.repeat(np.arange(n), n_slots)
    product = _pick_products(
        rng,
        catalog,
        category[slot_content],
        day[slot_content] // 7,
        m.tier_of(followers)[slot_content],
    )
    pairs = np.sort(slot_content[product >= 0] * catalog.n + product[product >= 0])
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]  # a product once per content
    cp_content, cp_product = pairs // catalog.n, pairs % catalog.n
    # drop contents none of whose products were available yet, then renumber
    kept = np.bincount(cp_content, minlength=n) > 0
    creator, kind, day, tod, duration = (a[kept] for a in (creator, kind, day, tod, duration))
    followers = followers[kept]
    cp_content = (np.cumsum(kept) - 1)[cp_content]
    n, is_live = len(creator), kind == LIVE
    published = start_us(config) + day * US_PER_DAY + tod * 1_000_000
    n_products = np.bincount(cp_content, minlength=n)

    # daily views
    expected = np.where(
        is_live,
        np.power(followers, m.VIEW_EXPONENT)
        * m.live_view_factor(duration.astype(np.float64))
        * m.mean_one_lognormal(rng, m.LIVE_VIEW_SIGMA, n),
        m.expected_video_views(followers) * m.mean_one_lognormal(rng, m.VIRALITY_SIGMA, n),
    )
    active = np.where(is_live, 1, np.minimum(m.VIDEO_LIFE_DAYS, config.days - day))
    d_content, d_rank = _group_index(active)
    shares = np.where(
        is_live[d_content], 1.0, m.video_day_shares()[np.minimum(d_rank, m.VIDEO_LIFE_DAYS - 1)]
    )
    views = rng.poisson(expected[d_content] * shares)
    d_offset = np.cumsum(active) - active

    # funnel per content x product x day
    quality_click = m.mean_one_lognormal(rng, m.QUALITY_SIGMA, n)
    quality_buy = m.mean_one_lognormal(rng, m.QUALITY_SIGMA, n)
    ctr = np.array([s.ctr for s in specs])
    cvr = np.array([s.cvr for s in specs])
    median = np.array([s.price_median for s in specs])
    p_cat = catalog.category[cp_product]
    half_skill = np.exp(creators.skill[creator[cp_content], p_cat] / 2.0)
    click_rate = (
        ctr[p_cat]
        * np.where(is_live[cp_content], m.LIVE_CTR, 1.0)
        * half_skill
        * quality_click[cp_content]
        / np.sqrt(n_products[cp_content])
    )
    buy_base = (
        cvr[p_cat]
        * m.price_factor(catalog.price[cp_product], median[p_cat])
        * np.where(is_live[cp_content], m.LIVE_CVR, 1.0)
        * half_skill
        * quality_buy[cp_content]
    )
    f_cp, f_rank = _group_index(active[cp_content])
    f_row = d_offset[cp_content[f_cp]] + f_rank
    clicks = rng.poisson(views[f_row] * click_rate[f_cp])
    daily_clicks = np.bincount(f_row, weights=clicks, minlength=len(views)).astype(np.int64)
    del f_row
    clicked = np.flatnonzero(clicks)  # only rows with clicks can sell
    f_cp, f_rank, clicks = f_cp[clicked], f_rank[clicked], clicks[clicked]
    f_content = cp_content[f_cp]
    f_day = day[f_content] + f_rank
    appeal = catalog.appeal[cp_product[f_cp], f_day // 7]
    buy = np.minimum(m.CVR_CAP, buy_base[f_cp] * np.power(appeal, m.APPEAL_CONVERSION))
    orders = rng.binomial(clicks, buy)
    sold = np.flatnonzero(orders > 0)
    return Content(
        creator=creator.astype(np.int64),
        kind=kind,
        day=day,
        published_us=published.astype(np.int64),
        duration_s=duration,
        cp_content=cp_content.astype(np.int64),
        cp_product=cp_product.astype(np.int64),
        daily_content=d_content.astype(np.int64),
        daily_day=(day[d_content] + d_rank).astype(np.int64),
        daily_views=views.astype(np.int64),
        daily_clicks=np.minimum(daily_clicks, views).astype(np.int64),
        sale_content=f_content[sold].astype(np.int64),
        sale_product=cp_product[f_cp[sold]].astype(np.int64),
        sale_day=f_day[sold].astype(np.int64),
        sale_orders=orders[sold].astype(np.int64),
    )
