"""Rising stars: creators early in their rise, with the evidence.

A creator × category is rising when the creator's audience grows fast (followers, log growth
per week over the last 28 days) or their reach per post grows fast, or when they sell clearly
better than average (the lower end of the skill band above 0) while their audience is still in
the smaller half of the category. ``rising_score`` ranks them: weekly follower growth plus half
the weekly reach growth, plus the skill lower bound for skilled small creators.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.facts import Tables, content_categories, content_views, day_window

GROWTH_DAYS = 28
FAST_GROWTH = 0.05  # log growth per week (~5%/week)
REACH_WEIGHT = 0.5


def _followers_at(daily: ir.Table, day: dt.date, lookback: int) -> ir.Table:
    """Followers of each creator on the latest creator_daily row in [day - lookback, day]."""
    recent = daily.filter(
        daily.date.between(ibis.literal(day - dt.timedelta(days=lookback)), ibis.literal(day))
    )
    last = recent.group_by("creator_id").aggregate(last_date=recent.date.max())
    joined = recent.join(
        last, [recent.creator_id == last.creator_id, recent.date == last.last_date]
    )
    return joined.select("creator_id", "followers")


def follower_growth(tables: Tables, as_of: dt.date) -> ir.Table:
    """Followers now and their log growth per week over the last :data:`GROWTH_DAYS` days.

    Columns: creator_id, followers (null when creator_daily has no recent row), follower_growth.
    Creators without daily history fall back to ``creators.followers`` and no growth.
    """
    daily = tables["creator_daily"]
    now = _followers_at(daily, as_of, 7)
    then = _followers_at(daily, as_of - dt.timedelta(days=GROWTH_DAYS), 7).rename(
        followers_then="followers"
    )
    creators = tables["creators"].select("creator_id", base_followers="followers")
    out = (
        creators.left_join(now, "creator_id")
        .drop("creator_id_right")
        .left_join(then, "creator_id")
        .drop("creator_id_right")
    )
    growth = ibis.ifelse(
        (out.followers > 0) & (out.followers_then > 0),
        (out.followers.cast("float64") / out.followers_then.cast("float64")).ln()
        / (GROWTH_DAYS / 7.0),
        ibis.null("float64"),
    )
    return out.select(
        "creator_id",
        followers=out.followers.coalesce(out.base_followers),
        follower_growth=growth,
    )


def reach_growth(tables: Tables, as_of: dt.date) -> ir.Table:
    """Log growth per week of views per post, last 28 days against the 28 before.

    Columns: creator_id, category, reach_growth.
    """
    views = content_views(tables, as_of)
    per_content = views.group_by(["content_id", "creator_id"]).aggregate(
        cur=views.views.sum(where=day_window(views.day, as_of, GROWTH_DAYS)),
        prev=views.views.sum(where=day_window(views.day, as_of, GROWTH_DAYS, back=1)),
    )
    in_cat = per_content.join(content_categories(tables), "content_id")
    agg = in_cat.group_by(["creator_id", "category"]).aggregate(
        cur_views=in_cat.cur.sum(),
        cur_posts=in_cat.content_id.nunique(where=in_cat.cur > 0),
        prev_views=in_cat.prev.sum(),
        prev_posts=in_cat.content_id.nunique(where=in_cat.prev > 0),
    )
    ok = (agg.cur_views > 0) & (agg.prev_views > 0) & (agg.cur_posts > 0) & (agg.prev_posts > 0)
    cur = agg.cur_views.cast("float64") / agg.cur_posts.cast("float64")
    prev = agg.prev_views.cast("float64") / agg.prev_posts.cast("float64")
    return agg.select(
        "creator_id",
        "category",
        reach_growth=ibis.ifelse(ok, (cur / prev).ln() / (GROWTH_DAYS / 7.0), ibis.null("float64")),
    )


def rising_table(tables: Tables, as_of: dt.date, skills: ir.Table) -> ir.Table:
    """Every creator × category of ``skills`` with its rising evidence, score and flag.

    Columns: creator_id, category, followers, follower_growth, reach_growth, audience_rank
    (percent rank of followers in the category, 0 = smallest), skill, skill_low, star_score,
    reach, rising_score, reason, is_rising.
    """
    out = (
        skills.select("creator_id", "category", "skill", "skill_low", "star_score", "reach")
        .left_join(follower_growth(tables, as_of), "creator_id")
        .drop("creator_id_right")
        .left_join(reach_growth(tables, as_of), ["creator_id", "category"])
        .drop("creator_id_right", "category_right")
    )
    window = ibis.window(group_by="category", order_by="followers")
    out = out.mutate(audience_rank=ibis.percent_rank().over(window))
    fg = out.follower_growth.fill_null(0.0)
    rg = out.reach_growth.fill_null(0.0)
    growing = (fg >= FAST_GROWTH) | (rg >= FAST_GROWTH)
    gifted = (out.skill_low > 0) & (out.audience_rank < 0.5)
    score = fg + REACH_WEIGHT * rg + ibis.ifelse(gifted, out.skill_low, ibis.literal(0.0))
    return out.mutate(
        rising_score=score,
        reason=ibis.cases(
            (growing & gifted, "fast growth; skilled with a small audience"),
            (growing, "fast growth"),
            (gifted, "skilled with a small audience"),
            else_="",
        ),
        is_rising=growing | gifted,
    )
