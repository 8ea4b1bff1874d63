"""Judge a scoring run against a simulated marketplace's ground truth, beside naive baselines.

- skill: Spearman of ``skill`` with ``true_skill`` over creator × category pairs with at least
  :data:`MIN_VIEWS` views in the category (baseline: raw affiliate GMV per view);
- star_score: precision@50 against the top ``true_potential`` among scored pairs (baselines:
  followers; raw affiliate GMV in the category over 90 days), and diagnostics: the same
  precision with one or two of star_score's three factors (skill multiplier × weekly views ×
  value of a view) replaced by the truth — the true skill, the true value of a view, the true
  views per week (:func:`true_factors`; skill and value moved per category onto our scale by
  the median gap over pairs with at least :data:`MIN_VIEWS` views) — and how many of the true
  top 50 have fewer than :data:`MIN_VIEWS` views in the category (pairs whose skill the data
  barely show);
- rising: precision and recall of the flagged rising creators against ``is_rising`` (baseline:
  the same number of creators with the largest absolute follower gain);
- trends: mean over categories of precision@20 of ``trend_score`` against the best-sellers
  (units) of the two weeks after the as-of date (baseline: last week's best-sellers).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from shopstar.analytics.inputs import parquet_tables
from shopstar.analytics.run import ScoreResult, latest_day, score
from shopstar.analytics.trends import trend_features
from shopstar.sim import model
from shopstar.sim.groundtruth import LIVE_DURATION_MEDIAN_S
from shopstar.sim.truth import Truth, load_truth

MIN_VIEWS = 10_000
TOP_STARS = 50
TOP_TRENDS = 20
TREND_WEEKS = 2


@dataclass(frozen=True)
class Evaluation:
    """Every figure and its baselines for one marketplace."""

    skill_spearman: float
    skill_spearman_gmv_per_view: float
    skill_pairs: int
    star_precision: float
    star_precision_followers: float
    star_precision_gmv: float
    star_precision_true_skill: float
    star_precision_true_value: float
    star_precision_true_views: float
    star_precision_true_skill_value: float
    star_precision_true_skill_views: float
    star_top_thin: int
    rising_precision: float
    rising_recall: float
    rising_flagged: int
    rising_precision_follower_gain: float
    trend_precision: float
    trend_precision_last_week: float

    def as_dict(self) -> dict[str, float | int]:
        """Figures by name."""
        return asdict(self)


def spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman rank correlation (Pearson correlation of average ranks)."""
    return float(a.rank().corr(b.rank()))


def _precision_at(scores: pd.Series, truth: pd.Series, k: int) -> float:
    """Share of the top ``k`` by ``scores`` that are in the top ``k`` by ``truth``."""
    k = min(k, len(truth))
    if k == 0:
        return float("nan")
    best = set(truth.sort_values(ascending=False, kind="stable").index[:k])
    picked = scores.sort_values(ascending=False, kind="stable").index[:k]
    return sum(1 for i in picked if i in best) / k


def true_factors(pairs: pd.DataFrame, truth: Truth) -> pd.DataFrame:
    """star_score's three factors, ours and the simulator's, in logs, for ``pairs`` (scored
    rows joined with ``creator_category`` truth, indexed by creator_id, category).

    Columns ``skill``, ``value``, ``views`` (ours: log multiplier, log value of a view, log
    weekly views = reach × posts per week) and ``true_skill``, ``true_value``, ``true_views``.
    The true weekly views are videos/week × expected views of a video + lives/week × expected
    views of a live of median length, at final followers; the true value of a view is what is
    left of ``true_potential`` (GMV per view of a skill-0 creator of the tier). Our multiplier is
    against the average seller of the same products and our value of a view counts that
    seller's skill: the true skill and value are moved per category by the median gap to ours
    over pairs with at least :data:`MIN_VIEWS` views. Ours × ours × ours = star_score, and the
    three true factors multiply to ``true_potential`` up to a factor per category.
    """
    creators = truth.creators.set_index("creator_id")
    final = creators["followers_final"].astype(float).to_numpy()
    live = np.power(final, model.VIEW_EXPONENT) * model.live_view_factor(
        np.full(len(final), LIVE_DURATION_MEDIAN_S)
    )
    weekly = creators["videos_per_week"] * creators["views_per_post"]
    weekly = weekly + creators["lives_per_week"] * live
    creator = pairs.index.get_level_values("creator_id")
    category = pd.Series(pairs.index.get_level_values("category"), pairs.index)
    true_views = np.log(weekly.reindex(creator).to_numpy())
    true_value = np.log(pairs["true_potential"]) - true_views - pairs["true_skill"]
    ours = pd.DataFrame(
        {
            "skill": np.log(pairs["multiplier"]),
            "value": np.log(pairs["value_per_view"].where(pairs["value_per_view"] > 0)),
            "views": np.log((pairs["reach"] * pairs["posts_per_week"]).where(lambda v: v > 0)),
        },
        index=pairs.index,
    )
    seen = pairs["views"] >= MIN_VIEWS

    def on_our_scale(true: pd.Series, our: pd.Series) -> pd.Series:
        gap = (our - true)[seen].groupby(category[seen]).median()
        return true + category.map(gap).fillna(0.0)

    return ours.assign(
        true_skill=on_our_scale(pairs["true_skill"], ours["skill"]),
        true_value=on_our_scale(true_value, ours["value"]),
        true_views=true_views,
    )


def _precision_with_truth(
    pairs: pd.DataFrame, factors: pd.DataFrame, true: tuple[str, ...]
) -> float:
    """Precision@50 of star_score with the factors named in ``true`` replaced by the truth's."""
    logs = sum(factors[f"true_{f}" if f in true else f] for f in ("skill", "value", "views"))
    score = pd.Series(np.exp(logs), pairs.index).fillna(0.0)
    return _precision_at(score, pairs["true_potential"], TOP_STARS)


def evaluate_stars(result: ScoreResult, truth: Truth) -> dict[str, float | int]:
    """Skill, star_score and rising figures of a run over the whole simulated period."""
    stars = result.stars.to_pandas().set_index(["creator_id", "category"])
    cc = truth.creator_category.set_index(["creator_id", "category"])
    pairs = stars.join(cc, how="inner")
    seen = pairs[pairs["views"] >= MIN_VIEWS]
    gmv_per_view = seen["gmv"].astype(float) / seen["views"]

    metrics = result.metrics.to_pandas()
    gmv90 = metrics[metrics["window_days"] == 90].set_index(["creator_id", "category"])["gmv"]
    rising = result.rising.to_pandas()
    followers = rising.groupby("creator_id")["followers"].max()
    creators = truth.creators.set_index("creator_id")

    flagged = set(rising.loc[rising["is_rising"], "creator_id"])
    truly = set(creators.index[creators["is_rising"]])
    gain = (creators["followers_final"] - creators["followers_initial"]).sort_values(
        ascending=False, kind="stable"
    )
    by_gain = set(gain.index[: len(flagged)])
    factors = true_factors(pairs, truth)
    return {
        "skill_spearman": spearman(seen["skill"], seen["true_skill"]),
        "skill_spearman_gmv_per_view": spearman(gmv_per_view, seen["true_skill"]),
        "skill_pairs": len(seen),
        "star_precision": _precision_at(pairs["star_score"], pairs["true_potential"], TOP_STARS),
        "star_precision_followers": _precision_at(
            pd.Series(pairs.index.get_level_values("creator_id").map(followers), pairs.index),
            pairs["true_potential"],
            TOP_STARS,
        ),
        "star_precision_gmv": _precision_at(
            gmv90.reindex(pairs.index).fillna(0).astype(float),
            pairs["true_potential"],
            TOP_STARS,
        ),
        "star_precision_true_skill": _precision_with_truth(pairs, factors, ("skill",)),
        "star_precision_true_value": _precision_with_truth(pairs, factors, ("value",)),
        "star_precision_true_views": _precision_with_truth(pairs, factors, ("views",)),
        "star_precision_true_skill_value": _precision_with_truth(
            pairs, factors, ("skill", "value")
        ),
        "star_precision_true_skill_views": _precision_with_truth(
            pairs, factors, ("skill", "views")
        ),
        "star_top_thin": int(
            (pairs.nlargest(TOP_STARS, "true_potential")["views"] < MIN_VIEWS).sum()
        ),
        "rising_precision": len(flagged & truly) / len(flagged) if flagged else float("nan"),
        "rising_recall": len(flagged & truly) / len(truly) if truly else float("nan"),
        "rising_flagged": len(flagged),
        "rising_precision_follower_gain": (
            len(by_gain & truly) / len(by_gain) if by_gain else float("nan")
        ),
    }


def evaluate_trends(result: ScoreResult, truth: Truth) -> dict[str, float]:
    """Trend figures of a run scored :data:`TREND_WEEKS` weeks before the end of the data."""
    units = _future_units(truth, result.as_of)
    trends = result.trends.to_pandas().set_index("product_id")
    category = truth.products.set_index("product_id")["category"]
    ours, base = [], []
    for _, ids in category.groupby(category).groups.items():
        actual = units.reindex(ids).fillna(0)
        scored = trends.reindex(ids)
        ours.append(_precision_at(scored["trend_score"].fillna(0), actual, TOP_TRENDS))
        base.append(_precision_at(scored["units_w1"].fillna(0), actual, TOP_TRENDS))
    return {
        "trend_precision": sum(ours) / len(ours),
        "trend_precision_last_week": sum(base) / len(base),
    }


def trend_training_rows(sim_dir: Path) -> pd.DataFrame:
    """The trend forecast's inputs (:func:`shopstar.analytics.trends.trend_features`) scored
    :data:`TREND_WEEKS` weeks before the end of a simulated marketplace, with ``future``: the
    units each product sold in the :data:`TREND_WEEKS` weeks after — what its weights are
    fitted on (``bench/evaluate.py --fit-trends``)."""
    truth = load_truth(sim_dir)
    con = ibis.duckdb.connect()
    tables = parquet_tables(con, sim_dir)
    as_of = latest_day(con, tables) - dt.timedelta(days=7 * TREND_WEEKS)
    rows = con.to_pyarrow(trend_features(tables, as_of)).to_pandas().set_index("product_id")
    return rows.assign(future=_future_units(truth, as_of).reindex(rows.index).fillna(0))


def _future_units(truth: Truth, as_of: dt.date) -> pd.Series:
    """Units per product in the :data:`TREND_WEEKS` weeks after ``as_of``."""
    weekly = truth.products_weekly
    start = pd.Timestamp(as_of + dt.timedelta(days=1))
    end = start + pd.Timedelta(days=7 * TREND_WEEKS)
    week_start = pd.to_datetime(weekly["week_start"])
    future = weekly[(week_start >= start) & (week_start < end) & ~weekly["is_future"]]
    return future.groupby("product_id")["units_sold"].sum()


def evaluate(sim_dir: Path) -> Evaluation:
    """Score a simulated marketplace on DuckDB (once on all data, once two weeks before the
    end for trends) and judge both runs against its truth."""
    truth = load_truth(sim_dir)
    con = ibis.duckdb.connect()
    tables = parquet_tables(con, sim_dir)
    full = score(con, tables)
    early = score(con, tables, latest_day(con, tables) - dt.timedelta(days=7 * TREND_WEEKS))
    figures = {**evaluate_stars(full, truth), **evaluate_trends(early, truth)}
    return Evaluation(**figures)  # type: ignore[arg-type]
