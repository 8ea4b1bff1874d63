"""Creators and agencies: audience, focus categories, true selling skill, growth and cadence."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shopstar.sim import model as m
from shopstar.sim.catalog import US_PER_DAY, start_us
from shopstar.sim.config import SimConfig
from shopstar.sim.model import FloatArray, IntArray
from shopstar.sim.names import creator_handles

CREATORS_PER_AGENCY = 40
VIDEOS_PER_WEEK_MEDIAN = 2.5
LIVE_CREATOR_SHARE = 0.25
LIVES_PER_WEEK_MEDIAN = 0.8
OFF_FOCUS_CONTENT = 0.07  # share of contents outside the creator's focus categories


@dataclass(frozen=True)
class Creators:
    """Creators as arrays; ``skill`` and ``focus`` are creators x categories."""

    followers0: FloatArray
    growth: FloatArray  # weekly growth rate of followers
    focus: npt.NDArray[np.bool_]
    focus_weight: FloatArray  # where content goes, rows sum to 1 over focus categories
    skill: FloatArray
    videos_per_week: FloatArray
    lives_per_week: FloatArray
    post_logit: FloatArray  # responsiveness to free samples
    agency: IntArray  # -1 = no agency
    n_agencies: int
    joined_us: IntArray
    handles: list[str]

    @property
    def n(self) -> int:
        """Number of creators."""
        return len(self.followers0)

    def followers_at(self, day: FloatArray, creator: IntArray | None = None) -> FloatArray:
        """Expected followers on simulated ``day`` (0 = first) of every (or each given) creator."""
        f0 = self.followers0 if creator is None else self.followers0[creator]
        g = self.growth if creator is None else self.growth[creator]
        return np.asarray(f0 * np.power(1.0 + g, day / 7.0), dtype=np.float64)

    def followers_final(self, weeks: int) -> FloatArray:
        """Expected followers at the end of the simulation."""
        return self.followers_at(np.full(self.n, weeks * 7.0))


def _skills(rng: np.random.Generator, zlog: FloatArray, focus: npt.NDArray[np.bool_]) -> FloatArray:
    n, k = focus.shape
    general = rng.standard_normal((n, 1))
    specific = rng.standard_normal((n, k))
    mix = m.SKILL_GENERAL_SHARE * general + np.sqrt(1 - m.SKILL_GENERAL_SHARE**2) * specific
    rho = float(m.SKILL_FOLLOWER_RHO)
    skill = m.SKILL_SD * (rho * zlog[:, None] + np.sqrt(1 - rho**2) * mix)
    return np.asarray(np.where(focus, skill, skill + m.OFF_FOCUS_SKILL), dtype=np.float64)


def build_creators(rng: np.random.Generator, config: SimConfig) -> Creators:
    """Draw creators and agencies for ``config``."""
    n, k = config.creators, len(config.category_specs)
    followers0 = np.maximum(
        m.FOLLOWERS_MIN, rng.lognormal(np.log(m.FOLLOWERS_MEDIAN), m.FOLLOWERS_SIGMA, n)
    ).round()
    logf = np.log(followers0)
    zlog = (logf - logf.mean()) / (logf.std() or 1.0)

    n_focus = np.minimum(rng.choice([1, 2, 3], n, p=[0.45, 0.35, 0.20]), k)
    shares = np.array([s.share for s in config.category_specs])
    focus = np.zeros((n, k), dtype=bool)
    keys = rng.random((n, k)) ** (1.0 / (shares / shares.sum()))  # weighted sampling w/o repl.
    order = np.argsort(-keys, axis=1)
    for j in range(min(3, k)):
        rows = np.flatnonzero(n_focus > j)
        focus[rows, order[rows, j]] = True
    weight = np.where(focus, rng.dirichlet(np.ones(k), n) + 0.05, 0.0)
    weight /= weight.sum(axis=1, keepdims=True)

    rising = (followers0 < m.RISING_MAX_FOLLOWERS) & (rng.random(n) < m.RISING_SHARE)
    growth = np.where(
        rising,
        rng.uniform(0.04, 0.12, n),
        np.clip(rng.normal(0.004, 0.006, n), -0.01, m.RISING_MIN_GROWTH - 0.001),
    )
    skill = _skills(rng, zlog, focus) + np.where(rising[:, None] & focus, m.RISING_SKILL_BOOST, 0)

    videos = rng.lognormal(np.log(VIDEOS_PER_WEEK_MEDIAN), 0.6, n) * np.where(rising, 1.3, 1.0)
    lives = np.where(
        rng.random(n) < LIVE_CREATOR_SHARE + 0.2 * (zlog > 1),
        rng.lognormal(np.log(LIVES_PER_WEEK_MEDIAN), 0.5, n),
        0.0,
    )
    n_agencies = max(2, n // CREATORS_PER_AGENCY)
    managed = rng.random(n) < 1.0 / (1.0 + np.exp(-(-1.0 + 0.8 * zlog)))
    agency = np.where(managed, rng.integers(0, n_agencies, n), -1)
    joined = start_us(config) - rng.integers(30, 1_500, n) * US_PER_DAY
    return Creators(
        followers0=followers0,
        growth=growth,
        focus=focus,
        focus_weight=weight,
        skill=skill,
        videos_per_week=videos,
        lives_per_week=lives,
        post_logit=rng.normal(0.0, m.POST_CREATOR_SD, n),
        agency=agency.astype(np.int64),
        n_agencies=n_agencies,
        joined_us=joined.astype(np.int64),
        handles=creator_handles(rng, n),
    )
