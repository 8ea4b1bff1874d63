"""Audience: each creator's followers at the as-of date and their recent growth."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir

from shopstar.analytics.facts import Tables, shared

GROWTH_DAYS = 28


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

    Columns: creator_id, followers, follower_growth. Without a creator_daily row in the last
    week, followers are ``creators.followers``; without one 28 days earlier, growth is null.
    """
    if (computed := shared(tables, "follower_growth", as_of)) is not None:
        return computed
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
