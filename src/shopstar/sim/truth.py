"""Ground truth of a simulated marketplace, and the matchmaking oracle ``pair_values``.

Files in ``OUT/truth/`` (written by :func:`shopstar.sim.generate`):

- ``creators.parquet``: creator_id, followers_initial, followers_final, weekly_growth, is_rising
  (followers_initial < 50k and weekly_growth >= 3%), tier, views_per_post (expected lifetime
  views of one video at the end), videos_per_week, lives_per_week, post_logit.
- ``creator_category.parquet``: creator_id, category, is_focus, true_skill (log-multiplier of
  conversion vs the average creator for the same product), true_potential (expected weekly
  affiliate GMV in that category at the end, at the creator's cadence, if all their content
  were in that category).
- ``products.parquet``: product_id, category, price, base_conversion (orders per view of a
  one-product video by a skill-0 creator at appeal 1), base_appeal, appeal_final,
  launch_week, breakout_week.
- ``products_weekly.parquet``: product_id, week_start, week, appeal, units_sold (null for the
  two weeks after the data), is_future.
- ``manifest.json``: the config, row counts, and what ingest should report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from shopstar.errors import ShopstarError
from shopstar.sim import model as m
from shopstar.sim.model import FloatArray

TRUTH_FILES = ("creators", "creator_category", "products", "products_weekly")


@dataclass(frozen=True)
class Truth:
    """The truth tables of one simulated marketplace, as pandas frames."""

    creators: pd.DataFrame
    creator_category: pd.DataFrame
    products: pd.DataFrame
    products_weekly: pd.DataFrame
    manifest: dict[str, Any]

    def skill_matrix(self) -> tuple[pd.Index, pd.Index, FloatArray]:
        """(creator ids, categories, creators x categories true_skill)."""
        wide = self.creator_category.pivot(
            index="creator_id", columns="category", values="true_skill"
        )
        wide = wide.reindex(self.creators["creator_id"])
        return wide.index, wide.columns, wide.to_numpy(dtype=np.float64)

    def focus_matrix(self) -> npt.NDArray[np.bool_]:
        """creators x categories: is it one of the creator's focus categories (same order as
        :meth:`skill_matrix`)."""
        wide = self.creator_category.pivot(
            index="creator_id", columns="category", values="is_focus"
        )
        return np.asarray(wide.reindex(self.creators["creator_id"]).to_numpy(dtype=bool))


def load_truth(path: Path | str) -> Truth:
    """Load the truth of a marketplace from ``OUT`` or ``OUT/truth``."""
    base = Path(path)
    if not (base / "manifest.json").is_file() and (base / "truth" / "manifest.json").is_file():
        base = base / "truth"
    missing = [f for f in TRUTH_FILES if not (base / f"{f}.parquet").is_file()]
    if missing or not (base / "manifest.json").is_file():
        raise ShopstarError(f"{path}: not a simulator truth directory (missing {missing})")
    frames = {f: pd.read_parquet(base / f"{f}.parquet") for f in TRUTH_FILES}
    manifest = json.loads((base / "manifest.json").read_text(encoding="utf-8"))
    return Truth(manifest=manifest, **frames)


def _positions(index: pd.Index, wanted: Any, what: str) -> npt.NDArray[np.int64]:
    pos = index.get_indexer(pd.Index(np.asarray(wanted, dtype=object)))
    if (pos < 0).any():
        unknown = np.asarray(wanted, dtype=object)[pos < 0][0]
        raise ShopstarError(f"{what}: unknown id {unknown!r}")
    return np.asarray(pos, dtype=np.int64)


def pair_values(truth: Truth, creator_ids: Any, product_ids: Any) -> FloatArray:
    """Expected affiliate GMV if creator ``creator_ids[i]`` gets a free sample of product
    ``product_ids[i]`` at the end of the simulation (element-wise; equal-length sequences):
    P(post) x expected lifetime views of the video x true conversion x price x units per line.
    """
    c_ids, p_ids = np.asarray(creator_ids, dtype=object), np.asarray(product_ids, dtype=object)
    if c_ids.shape != p_ids.shape:
        raise ShopstarError("pair_values: creator_ids and product_ids differ in length")
    creator_index, categories, skill = truth.skill_matrix()
    focus = truth.focus_matrix()
    c = _positions(creator_index, c_ids, "creator_id")
    p = _positions(pd.Index(truth.products["product_id"]), p_ids, "product_id")
    k = _positions(categories, truth.products["category"].to_numpy()[p], "category")
    creators, products = truth.creators, truth.products
    appeal = products["appeal_final"].to_numpy(dtype=np.float64)[p]
    p_post = m.post_probability(
        creators["post_logit"].to_numpy(dtype=np.float64)[c], focus[c, k], appeal
    )
    conversion = (
        products["base_conversion"].to_numpy(dtype=np.float64)[p]
        * np.power(appeal, m.APPEAL_CONVERSION)
        * np.exp(skill[c, k])
    )
    views = creators["views_per_post"].to_numpy(dtype=np.float64)[c]
    price = products["price"].to_numpy(dtype=np.float64)[p]
    return np.asarray(p_post * views * conversion * price * m.mean_quantity(), dtype=np.float64)
