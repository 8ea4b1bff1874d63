"""Marketplace simulator with ground truth (docs/simulator.md).

``generate(out, SimConfig(...))`` writes one file per contract entity into ``out`` and the
truth into ``out/truth``; :mod:`shopstar.sim.truth` loads the truth and evaluates
``pair_values``, the matchmaking oracle.
"""

from shopstar.sim.config import CATEGORIES, CategorySpec, SimConfig
from shopstar.sim.generate import SimResult, generate
from shopstar.sim.truth import Truth, load_truth, pair_values

__all__ = [
    "CATEGORIES",
    "CategorySpec",
    "SimConfig",
    "SimResult",
    "Truth",
    "generate",
    "load_truth",
    "pair_values",
]
