"""Selling skill, reach and star_score per creator × category.

Skill compares the affiliate order lines a creator got from the views of their content with the
lines the *same products* get per view from every other creator (leave-one-out baseline per
product, smoothed toward the category rate). With ``O`` observed and ``E`` expected lines, the
multiplier has a Gamma prior of mean ``m`` and shape α per category (α from the between-creator
dispersion; ``m`` = 1 in the creator's main categories, the market-wide side-category ratio
elsewhere), so small samples stay near what is typical (the posterior mean is below). The
pair's click rate (clicks per view against the category's, some 25 times more
clicks than order lines), read content by content so that a viral post does not outweigh the
others, moves ``m`` by what it predicts of the pair's conversion, with a slope measured over
the well-seen pairs of the category, and narrows the prior accordingly. Each content has an
appeal of its own (its spread measured from the clicks), which its order lines carry too: the
fewer posts hold a pair's views, the less its O and E count, ``κ`` = 1 / (1 + O d) of them
with ``d`` = spread × Σ views² / (Σ views)², so the posterior mean is
``(κ O + α m) / (κ E + α)``. ``skill`` is the log of that multiplier (0 = average seller of the
same products), with a 90% band of ±1.645/√(κ O + α). The baselines are computed twice: the
second time, each other seller's exposure is weighted by their first-pass multiplier, so a
product's baseline does not depend on how gifted the few creators who featured it happen to be.

star_score is the expected weekly affiliate GMV of the creator in the category: skill multiplier
× reach × posts per week × the category's GMV per view, per content kind and creator tier
(:mod:`shopstar.analytics.reach`), i.e. what the creator would sell with their whole cadence.

Every float aggregate is an exact sum (:mod:`shopstar.analytics.exact`): results do not depend
on the order a parallel engine adds rows in, so two runs over the same data agree bit for bit.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.exact import (
    LINES,
    LOGS,
    MONEY,
    VIEWS,
    exact_cov,
    exact_mean,
    exact_sum,
    exact_var,
    fixed,
)
from shopstar.analytics.facts import (
    Tables,
    content_categories,
    content_products,
    day_window,
    products_shown,
    shared,
    sold_lines,
    views_with_recent,
)
from shopstar.analytics.reach import creator_reach, creator_tier

SKILL_DAYS = 90
PRIOR_LINES = 2.0  # pseudo order lines smoothing each product's baseline toward its category
VALUE_DAYS = 28  # the products creators feature now, and their current rates, value a view
MIN_EXPECTED = 5.0  # creators with at least this many expected lines estimate the dispersion
MIN_DISPERSION = 0.02  # floor of the between-creator variance of log skill
Z90 = 1.645
SIDE_PRIOR = 10.0  # pseudo-lines shrinking the side-category effect toward 1
MAIN_SHARE = 0.2  # share of a creator's posts that makes a category one of their main ones
CLICK_SPREAD = 0.1  # working variance of one content's log click ratio (weights; measured ~0.09)
MIN_CLICK_EXPOSURE = 2000.0  # views × √products of a content read alone (~20+ expected clicks)


def _f(value: ir.NumericValue) -> ir.FloatingValue:
    return value.cast("float64")


def _ratio(num: ir.NumericValue, den: ir.NumericValue) -> ir.FloatingValue:
    """``num / den``, null unless ``den`` > 0 (0 / 0 is NaN on DuckDB but null on Spark)."""
    return ibis.ifelse(den > 0, _f(num) / _f(den), ibis.null("float64"))


def pair_exposure(tables: Tables, as_of: dt.date, days: int = SKILL_DAYS) -> ir.Table:
    """Exposure and affiliate order lines of each creator × product × content kind.

    A content showing ``n`` products gives each of them ``views / sqrt(n)`` exposure: attention
    is shared between the products shown. Columns: creator_id, product_id, category, kind,
    exposure, lines, gmv over ``days``, and recent_exposure, recent_lines, recent_gmv over the
    last :data:`VALUE_DAYS` (read in the same pass). Only pairs with views count: skill is
    conversion of views, so lines without a content (showcase) are not part of it.
    """
    if (computed := shared(tables, f"pair_exposure_{days}", as_of)) is not None:
        return computed
    per_content = views_with_recent(tables, as_of, days, VALUE_DAYS).drop("clicks")
    featured = content_products(tables).join(products_shown(tables), "content_id")
    featured = featured.join(per_content, "content_id")
    share = 1.0 / _f(featured.n_products).sqrt()
    pair_views = featured.group_by(["creator_id", "product_id", "category", "kind"]).aggregate(
        exposure=exact_sum(_f(featured.views) * share, VIEWS),
        recent_exposure=exact_sum(_f(featured.recent.fill_null(0)) * share, VIEWS),
    )
    lines = sold_lines(tables, as_of)
    lines = lines.filter(lines.creator_id.notnull(), day_window(lines.day, as_of, days))
    fresh = day_window(lines.day, as_of, VALUE_DAYS)
    pair_lines = lines.group_by(["creator_id", "product_id", lines.channel.name("kind")]).aggregate(
        lines=lines.count(),
        gmv=lines.gmv.sum(),
        recent_lines=lines.count(where=fresh),
        recent_gmv=lines.gmv.sum(where=fresh),
    )
    keys = ["creator_id", "product_id", "kind"]
    out = pair_views.filter(pair_views.exposure > 0).left_join(pair_lines, keys)
    out = out.drop("creator_id_right", "product_id_right", "kind_right")
    no_money = ibis.literal(0).cast("decimal(38, 2)")
    return out.mutate(
        lines=out.lines.coalesce(ibis.literal(0, "int64")),
        gmv=out.gmv.coalesce(no_money),
        recent_lines=out.recent_lines.coalesce(ibis.literal(0, "int64")),
        recent_gmv=out.recent_gmv.coalesce(no_money),
    )


def _smoothed(
    lines: ir.NumericValue, exposure: ir.NumericValue, prior: ir.FloatingValue
) -> ir.FloatingValue:
    """Lines per exposure with :data:`PRIOR_LINES` pseudo-lines at the ``prior`` rate."""
    return ibis.ifelse(
        prior > 0,
        (_f(lines) + PRIOR_LINES) / (exposure + PRIOR_LINES / prior),
        ibis.literal(0.0),
    )


def expected_lines(pairs: ir.Table, sellers: ir.Table | None = None) -> ir.Table:
    """Add ``expected``: the lines the pair's exposure would get at the baseline rate of the
    product in that content kind, from every *other* creator's exposure and lines, smoothed
    toward the category's rate for the kind; and ``recent_value``: the GMV its recent exposure
    would make at the product's recent rate (all creators, smoothed the same way) and GMV per
    line — what an average seller makes of the products featured now.

    With ``sellers`` (creator_id, category, multiplier), each creator's exposure counts
    ``multiplier`` times in the products' and categories' rates: a product sold mostly by
    gifted (or poor) sellers gets the rate an average seller would get, not theirs.
    """
    if sellers is None:  # every seller counts once: the pairs' own exposure
        weighted = pairs
        seller: ir.FloatingValue = ibis.literal(1.0)
    else:  # joined twice (for the sums, narrow; for each pair) rather than materialised
        used = ["creator_id", "product_id", "category", "kind", "exposure", "recent_exposure"]
        used += ["lines", "gmv", "recent_lines", "recent_gmv"]
        weighted = pairs.select(used).left_join(sellers, ["creator_id", "category"])
        pairs = pairs.left_join(sellers, ["creator_id", "category"])
        pairs = pairs.drop("creator_id_right", "category_right")
        seller = pairs.multiplier.fill_null(1.0)
        pairs = pairs.mutate(seller=seller).drop("multiplier")
        seller = weighted.multiplier.fill_null(1.0)
    # the sums are exact (integers in units of 10**-VIEWS): a category's are its products'
    w_exposure = weighted.exposure if sellers is None else weighted.exposure * seller
    w_recent = weighted.recent_exposure if sellers is None else weighted.recent_exposure * seller
    product = weighted.group_by(["product_id", "category", "kind"]).aggregate(
        p_units=fixed(w_exposure, VIEWS).sum(),
        p_lines=weighted.lines.sum(),
        r_units=fixed(w_recent, VIEWS).sum(),
        r_lines=weighted.recent_lines.sum(),
        p_gmv=weighted.gmv.sum(),
        p_recent_gmv=weighted.recent_gmv.sum(),
    )
    category = product.group_by(["category", "kind"]).aggregate(
        c_rate=_ratio(product.p_lines.sum(), _units(product.p_units.sum())),
        c_recent=_ratio(product.r_lines.sum(), _units(product.r_units.sum())),
        c_line_gmv=_ratio(product.p_gmv.sum(), product.p_lines.sum()),
    )
    baseline = product.join(category, ["category", "kind"]).select(
        "product_id",
        "kind",
        "p_lines",
        "r_lines",
        "c_rate",
        "c_recent",
        "c_line_gmv",
        p_exposure=_units(product.p_units),
        r_exposure=_units(product.r_units),
        r_gmv=_f(product.p_recent_gmv),
    )
    out = pairs.join(baseline, ["product_id", "kind"])
    own = out.exposure if sellers is None else out.exposure * out.seller
    rate = _smoothed(out.p_lines - out.lines, out.p_exposure - own, out.c_rate)
    recent_rate = _smoothed(out.r_lines, out.r_exposure, out.c_recent.fill_null(0.0))
    line_gmv = ibis.ifelse(out.r_lines > 0, out.r_gmv / _f(out.r_lines), out.c_line_gmv)
    out = out.mutate(
        expected=out.exposure * rate,
        recent_value=out.recent_exposure * recent_rate * line_gmv.fill_null(0.0),
    )
    return out.drop(*baseline.columns[2:], *(["seller"] if sellers is not None else []))


def _units(total: ir.IntegerValue) -> ir.FloatingValue:
    """An exact sum of :func:`~shopstar.analytics.exact.fixed` views as a float (as
    :func:`~shopstar.analytics.exact.exact_sum` gives it)."""
    return total.cast("float64") / float(10**VIEWS)


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
        side=(_f(side.lines.sum()) + SIDE_PRIOR) / (exact_sum(side.expected, LINES) + SIDE_PRIOR)
    )
    out = out.cross_join(effect)
    prior = ibis.ifelse(out.main, ibis.literal(1.0), out.side.fill_null(1.0))
    return out.mutate(prior=prior).drop("all_posts", "main", "side")


def creator_prior(seen: ir.Table) -> ir.Table:
    """Add ``prior`` and ``prior_strength``: the mean and shape of the Gamma prior of each
    creator × category multiplier, from the creator's *other* categories.

    Log skill is a creator-wide part plus a category part. With ``r`` = log(observed / (m ×
    expected)) and its Poisson noise ``v``, the category part's variance τ²_s is what remains
    of r's variance once noise and the creator-wide variance τ²_g are removed; τ²_g is the
    covariance of r between two categories of the same creator. The creator-wide part seen
    from the other categories, ``g`` (precision-weighted mean of their centred r, shrunk by
    τ²_g), moves the prior mean to ``m × exp(g)``; the prior's variance is τ²_s plus g's
    uncertainty, and its shape is the inverse of that. Before all this, the part of r that the
    pair's own click rate predicts (:func:`_click_evidence`) is taken out of r and put into the
    prior mean, with the variance of that prediction added to the prior's. r's noise is the
    Poisson term plus ``overdispersion`` (:func:`_content_evidence`).
    """
    ratio = ((_f(seen.lines) + 0.5) / (seen.expected * seen.prior + 0.5)).ln()
    noise = 1.0 / (_f(seen.lines) + 0.5) + seen.overdispersion
    out = seen.mutate(ratio=ratio, noise=noise, sure=seen.expected >= MIN_EXPECTED)
    out = _click_evidence(out)
    out = out.mutate(ratio=out.ratio - out.from_clicks)
    per_cat = out.group_by("category").aggregate(
        tau2=exact_var(out.ratio, LOGS, "pop", out.sure) - exact_mean(out.noise, LOGS, out.sure),
        centre=exact_mean(out.ratio, LOGS, out.sure),
    )
    out = out.join(per_cat, "category")
    out = out.mutate(resid=out.ratio - out.centre.fill_null(0.0))
    sure_resid = ibis.ifelse(out.sure, out.resid, ibis.literal(0.0))
    per_creator = out.group_by("creator_id").aggregate(
        s1=exact_sum(sure_resid, LOGS),
        s2=exact_sum(sure_resid * sure_resid, LOGS),
        n=out.sure.cast("int64").sum(),
    )
    pairs_within = _f((per_creator.n * (per_creator.n - 1)).sum())
    shared_var = per_creator.aggregate(
        tau2_g=ibis.ifelse(
            pairs_within > 0,
            exact_sum(per_creator.s1 * per_creator.s1 - per_creator.s2, LOGS) / pairs_within,
            ibis.null("float64"),
        )
    )
    out = out.cross_join(shared_var)
    floor = ibis.literal(MIN_DISPERSION)
    tau2_g = ibis.greatest(out.tau2_g.fill_null(MIN_DISPERSION), floor)
    tau2_s = ibis.greatest(out.tau2.fill_null(MIN_DISPERSION) - tau2_g, floor)
    out = out.mutate(tau2_g=tau2_g, tau2_s=tau2_s, weight=1.0 / (tau2_s + out.noise))
    creator = ibis.window(group_by="creator_id")
    others = exact_sum(out.weight, LOGS, over=creator) - out.weight
    precision = 1.0 / out.tau2_g + others
    pulls = exact_sum(out.weight * out.resid, LOGS, over=creator)
    shift = (pulls - out.weight * out.resid) / precision
    out = out.mutate(
        prior=out.prior * (shift + out.from_clicks).exp(),
        prior_strength=1.0 / (out.tau2_s + 1.0 / precision + out.clicks_doubt),
    )
    return out.drop(
        "ratio",
        "noise",
        "sure",
        "tau2",
        "centre",
        "resid",
        "tau2_g",
        "tau2_s",
        "weight",
        "from_clicks",
        "clicks_doubt",
        "click_log",
        "click_noise",
    )


def _click_evidence(out: ir.Table) -> ir.Table:
    """Add ``from_clicks``: the part of each pair's log ratio (``ratio``) its click rate
    predicts, and ``clicks_doubt``: the variance that prediction adds, from the pair's log
    click ratio ``click_log`` and its noise ``click_noise`` (:func:`_per_category`,
    :func:`_content_evidence`).

    Clicks are some 25 times more numerous than order lines, and viewers who click on a
    creator's products more also buy more of them. Per category, over the pairs with at least
    :data:`MIN_EXPECTED` expected lines (``sure``), ``slope`` is the covariance of the log
    ratio with ``click_log`` over its variance net of its noise; each pair's centred
    ``click_log`` is shrunk by its reliability before the slope applies, so one post's clicks
    say little.
    """
    per_cat = out.group_by("category").aggregate(
        click_centre=exact_mean(out.click_log, LOGS, out.sure),
        click_var=exact_var(out.click_log, LOGS, "pop", out.sure)
        - exact_mean(out.click_noise, LOGS, out.sure),
        click_cov=exact_cov(out.ratio, out.click_log, LOGS, "pop", out.sure),
    )
    out = out.left_join(per_cat, "category").drop("category_right")
    var = out.click_var.fill_null(0.0)
    known = var > 0
    slope = ibis.ifelse(known, out.click_cov.fill_null(0.0) / var, ibis.literal(0.0))
    reliability = ibis.ifelse(known, var / (var + out.click_noise), ibis.literal(0.0))
    centred = out.click_log - out.click_centre.fill_null(0.0)
    out = out.mutate(
        from_clicks=slope * reliability * centred,
        clicks_doubt=slope * slope * var * (1.0 - reliability),
    )
    return out.drop("click_centre", "click_var", "click_cov")


def star_base(tables: Tables, as_of: dt.date, by_kind: ir.Table, pairs: ir.Table) -> ir.Table:
    """Weekly affiliate GMV an average seller would make with each creator's reach and cadence
    in each category of ``pairs`` (creator_id, category, tier), valued by the views of
    ``by_kind`` (category, kind, tier, recent_views, recent_value).

    A view's value in a category, per content kind and creator tier, is the GMV the products
    creators of that tier featured there lately would have sold per view at the products'
    recent rates (``recent_value``): no creator's own skill is counted in it, bigger creators
    pick hotter products so a view of theirs is worth more, and it follows the products' life
    cycle. Without recent views of that tier, all tiers' value stands in. Columns: creator_id,
    category, reach, posts_per_week, value_per_view, base_gmv.
    """
    value = by_kind.group_by(["category", "kind", "tier"]).aggregate(
        value_per_view=_ratio(exact_sum(by_kind.recent_value, MONEY), by_kind.recent_views.sum())
    )
    any_tier = by_kind.group_by(["category", "kind"]).aggregate(
        any_tier=_ratio(exact_sum(by_kind.recent_value, MONEY), by_kind.recent_views.sum())
    )
    kinds = pairs.join(creator_reach(tables, as_of), "creator_id")
    kinds = kinds.left_join(value, ["category", "kind", "tier"]).drop(
        "category_right", "kind_right", "tier_right"
    )
    kinds = kinds.left_join(any_tier, ["category", "kind"]).drop("category_right", "kind_right")
    per_view = kinds.value_per_view.coalesce(kinds.any_tier).fill_null(0.0)
    weekly_views = kinds.reach * kinds.posts_per_week
    out = kinds.group_by(["creator_id", "category"]).aggregate(
        weekly_views=exact_sum(weekly_views, VIEWS),
        posts_per_week=exact_sum(kinds.posts_per_week, LOGS),
        base_gmv=exact_sum(weekly_views * per_view, MONEY),
    )
    return out.select(
        "creator_id",
        "category",
        "posts_per_week",
        "base_gmv",
        reach=ibis.ifelse(
            out.posts_per_week > 0, out.weekly_views / out.posts_per_week, ibis.literal(0.0)
        ),
        value_per_view=ibis.ifelse(
            out.weekly_views > 0, out.base_gmv / out.weekly_views, ibis.literal(0.0)
        ),
    )


def _sold(pairs: ir.Table) -> ir.Table:
    """Observed and expected lines, GMV and recent value per creator × category × kind."""
    return pairs.group_by(["creator_id", "category", "kind"]).aggregate(
        lines=pairs.lines.sum(),
        expected=exact_sum(pairs.expected, LINES),
        gmv=pairs.gmv.sum(),
        recent_value=exact_sum(pairs.recent_value, MONEY),
    )


def kind_totals(tables: Tables, as_of: dt.date, days: int = SKILL_DAYS) -> ir.Table:
    """Views, clicks, posts and order lines of each creator × category × content kind with
    views, what skill and star_score add up. ``click_exposure`` is the views weighted by the
    square root of the products each content shows (its clicks grow with it); the ``content_*``
    sums read each content's clicks against its own click exposure (:func:`_content_sums`).
    Columns: creator_id, category, kind, tier, views, recent_views, posts, clicks,
    click_exposure, content_n, content_a, content_a2, content_p, content_w, content_wa,
    pooled_n, pooled_clicks, pooled_exposure, content_v2, lines, expected, gmv, recent_value.
    """
    if (computed := shared(tables, f"kind_totals_{days}", as_of)) is not None:
        return computed
    keys = ["creator_id", "category", "kind"]
    sold = _sold(expected_lines(pair_exposure(tables, as_of, days)))
    per_content = views_with_recent(tables, as_of, days, VALUE_DAYS)
    in_cat = (
        per_content.join(content_categories(tables), "content_id")
        .join(products_shown(tables), "content_id")
        .join(creator_tier(tables, as_of), "creator_id")
    )
    by_kind = in_cat.group_by([*keys, "tier"]).aggregate(
        views=in_cat.views.sum(),
        recent_views=in_cat.recent.sum(),
        posts=in_cat.count(),  # one row per content x category: no distinct needed
        clicks=in_cat.clicks.fill_null(0).sum(),
        click_exposure=exact_sum(_f(in_cat.views) * _f(in_cat.n_products).sqrt(), VIEWS),
        **_content_sums(in_cat),
    )
    return by_kind.filter(by_kind.views > 0).join(sold, keys)


def reweighted_totals(tables: Tables, as_of: dt.date, days: int = SKILL_DAYS) -> ir.Table:
    """:func:`kind_totals` with the expected lines and recent value of a second pass, whose
    product baselines weight every other seller's exposure by their first-pass multiplier.
    Same columns; what skill and star_score read.
    """
    if (computed := shared(tables, f"reweighted_totals_{days}", as_of)) is not None:
        return computed
    by_kind = kind_totals(tables, as_of, days)
    sellers = first_multipliers(tables, as_of, days)
    sold = _sold(expected_lines(pair_exposure(tables, as_of, days), sellers))
    by_kind = by_kind.drop("lines", "expected", "gmv", "recent_value")
    return by_kind.join(sold, ["creator_id", "category", "kind"])


def first_multipliers(tables: Tables, as_of: dt.date, days: int = SKILL_DAYS) -> ir.Table:
    """The first pass's posterior multiplier of each creator × category (from
    :func:`kind_totals`): how much each seller's exposure counts in the second pass's
    baselines. Columns: creator_id, category, multiplier."""
    if (computed := shared(tables, f"first_multipliers_{days}", as_of)) is not None:
        return computed
    by_kind = kind_totals(tables, as_of, days)
    return _posterior(_per_category(by_kind)).select("creator_id", "category", "multiplier")


def _per_category(by_kind: ir.Table) -> ir.Table:
    """Creator × category totals of :func:`kind_totals` rows (tier: the creator's), with
    ``expected_clicks``: the clicks of the click exposure at the category's rate per kind, and
    the click evidence read content by content (:func:`_content_evidence`): ``click_log``,
    ``click_noise``, ``overdispersion``."""
    rate = by_kind.group_by(["category", "kind"]).aggregate(
        click_rate=_ratio(by_kind.clicks.sum(), exact_sum(by_kind.click_exposure, VIEWS))
    )
    by_kind = by_kind.join(rate, ["category", "kind"])
    rated = by_kind.click_rate.fill_null(0.0) > 0
    lr = ibis.ifelse(rated, by_kind.click_rate.ln(), ibis.literal(0.0))
    n = _f(by_kind.content_n)
    out = by_kind.group_by(["creator_id", "category"]).aggregate(
        views=by_kind.views.sum(),
        posts=by_kind.posts.sum(),
        lines=by_kind.lines.sum(),
        expected=exact_sum(by_kind.expected, LINES),
        gmv=by_kind.gmv.sum(),
        clicks=by_kind.clicks.sum(),
        expected_clicks=exact_sum(
            by_kind.click_exposure * by_kind.click_rate.fill_null(0.0), LINES
        ),
        tier=by_kind.tier.max(),
        content_n=by_kind.content_n.sum(where=rated),
        pooled_n=by_kind.pooled_n.sum(where=rated),
        pooled_clicks=by_kind.pooled_clicks.sum(where=rated),
        pooled_expected=exact_sum(by_kind.pooled_exposure * by_kind.click_rate, LINES, rated),
        rate_a=exact_sum(by_kind.content_a - n * lr, LOGS, rated),
        rate_a2=exact_sum(
            by_kind.content_a2 - 2.0 * lr * by_kind.content_a + n * lr * lr, LOGS, rated
        ),
        rate_p=exact_sum(by_kind.content_p, LOGS, rated),
        rate_w=exact_sum(by_kind.content_w, LOGS, rated),
        rate_wl=exact_sum(by_kind.content_wa - lr * by_kind.content_w, LOGS, rated),
        rate_v2=exact_sum(by_kind.content_v2, VIEWS),
    )
    return _content_evidence(
        out.mutate(
            content_n=out.content_n.fill_null(0),
            pooled_n=out.pooled_n.fill_null(0),
            pooled_clicks=out.pooled_clicks.fill_null(0),
            pooled_expected=out.pooled_expected.fill_null(0.0),
            **{c: out[c].fill_null(0.0) for c in out.columns if c.startswith("rate_")},
        )
    )


def _content_sums(contents: ir.Table) -> dict[str, ir.Value]:
    """Sums over ``contents`` (views, clicks, n_products per content) that the click evidence
    reads (:func:`_content_evidence`). Contents with at least :data:`MIN_CLICK_EXPOSURE`
    click exposure (views × √products) are read alone: with ``a`` = ln((clicks + ½) / click
    exposure), ``p`` = 1 / (clicks + ½) its Poisson noise and ``w`` = 1 / (:data:`CLICK_SPREAD`
    + p), their count, Σa, Σa², Σp, Σw, Σwa; the others' clicks, click exposure and count are
    pooled (one small post's clicks are too few to read alone); and Σ(views/1000)²."""
    seen = contents.views > 0
    clicks = _f(contents.clicks.fill_null(0))
    exposure = _f(contents.views) * _f(contents.n_products).sqrt()
    alone = seen & (exposure >= MIN_CLICK_EXPOSURE)
    pooled = seen & (exposure < MIN_CLICK_EXPOSURE)
    a = ibis.ifelse(alone, ((clicks + 0.5) / exposure).ln(), ibis.null("float64"))
    p = 1.0 / (clicks + 0.5)
    w = 1.0 / (CLICK_SPREAD + p)
    thousands = _f(contents.views) / 1000.0
    return {
        "content_n": alone.cast("int64").sum(),
        "content_a": exact_sum(a, LOGS, alone),
        "content_a2": exact_sum(a * a, LOGS, alone),
        "content_p": exact_sum(p, LOGS, alone),
        "content_w": exact_sum(w, LOGS, alone),
        "content_wa": exact_sum(w * a, LOGS, alone),
        "pooled_n": pooled.cast("int64").sum(),
        "pooled_clicks": contents.clicks.fill_null(0).sum(where=pooled),
        "pooled_exposure": exact_sum(exposure, VIEWS, pooled),
        "content_v2": exact_sum(thousands * thousands, VIEWS, seen),
    }


def _content_evidence(pairs: ir.Table) -> ir.Table:
    """Add the click evidence of each creator × category, from the :func:`_content_sums` of
    its kinds with the category's clicks per click exposure per kind taken out
    (:func:`_per_category`: ``rate_*`` sums, ``pooled_*``).

    A content's log click ratio ``l`` = a − ln(rate) is the creator's click rate plus the
    content's own appeal, whose variance ``spread`` is measured: the within-pair variance of
    ``l`` over the contents read alone, net of their Poisson noise. ``click_log`` is the mean of
    the ``l`` of the pair's contents read alone, weighted by 1 / (:data:`CLICK_SPREAD` + Poisson
    noise), and of the log ratio of the pooled ones' clicks to their expected clicks (weight:
    1 / (Poisson noise + :data:`CLICK_SPREAD` per post)); ``click_noise`` is 1 / Σ weights: a
    viral post does not outweigh the others as it does in the pair's summed clicks. A
    content's order lines go through its clicks, so its appeal is in them too:
    ``overdispersion`` = spread × Σ v² / (Σ v)² (v: the contents' views; 0 where no spread
    could be measured) is what it adds to the variance of the pair's log ratio of observed to
    expected lines.
    """
    n = _f(pairs.content_n)
    within = pairs.rate_a2 - pairs.rate_a * pairs.rate_a / n
    several = pairs.content_n >= 2
    spread = pairs.aggregate(
        spread=(
            exact_sum(within, LOGS, several)
            - exact_sum(pairs.rate_p * (1.0 - 1.0 / n), LOGS, several)
        )
        / _f((pairs.content_n - 1).sum(where=several))
    )
    out = pairs.cross_join(spread)
    measured = ibis.greatest(out.spread.fill_null(0.0), ibis.literal(0.0))
    thousands = _f(out.views) / 1000.0
    pooled_clicks = _f(out.pooled_clicks) + 0.5
    pooled = out.pooled_n > 0
    pooled_log = (pooled_clicks / (out.pooled_expected + 0.5)).ln()
    pooled_weight = ibis.ifelse(
        pooled, 1.0 / (1.0 / pooled_clicks + CLICK_SPREAD / _f(out.pooled_n)), ibis.literal(0.0)
    )
    weight = out.rate_w + pooled_weight
    known = weight > 0
    return out.mutate(
        click_log=ibis.ifelse(
            known,
            (out.rate_wl + ibis.ifelse(pooled, pooled_weight * pooled_log, 0.0)) / weight,
            ibis.literal(0.0),
        ),
        click_noise=ibis.ifelse(known, 1.0 / weight, ibis.literal(1.0)),
        overdispersion=measured * out.rate_v2 / (thousands * thousands),
    ).drop(
        "spread",
        "content_n",
        "pooled_n",
        "pooled_clicks",
        "pooled_expected",
        *[c for c in out.columns if c.startswith("rate_")],
    )


def _posterior(seen: ir.Table) -> ir.Table:
    """Add the prior (:func:`with_prior`, :func:`creator_prior`) and the posterior mean
    ``multiplier`` of each creator × category: the Gamma–Poisson mean with the order-line
    evidence discounted by its ``overdispersion`` d, ``kept`` = 1 / (1 + O d) of the lines
    and expected lines counting (the precision of ln(O / E) falls from O to O / (1 + O d))."""
    out = creator_prior(with_prior(seen.drop("tier")))
    alpha = out.prior_strength
    kept = 1.0 / (1.0 + _f(out.lines) * out.overdispersion)
    return out.mutate(
        kept=kept,
        multiplier=(kept * _f(out.lines) + alpha * out.prior) / (kept * out.expected + alpha),
    )


def skill_table(tables: Tables, as_of: dt.date, days: int = SKILL_DAYS) -> ir.Table:
    """Skill, its band, reach and star_score of every creator × category with views.

    Columns: creator_id, category, views, posts, lines, expected, gmv, prior_strength,
    multiplier, skill, skill_low, skill_high, reach, posts_per_week, value_per_view, star_score.
    """
    by_kind = reweighted_totals(tables, as_of, days)
    seen = _per_category(by_kind)
    base = star_base(tables, as_of, by_kind, seen.select("creator_id", "category", "tier"))
    out = _posterior(seen).left_join(base, ["creator_id", "category"])
    out = out.drop("creator_id_right", "category_right")
    multiplier = out.multiplier
    band = Z90 / (out.kept * _f(out.lines) + out.prior_strength).sqrt()
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
