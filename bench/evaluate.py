"""Evaluate scoring against simulator truth on several seeds; print every figure beside its
baselines (docs/evaluation.md).

    .venv/bin/python bench/evaluate.py [--seeds 1 2 3 4 5] [--creators 1000] [--weeks 16]
    .venv/bin/python bench/evaluate.py --seeds 6 7 8 9 10 --fit-trends
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from shopstar.analytics.evaluation import evaluate, trend_training_rows
from shopstar.analytics.trends import FORECAST_WEIGHTS, UNKNOWN_AGE_DAYS
from shopstar.sim import SimConfig, generate

ROWS = [
    (
        "skill Spearman vs true_skill (>= 10k views)",
        "skill_spearman",
        "skill_spearman_gmv_per_view",
    ),
    ("star_score precision@50 vs true_potential", "star_precision", "star_precision_gmv"),
    ("  baseline: followers", "star_precision_followers", None),
    ("  diagnostic: with the true skill in place of ours", "star_precision_true_skill", None),
    ("  diagnostic: with the true value of a view", "star_precision_true_value", None),
    ("  diagnostic: with the true views per week", "star_precision_true_views", None),
    (
        "  diagnostic: with the true skill and value of a view",
        "star_precision_true_skill_value",
        None,
    ),
    (
        "  diagnostic: with the true skill and views per week",
        "star_precision_true_skill_views",
        None,
    ),
    ("  diagnostic: true top 50 with < 10k views", "star_top_thin", None),
    ("rising precision vs is_rising", "rising_precision", "rising_precision_follower_gain"),
    ("rising recall", "rising_recall", None),
    ("trend precision@20, next 2 weeks", "trend_precision", "trend_precision_last_week"),
]


def fit_trends(dirs: list[Path]) -> None:
    """Fit the trend forecast's weights (least squares of ln(units of the next two weeks + 1),
    products with at least 5 units in the last two weeks weighted 11:1) and print them with the
    constant that makes those products' forecasts add up to their actual units."""
    rows = pd.concat([trend_training_rows(d) for d in dirs])
    logs = {c: np.log(rows[c].astype(float) + 1.0) for c in FORECAST_WEIGHTS}
    logs["age"] = np.log(rows["age_days"].fillna(UNKNOWN_AGE_DAYS).clip(lower=0.0) + 7.0)
    x = np.column_stack([np.ones(len(rows)), *logs.values()])
    y = np.log(rows["future"].astype(float) + 1.0).to_numpy()
    heavy = (rows["units_w1"] + rows["units_w2"] >= 5).to_numpy()
    w = np.sqrt(np.where(heavy, 1.1, 0.1))
    coef = np.linalg.lstsq(x * w[:, None], y * w, rcond=None)[0]
    forecast = np.exp(x[heavy] @ coef)
    constant = coef[0] + np.log((rows["future"][heavy] + 1.0).sum() / forecast.sum())
    print(f"products: {len(rows)} ({heavy.sum()} with >= 5 units in the last two weeks)")
    print(f"constant (scaled to units): {constant:.3f}")
    for name, weight in zip(logs, coef[1:], strict=True):
        print(f"{name}: {weight:.3f}")


def main() -> None:
    """Generate, score and judge one marketplace per seed; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--creators", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=16)
    parser.add_argument(
        "--fit-trends", action="store_true", help="fit the trend forecast's weights on the seeds"
    )
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        dirs = []
        for seed in args.seeds:
            out = Path(tmp) / f"seed{seed}"
            generate(out, SimConfig(creators=args.creators, weeks=args.weeks, seed=seed))
            dirs.append(out)
        if args.fit_trends:
            fit_trends(dirs)
            return
        for seed, out in zip(args.seeds, dirs, strict=True):
            results[seed] = evaluate(out).as_dict()
    print(f"{args.creators} creators, {args.weeks} weeks; figure (baseline) per seed\n")
    print("| figure | " + " | ".join(f"seed {s}" for s in args.seeds) + " |")
    print("|---|" + "---|" * len(args.seeds))
    for label, ours, base in ROWS:
        cells = []
        for seed in args.seeds:
            figure = results[seed][ours]
            value = str(figure) if isinstance(figure, int) else f"{figure:.3f}"
            cells.append(f"{value} ({results[seed][base]:.3f})" if base else value)
        print(f"| {label} | " + " | ".join(cells) + " |")
    bests = {
        s: 1.5 * max(r["star_precision_gmv"], r["star_precision_followers"])
        for s, r in results.items()
    }
    met = {s: results[s]["star_precision"] >= bests[s] for s in args.seeds}
    print(
        "| star target: 1.5x the better baseline | "
        + " | ".join(f"{bests[s]:.3f} ({'met' if met[s] else 'missed'})" for s in args.seeds)
        + " |"
    )


if __name__ == "__main__":
    main()
