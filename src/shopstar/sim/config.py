"""What a simulated marketplace looks like: the run configuration and the category table.

Every number here is documented, with its source or the word "assumed", in docs/simulator.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from shopstar.errors import ShopstarError


@dataclass(frozen=True)
class CategorySpec:
    """One product category: its price distribution, open commission range and funnel rates.

    ``ctr`` is product clicks per view of an average video by an average creator for a product
    of average appeal; ``cvr`` is orders per click at the category's median price.
    """

    name: str
    share: float  # share of the catalogue's products
    price_median: float  # USD
    price_sigma: float  # log-normal sigma of the price
    price_min: float
    price_max: float
    commission_min: float
    commission_max: float
    ctr: float
    cvr: float
    refund_rate: float
    subcategories: tuple[str, ...]


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "beauty", 0.20, 18.0, 0.50, 4.0, 90.0, 0.10, 0.30, 0.018, 0.030, 0.04,
        ("skincare", "makeup", "haircare", "fragrance"),
    ),
    CategorySpec(
        "fashion", 0.20, 25.0, 0.55, 6.0, 150.0, 0.10, 0.25, 0.016, 0.020, 0.10,
        ("womenswear", "menswear", "accessories", "shoes"),
    ),
    CategorySpec(
        "home", 0.13, 28.0, 0.60, 5.0, 200.0, 0.08, 0.20, 0.014, 0.020, 0.05,
        ("kitchen", "decor", "cleaning", "storage"),
    ),
    CategorySpec(
        "food", 0.10, 15.0, 0.40, 4.0, 60.0, 0.05, 0.15, 0.015, 0.035, 0.02,
        ("snacks", "drinks", "supplements"),
    ),
    CategorySpec(
        "electronics", 0.12, 40.0, 0.70, 8.0, 400.0, 0.05, 0.12, 0.012, 0.013, 0.06,
        ("phone accessories", "audio", "gadgets"),
    ),
    CategorySpec(
        "fitness", 0.09, 30.0, 0.55, 8.0, 200.0, 0.08, 0.20, 0.014, 0.020, 0.05,
        ("equipment", "activewear", "nutrition"),
    ),
    CategorySpec(
        "baby", 0.08, 24.0, 0.50, 6.0, 120.0, 0.08, 0.18, 0.013, 0.022, 0.04,
        ("feeding", "toys", "care"),
    ),
    CategorySpec(
        "pets", 0.08, 20.0, 0.50, 5.0, 90.0, 0.10, 0.20, 0.015, 0.025, 0.03,
        ("dog", "cat", "aquarium"),
    ),
)  # fmt: skip


SINGLE_SHARD_CREATOR_WEEKS = 1_600_000  # about 11M order lines, ~6 GB at peak
SHARD_CREATOR_WEEKS = 600_000  # about 4M order lines per shard, ~2.5 GB at peak


@dataclass(frozen=True)
class SimConfig:
    """A simulation run. The defaults are the small demo marketplace (a few seconds to build).

    ``products_per_creator`` sets catalogue size relative to the creator count; order lines
    scale with ``creators * weeks``. ``shard_creators`` bounds memory: creators are drawn in
    blocks of that many (content, orders, daily rows), each written before the next is drawn.
    None picks it: one shard up to ``SINGLE_SHARD_CREATOR_WEEKS`` creator-weeks (so such runs
    are exactly as before sharding), else blocks of ``SHARD_CREATOR_WEEKS`` creator-weeks.
    """

    creators: int = 300
    weeks: int = 12
    seed: int = 42
    start: dt.date = dt.date(2026, 8, 3)
    categories: tuple[str, ...] = tuple(c.name for c in CATEGORIES)
    products_per_creator: float = 0.8
    messy: bool = False
    format: Literal["parquet", "csv"] = "parquet"
    region: str = "US"
    currency: str = "USD"
    shard_creators: int | None = None

    def __post_init__(self) -> None:
        if self.creators < 10:
            raise ShopstarError("creators: at least 10")
        if not 1 <= self.weeks <= 260:
            raise ShopstarError("weeks: between 1 and 260")
        unknown = set(self.categories) - {c.name for c in CATEGORIES}
        if unknown or not self.categories:
            raise ShopstarError(f"categories: unknown {sorted(unknown)}, known {category_names()}")
        if self.shard_creators is not None and self.shard_creators < 1:
            raise ShopstarError("shard_creators: at least 1")
        if self.messy and len(self.shards()) > 1:
            raise ShopstarError("messy: only for a market drawn in one shard (fewer creators)")

    @property
    def days(self) -> int:
        """Number of simulated days."""
        return self.weeks * 7

    def shards(self) -> list[tuple[int, int]]:
        """Creator ranges ``[lo, hi)`` drawn one after the other (see ``shard_creators``)."""
        size = self.shard_creators
        if size is None:
            single = self.creators * self.weeks <= SINGLE_SHARD_CREATOR_WEEKS
            size = self.creators if single else max(1, SHARD_CREATOR_WEEKS // self.weeks)
        return [(lo, min(lo + size, self.creators)) for lo in range(0, self.creators, size)]

    @property
    def category_specs(self) -> tuple[CategorySpec, ...]:
        """The specs of the categories in this run, in table order."""
        return tuple(c for c in CATEGORIES if c.name in self.categories)


def category_names() -> list[str]:
    """Names of every known category."""
    return [c.name for c in CATEGORIES]
