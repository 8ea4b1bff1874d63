"""The behavioural model shared by the generator and the truth oracle.

The generator draws data from these formulas; :mod:`shopstar.sim.truth` evaluates their
expectations. Keeping them in one place makes the oracle exactly the model that made the data.
Parameters and their calibration are documented in docs/simulator.md.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Creators: followers ~ log-normal (median 8k, sigma 1.7), at least 1k (affiliate entry bar).
FOLLOWERS_MEDIAN = 8_000.0
FOLLOWERS_SIGMA = 1.5
FOLLOWERS_MIN = 1_000
SKILL_SD = 0.7  # sd of true_skill within a creator's focus categories
SKILL_FOLLOWER_RHO = 0.1  # weak tie between skill and log(followers)
SKILL_GENERAL_SHARE = 0.6  # weight of a creator-wide component shared across categories
OFF_FOCUS_SKILL = -0.5  # creators sell worse outside their niche
RISING_SHARE = 0.10  # of creators under RISING_MAX_FOLLOWERS
RISING_MAX_FOLLOWERS = 50_000
RISING_MIN_GROWTH = 0.03  # weekly growth at or above which a small creator is rising
RISING_SKILL_BOOST = 0.3

# Views: a video's lifetime views = VIEW_SCALE * followers**VIEW_EXPONENT * virality,
# virality log-normal with mean 1 (heavy right tail), spread over days with exp(-k/tau).
VIEW_SCALE = 4.5
VIEW_EXPONENT = 0.6
VIRALITY_SIGMA = 1.2
VIDEO_LIFE_DAYS = 7
VIDEO_DECAY_DAYS = 1.5
LIVE_VIEW_SCALE = 0.6  # live views per follower**VIEW_EXPONENT per hour**0.5
LIVE_VIEW_SIGMA = 0.5

# Funnel: clicks/view = ctr(category) * kind * exp(skill/2) * quality / sqrt(products shown);
# orders/click = cvr(category) * (price/median)**-PRICE_ELASTICITY * appeal**APPEAL_CONVERSION
#                * kind * exp(skill/2) * quality2.  Their product is base * exp(skill) * noise.
PRICE_ELASTICITY = 0.6
APPEAL_CONVERSION = 0.4
LIVE_CTR = 2.0
LIVE_CVR = 1.3
QUALITY_SIGMA = 0.3  # per-content log-normal noise, mean 1
CVR_CAP = 0.6
QUANTITY_P = 0.85  # quantity ~ geometric(p): mean 1.18 units per line

# Free samples: logit P(post) = intercept + focus + appeal + creator responsiveness.
POST_INTERCEPT = -0.9
POST_FOCUS = 1.0
POST_APPEAL = 0.5
POST_CREATOR_SD = 0.8

# Selection bias: a content picks products with probability ~ appeal**gamma(tier).
TIER_BOUNDS = (10_000, 100_000, 1_000_000)  # nano | micro | mid | macro
TIER_GAMMA = (0.3, 0.7, 1.2, 1.8)

# Live product count: 2 + Poisson(LIVE_EXTRA_PRODUCTS), at most LIVE_MAX_PRODUCTS.
LIVE_EXTRA_PRODUCTS = 2.0
LIVE_MAX_PRODUCTS = 8


def mean_one_lognormal(rng: np.random.Generator, sigma: float, size: int) -> FloatArray:
    """Log-normal draws with mean exactly 1 in expectation."""
    return np.asarray(rng.lognormal(-0.5 * sigma * sigma, sigma, size), dtype=np.float64)


def expected_video_views(followers: FloatArray) -> FloatArray:
    """Expected lifetime views of one video by a creator with ``followers``."""
    return VIEW_SCALE * np.power(followers, VIEW_EXPONENT)


def live_view_factor(duration_s: FloatArray) -> FloatArray:
    """Views of a live per follower**VIEW_EXPONENT, growing with the square root of its length."""
    return LIVE_VIEW_SCALE * np.sqrt(duration_s / 3600.0)


def video_day_shares(days: int = VIDEO_LIFE_DAYS) -> FloatArray:
    """Share of a video's lifetime views on day 0, 1, ... (sums to 1)."""
    weights = np.exp(-np.arange(days) / VIDEO_DECAY_DAYS)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def price_factor(price: FloatArray, median: FloatArray) -> FloatArray:
    """Conversion multiplier of a price relative to its category's median price."""
    return np.power(price / median, -PRICE_ELASTICITY)


def tier_of(followers: FloatArray) -> IntArray:
    """Size tier 0..3 (nano, micro, mid, macro) of each follower count."""
    return np.searchsorted(np.asarray(TIER_BOUNDS), followers, side="right").astype(np.int64)


def post_probability(
    creator_logit: FloatArray, is_focus: npt.NDArray[np.bool_], appeal: FloatArray
) -> FloatArray:
    """Probability that a creator posts about a free sample within the posting window."""
    logit = POST_INTERCEPT + POST_FOCUS * is_focus + POST_APPEAL * np.log(appeal) + creator_logit
    return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)


def mean_quantity() -> float:
    """Expected units per order line."""
    return 1.0 / QUANTITY_P


def live_sqrt_products_mean() -> float:
    """E[sqrt(number of products shown in a live)]: a live's total clicks grow with it."""
    total = 0.0
    lam = LIVE_EXTRA_PRODUCTS
    for extra in range(LIVE_MAX_PRODUCTS - 2 + 1):
        pmf = math.exp(-lam) * lam**extra / math.factorial(extra)
        if extra == LIVE_MAX_PRODUCTS - 2:  # the clipped tail
            pmf = 1.0 - sum(
                math.exp(-lam) * lam**k / math.factorial(k) for k in range(LIVE_MAX_PRODUCTS - 2)
            )
        total += pmf * math.sqrt(2 + extra)
    return total
