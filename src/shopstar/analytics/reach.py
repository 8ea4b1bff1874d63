"""Reach (expected views per post), posting cadence and size tier of each creator.

Reach is estimated per creator and content kind from the posts of the last :data:`REACH_DAYS`
days. Views are heavy-tailed (virality), so it is the log-normal mean ``exp(μ + s²/2)``, with
``s²`` the within-creator variance of log views pooled over every creator of that kind, and μ
the creator's mean log views shrunk (empirical Bayes) toward what their current follower count
predicts (a log-log fit over all creators of that kind): a few lucky posts do not make reach.
Cadence (posts per week) counts the posts of the days observed, up to :data:`CADENCE_DAYS`:
from the creator's joining date or the first content in the data, whichever is later (a
creator's post count is Poisson, so the longer the window, the surer the rate).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.audience import follower_growth
from shopstar.analytics.exact import LOGS, exact_cov, exact_mean, exact_sum, exact_var
from shopstar.analytics.facts import (
    Tables,
    day_window,
    lifetime_views,
)

REACH_DAYS = 28
CADENCE_DAYS = 182
TIER_BOUNDS = (10_000, 100_000, 1_000_000)  # followers: nano | micro | mid | macro
MIN_BETWEEN = 0.01  # floor of the between-creator variance of log reach


def _f(value: ir.NumericValue) -> ir.FloatingValue:
    return value.cast("float64")


def creator_reach(tables: Tables, as_of: dt.date) -> ir.Table:
    """Expected views per post and posts per week of each creator and content kind.

    Columns: creator_id, kind, reach, posts_per_week.
    """
    content = tables["content"]
    published = content.published_at.date()
    recent = content.filter(day_window(published, as_of, CADENCE_DAYS)).select(
        "content_id", "creator_id", "kind", fresh=day_window(published, as_of, REACH_DAYS)
    )
    posts = recent.left_join(lifetime_views(tables, as_of), "content_id").drop("content_id_right")
    posts = posts.mutate(log_views=(_f(posts.views.fill_null(0)) + 1.0).ln())
    per = posts.group_by(["creator_id", "kind"]).aggregate(
        posts=posts.count(),
        n=posts.count(where=posts.fresh),
        mean_log=exact_mean(posts.log_views, LOGS, posts.fresh),
        var_log=exact_var(posts.log_views, LOGS, "sample", posts.fresh),
    )
    audience = follower_growth(tables, as_of).select("creator_id", "followers")
    per = per.join(audience, "creator_id").left_join(_days_observed(tables, as_of), "creator_id")
    per = per.drop("creator_id_right").mutate(days=per.days.fill_null(CADENCE_DAYS))
    per = per.mutate(x=(_f(per.followers.fill_null(0)) + 1.0).ln())
    several = per.n >= 2
    fit = per.group_by("kind").aggregate(
        spread=exact_sum(per.var_log * _f(per.n - 1), LOGS, several)
        / _f((per.n - 1).sum(where=several)),
        cov_xy=exact_cov(per.x, per.mean_log, LOGS, "pop", several),
        var_x=exact_var(per.x, LOGS, "pop", several),
        mean_x=exact_mean(per.x, LOGS, several),
        mean_y=exact_mean(per.mean_log, LOGS, several),
    )
    out = per.join(fit, "kind")
    spread = out.spread.fill_null(0.0)
    slope = ibis.ifelse(out.var_x > 0, out.cov_xy / out.var_x, ibis.literal(0.0))
    predicted = out.mean_y.fill_null(out.mean_log) + slope * (out.x - out.mean_x.fill_null(out.x))
    noise = spread / _f(out.n)
    out = out.mutate(predicted=predicted, noise=noise, resid=out.mean_log - predicted)
    between = out.group_by("kind").aggregate(
        tau2=exact_var(out.resid, LOGS, "pop", out.n >= 2) - exact_mean(out.noise, LOGS, out.n >= 2)
    )
    out = out.join(between, "kind")
    tau2 = ibis.greatest(out.tau2.fill_null(MIN_BETWEEN), ibis.literal(MIN_BETWEEN))
    log_mean = ibis.ifelse(
        out.n > 0,
        (out.mean_log * tau2 + out.predicted * out.noise) / (tau2 + out.noise),
        out.predicted,
    )
    return out.select(
        "creator_id",
        "kind",
        reach=(log_mean + spread / 2.0).exp() - 1.0,
        posts_per_week=_f(out.posts) / (_f(out.days) / 7.0),
    )


def _days_observed(tables: Tables, as_of: dt.date) -> ir.Table:
    """The days each creator's posting was observed up to ``as_of``: at most
    :data:`CADENCE_DAYS`, from the later of the first content in the data and the creator's
    joining date (posts before either are not expected: the posts of the last
    :data:`CADENCE_DAYS` days are those of the days observed). Columns: creator_id, days.
    """
    content = tables["content"]
    first = content.aggregate(first=content.published_at.min().date())
    creators = tables["creators"].select("creator_id", joined=tables["creators"].joined_at.date())
    out = creators.cross_join(first)
    start = ibis.greatest(
        out.first,
        out.joined.fill_null(out.first),
        ibis.literal(as_of - dt.timedelta(days=CADENCE_DAYS - 1)),
    )
    days = ibis.literal(as_of).delta(start, unit="day") + 1
    return out.select("creator_id", days=ibis.greatest(days, ibis.literal(1)))


def creator_tier(tables: Tables, as_of: dt.date) -> ir.Table:
    """Each creator's size tier at ``as_of`` (0 nano, 1 micro, 2 mid, 3 macro by followers).

    Columns: creator_id, tier.
    """
    audience = follower_growth(tables, as_of)
    followers = audience.followers.fill_null(0)
    tier = ibis.literal(0, "int64")
    for bound in TIER_BOUNDS:
        tier = tier + ibis.ifelse(followers >= bound, 1, 0).cast("int64")
    return audience.select("creator_id", tier=tier)
