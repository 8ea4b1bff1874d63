"""Evaluate scoring against simulator truth on several seeds; print every figure beside its
baselines (docs/evaluation.md).

    .venv/bin/python bench/evaluate.py [--seeds 1 2 3 4 5] [--creators 1000] [--weeks 16]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from shopstar.analytics.evaluation import evaluate
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
    ("  diagnostic: true top 50 with < 10k views", "star_top_thin", None),
    ("rising precision vs is_rising", "rising_precision", "rising_precision_follower_gain"),
    ("rising recall", "rising_recall", None),
    ("trend precision@20, next 2 weeks", "trend_precision", "trend_precision_last_week"),
]


def main() -> None:
    """Generate, score and judge one marketplace per seed; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--creators", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=16)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            out = Path(tmp) / f"seed{seed}"
            generate(out, SimConfig(creators=args.creators, weeks=args.weeks, seed=seed))
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
