"""Rising stars: creators early in their rise, with the evidence.

A creator × category is rising when the creator's audience grows fast (followers, log growth
per week over the last 28 days), or when they sell clearly better than average (the lower end
of the skill band above :data:`GIFTED_SKILL`) while their audience is still in the smallest
third of the category. ``rising_score`` ranks them: weekly follower growth, plus the margin of
the skill lower bound for skilled small creators. The growth of reach per post is reported as
evidence only: virality makes it too noisy to flag on.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.audience import GROWTH_DAYS, follower_growth
from shopstar.analytics.facts import Tables, content_categories, growth_views

FAST_GROWTH = 0.03  # log growth of followers per week (~3%/week)
GIFTED_SKILL = 0.8  # lower end of the skill band above which a small creator is rising
# (0.25 before the skill read click rates: its narrower bands then flagged 3x as many)
RISING_INPUT = (  # the columns of the skills table rising builds on
    "creator_id",
    "category",
    "skill",
    "skill_low",
    "star_score",
    "reach",
)
SMALL_AUDIENCE = 1 / 3  # percent rank of followers in the category below which it is small


def reach_growth(tables: Tables, as_of: dt.date) -> ir.Table:
    """Log growth per week of views per post, last 28 days against the 28 before.

    Columns: creator_id, category, reach_growth.
    """
    per_content = growth_views(tables, as_of, GROWTH_DAYS)
    # one row per content x category: a plain count is the number of posts (no distinct needed)
    in_cat = per_content.join(content_categories(tables), "content_id")
    agg = in_cat.group_by(["creator_id", "category"]).aggregate(
        cur_views=in_cat.cur.sum(),
        cur_posts=in_cat.count(where=in_cat.cur > 0),
        prev_views=in_cat.prev.sum(),
        prev_posts=in_cat.count(where=in_cat.prev > 0),
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
        skills.select(*RISING_INPUT)
        .left_join(follower_growth(tables, as_of), "creator_id")
        .drop("creator_id_right")
        .left_join(reach_growth(tables, as_of), ["creator_id", "category"])
        .drop("creator_id_right", "category_right")
    )
    window = ibis.window(group_by="category", order_by="followers")
    out = out.mutate(audience_rank=ibis.percent_rank().over(window))
    fg = out.follower_growth.fill_null(0.0)
    growing = fg >= FAST_GROWTH
    gifted = (out.skill_low > GIFTED_SKILL) & (out.audience_rank < SMALL_AUDIENCE)
    score = fg + ibis.ifelse(gifted, out.skill_low - GIFTED_SKILL, ibis.literal(0.0))
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
