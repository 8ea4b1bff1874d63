"""Selling skill, reach and star_score per creator × category.

Skill compares the affiliate order lines a creator got from the views of their content with the
lines the *same products* get per view from every other creator (leave-one-out baseline per
product, smoothed toward the category rate). With ``O`` observed and ``E`` expected lines, the
multiplier has a Gamma prior of mean ``m`` and shape α per category (α from the between-creator
dispersion; ``m`` = 1 in the creator's main categories, the market-wide side-category ratio
elsewhere), so its posterior mean is ``(O + α m) / (E + α)``: small samples stay near what is
typical. ``skill`` is the log of that multiplier (0 = average seller of the same products),
with a 90% band of ±1.645/√(O + α).

star_score is the expected weekly affiliate GMV of the creator in the category: skill multiplier
× reach × posts per week × the category's GMV per view, per content kind and creator tier
(:mod:`shopstar.analytics.reach`), i.e. what the creator would sell with their whole cadence.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.facts import (
    Tables,
    content_categories,
    content_products,
    day_window,
    sold_lines,
    window_views,
)
from shopstar.analytics.reach import weekly_base

SKILL_DAYS = 90
PRIOR_LINES = 2.0  # pseudo order lines smoothing each product's baseline toward its category
MIN_EXPECTED = 5.0  # creators with at least this many expected lines estimate the dispersion
MIN_DISPERSION = 0.02  # floor of the between-creator variance of log skill
Z90 = 1.645
SIDE_PRIOR = 10.0  # pseudo-lines shrinking the side-category effect toward 1
MAIN_SHARE = 0.2  # share of a creator's posts that makes a category one of their main ones


def _f(value: ir.NumericValue) -> ir.FloatingValue:
    return value.cast("float64")


def pair_exposure(tables: Tables, as_of: dt.date, days: int = SKILL_DAYS) -> ir.Table:
    """Exposure and affiliate order lines of each creator × product × content kind.

    A content showing ``n`` products gives each of them ``views / sqrt(n)`` exposure: attention
    is shared between the products shown. Columns: creator_id, product_id, category, kind,
    exposure, lines, gmv. Only pairs with views count: skill is conversion of views, so lines
    without a content (showcase) are not part of it.
    """
    per_content = window_views(tables, as_of, days).drop("clicks")
    featured = content_products(tables)
    shown = featured.group_by("content_id").aggregate(n_products=featured.count())
    featured = featured.join(shown, "content_id").join(per_content, "content_id")
    exposure = _f(featured.views) / _f(featured.n_products).sqrt()
    pair_views = featured.group_by(["creator_id", "product_id", "category", "kind"]).aggregate(
        exposure=exposure.sum()
    )
    lines = sold_lines(tables, as_of)
    lines = lines.filter(lines.creator_id.notnull(), day_window(lines.day, as_of, days))
    pair_lines = lines.group_by(["creator_id", "product_id", lines.channel.name("kind")]).aggregate(
        lines=lines.count(), gmv=lines.gmv.sum()
    )
    keys = ["creator_id", "product_id", "kind"]
    out = pair_views.filter(pair_views.exposure > 0).left_join(pair_lines, keys)
    out = out.drop("creator_id_right", "product_id_right", "kind_right")
    return out.mutate(
        lines=out.lines.coalesce(ibis.literal(0, "int64")),
        gmv=out.gmv.coalesce(ibis.literal(0).cast("decimal(38, 2)")),
    )


def expected_lines(pairs: ir.Table) -> ir.Table:
    """Add ``expected``: the lines the pair's exposure would get at the baseline rate of the
    product in that content kind, from every *other* creator's exposure and lines, smoothed
    toward the category's rate for the kind.
    """
    product = pairs.group_by(["product_id", "kind"]).aggregate(
        p_exposure=pairs.exposure.sum(), p_lines=pairs.lines.sum()
    )
    category = pairs.group_by(["category", "kind"]).aggregate(
        c_rate=_f(pairs.lines.sum()) / pairs.exposure.sum()
    )
    out = pairs.join(product, ["product_id", "kind"]).join(category, ["category", "kind"])
    other_lines = _f(out.p_lines - out.lines)
    other_exposure = out.p_exposure - out.exposure
    rate = ibis.ifelse(
        out.c_rate > 0,
        (other_lines + PRIOR_LINES) / (other_exposure + PRIOR_LINES / out.c_rate),
        ibis.literal(0.0),
    )
    return out.mutate(expected=out.exposure * rate).drop("p_exposure", "p_lines", "c_rate")


def with_prior(seen: ir.Table) -> ir.Table:
    """Add ``prior``: the expected multiplier of a creator × category before its own data: 1 in
    the creator's main categories (at least :data:`MAIN_SHARE` of their posts), elsewhere the
    market-wide ratio of observed to expected lines in side categories (creators sell worse
    outside their niche)."""
    total = seen.group_by("creator_id").aggregate(all_posts=seen.posts.sum())
    out = seen.join(total, "creator_id")
    out = out.mutate(main=_f(out.posts) >= MAIN_SHARE * _f(out.all_posts))
    side = out.filter(~out.main)
    effect = side.aggregate(
        side=(_f(side.lines.sum()) + SIDE_PRIOR) / (side.expected.sum() + SIDE_PRIOR)
    )
    out = out.cross_join(effect)
    prior = ibis.ifelse(out.main, ibis.literal(1.0), out.side.fill_null(1.0).round(9))
    return out.mutate(prior=prior).drop("all_posts", "main", "side")


def skill_table(tables: Tables, as_of: dt.date, days: int = SKILL_DAYS) -> ir.Table:
    """Skill, its band, reach and star_score of every creator × category with views.

    Columns: creator_id, category, views, posts, lines, expected, prior_strength, multiplier,
    skill, skill_low, skill_high, reach, posts_per_week, value_per_view, star_score.
    """
    pairs = expected_lines(pair_exposure(tables, as_of, days))
    by_cat = pairs.group_by(["creator_id", "category"]).aggregate(
        lines=pairs.lines.sum(), expected=pairs.expected.sum(), gmv=pairs.gmv.sum()
    )

    per_content = window_views(tables, as_of, days).drop("kind", "clicks")
    in_cat = per_content.join(content_categories(tables), "content_id")
    seen = in_cat.group_by(["creator_id", "category"]).aggregate(
        views=in_cat.views.sum(), posts=in_cat.content_id.nunique()
    )
    seen = seen.filter(seen.views > 0).join(by_cat, ["creator_id", "category"])
    seen = with_prior(seen)

    expected = seen.expected * seen.prior
    log_ratio = ((_f(seen.lines) + 0.5) / (expected + 0.5)).ln()
    noise = 1.0 / (_f(seen.lines) + 0.5)
    sure = seen.expected >= MIN_EXPECTED
    dispersion = seen.group_by("category").aggregate(
        tau2=(log_ratio.var(how="pop", where=sure) - noise.mean(where=sure)).round(6)
    )
    dispersion = dispersion.mutate(
        prior_strength=1.0
        / ibis.greatest(dispersion.tau2.fill_null(MIN_DISPERSION), ibis.literal(MIN_DISPERSION))
    ).drop("tau2")

    out = seen.join(dispersion, "category").left_join(
        weekly_base(tables, as_of, days, seen), ["creator_id", "category"]
    )
    out = out.drop("creator_id_right", "category_right")
    alpha = out.prior_strength
    multiplier = (_f(out.lines) + alpha * out.prior) / (out.expected + alpha)
    band = Z90 / (_f(out.lines) + alpha).sqrt()
    zero = ibis.literal(0.0)
    out = out.mutate(
        multiplier=multiplier,
        skill=multiplier.ln(),
        reach=out.reach.fill_null(zero),
        posts_per_week=out.posts_per_week.fill_null(zero),
        value_per_view=out.value_per_view.fill_null(zero),
        star_score=multiplier * out.base_gmv.fill_null(zero),
    )
    out = out.mutate(skill_low=out.skill - band, skill_high=out.skill + band)
    return out.select(
        "creator_id",
        "category",
        "views",
        "posts",
        "lines",
        "expected",
        "gmv",
        "prior_strength",
        "multiplier",
        "skill",
        "skill_low",
        "skill_high",
        "reach",
        "posts_per_week",
        "value_per_view",
        "star_score",
    )
