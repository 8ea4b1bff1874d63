"""Published score rows as the Stars, Rising and Trends pages show them: dicts of formatted
strings (the templates only lay them out)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shopstar.accounts import policy
from shopstar.accounts.policy import Resource
from shopstar.accounts.principal import Principal
from shopstar.analytics.published import CreatorCategoryScore, ProductTrend, RisingStar
from shopstar.analytics.rising import GIFTED_SKILL
from shopstar.analytics.visible import Listing
from shopstar.catalog.models import Creator, Product

DASH = "—"


def number(value: float | None, digits: int = 0) -> str:
    """``value`` with thousands separators and ``digits`` decimals (a dash when unknown)."""
    if value is None or math.isnan(value):
        return DASH
    return f"{value:,.{digits}f}"


def percent(value: float | None) -> str:
    """A rate as a signed percentage with one decimal (``+5.2%``)."""
    if value is None or math.isnan(value):
        return DASH
    return f"{value * 100:+.1f}%"


def money(value: Decimal) -> str:
    """An amount with two decimals and thousands separators."""
    return f"{value:,.2f}"


def times(log_value: float) -> str:
    """A log multiplier as the multiplier it stands for (``×1.52``)."""
    return f"×{math.exp(log_value):.2f}"


def labels(
    session: Session, principal: Principal, listing: Listing, keys: Sequence[str]
) -> dict[str, str]:
    """Creators' handles (products' titles, for trends) by id, read through the policy."""
    if listing is Listing.TRENDS:
        stmt = select(Product.product_id, Product.title).where(Product.product_id.in_(keys))
        resource = Resource.PRODUCTS
    else:
        stmt = select(Creator.creator_id, Creator.handle).where(Creator.creator_id.in_(keys))
        resource = Resource.CREATORS
    return {key: label for key, label in session.execute(policy.scoped(stmt, principal, resource))}


def star_row(score: CreatorCategoryScore, handle: str) -> dict[str, Any]:
    """A star row: the score, skill with its 90% band, the sales behind it and why."""
    why = score.explanation
    posts = "1 post" if score.posts == 1 else f"{score.posts:,} posts"
    facts = [
        f"skill {times(score.skill)} (90%: {times(score.skill_low)} to {times(score.skill_high)})",
        f"{score.views:,} views in {posts}",
        f"category GMV per view {why['category_gmv_per_view']:g}",
        f"prior strength α {why['prior_strength']:g}",
    ]
    return {
        "rank": score.rank,
        "creator_id": score.creator_id,
        "handle": handle,
        "star_score": number(score.star_score, 2),
        "skill": f"{score.skill:+.2f}",
        "band": f"{score.skill_low:+.2f} … {score.skill_high:+.2f}",
        "reach": number(score.reach),
        "views": number(score.views),
        "lines": f"{score.order_lines:,}",
        "expected": number(score.expected_lines, 1),
        "gmv": money(score.gmv),
        "summary": why["summary"],
        "facts": facts,
    }


def rising_row(star: RisingStar, handle: str) -> dict[str, Any]:
    """A rising-star row with the evidence for its reason."""
    if star.reason == "fast growth":
        evidence = f"followers {percent(star.follower_growth)} a week over 28 days"
    else:
        evidence = (
            f"skill band lower end {star.skill_low:+.2f} (above {GIFTED_SKILL:+.2f}) "
            "with an audience in the smallest third of the category"
        )
    return {
        "rank": star.rank,
        "creator_id": star.creator_id,
        "handle": handle,
        "rising_score": f"{star.rising_score:.3f}",
        "reason": star.reason,
        "evidence": evidence,
        "followers": number(star.followers),
        "follower_growth": percent(star.follower_growth),
        "reach_growth": percent(star.reach_growth),
        "skill": f"{star.skill:+.2f}",
        "star_score": number(star.star_score, 2),
        "reach": number(star.reach),
    }


def trend_row(trend: ProductTrend, title: str) -> dict[str, Any]:
    """A product trend row: forecast, weekly units, momentum and adoption."""
    return {
        "rank": trend.rank,
        "product_id": trend.product_id,
        "title": title,
        "trend_score": number(trend.trend_score, 1),
        "units": f"{trend.units_w1:,} / {trend.units_w2:,}",
        "velocity": number(trend.velocity, 2),
        "acceleration": f"{trend.acceleration:+.2f}",
        "adopters": f"{trend.adopters_prev:,} → {trend.adopters:,}",
        "breakout": trend.breakout,
    }


def view_rows(
    session: Session, principal: Principal, listing: Listing, rows: Sequence[Any]
) -> list[dict[str, Any]]:
    """``rows`` of ``listing`` as the page shows them."""
    if listing is Listing.TRENDS:
        titles = labels(session, principal, listing, [r.product_id for r in rows])
        return [trend_row(r, titles.get(r.product_id, DASH)) for r in rows]
    handles = labels(session, principal, listing, [r.creator_id for r in rows])
    build = star_row if listing is Listing.STARS else rising_row
    return [build(r, handles.get(r.creator_id, DASH)) for r in rows]
