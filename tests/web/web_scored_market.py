"""A scored run over the world's catalog ids (tests/appworld.py): a small marketplace scored
once on DuckDB, published into any world's database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa

from shopstar.analytics.publish import publish
from shopstar.analytics.run import ScoreResult, score
from shopstar.contract import ENTITIES
from shopstar.db import make_engine, make_sessionmaker

AS_OF = dt.date(2026, 3, 31)
CATEGORIES = {"p1": "beauty", "p2": "beauty", "p3": "home", "p4": "electronics"}
# creator -> (followers 28 days ago, followers now); zz is not in the app's catalog
FOLLOWERS = {"c1": 50_000, "c2": 1_000, "c3": 7_000, "c4": 90_000, "zz": 3_000}
# (creator, product, views, affiliate order lines) of one video 3 days before as-of
VIDEOS = [
    ("c1", "p1", 20_000, 12),
    ("c2", "p1", 8_000, 2),
    ("c3", "p1", 10_000, 6),
    ("c4", "p1", 30_000, 3),
    ("zz", "p1", 9_000, 5),
    ("c1", "p2", 6_000, 4),
    ("c2", "p3", 4_000, 3),
    ("c4", "p3", 12_000, 2),
    ("c3", "p4", 5_000, 1),
]


def _at(days_ago: int) -> dt.datetime:
    day = AS_OF - dt.timedelta(days=days_ago)
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)


def _rows() -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in ENTITIES}
    for pid, category in CATEGORIES.items():
        rows["products"].append(
            {"product_id": pid, "shop_id": "s1", "title": pid, "category": category,
             "subcategory": None, "price": Decimal("10.00"), "currency": "USD",
             "commission_rate": Decimal("0.1"), "listed_at": _at(200)}
        )  # fmt: skip
    for cid, followers in FOLLOWERS.items():
        rows["creators"].append(
            {"creator_id": cid, "handle": cid, "region": "US", "followers": followers,
             "joined_at": _at(400), "agency_id": None}
        )  # fmt: skip
        grown = followers * 4 if cid == "c3" else followers + 10  # c3 grows fast
        for ago, count in ((28, followers), (0, grown)):
            rows["creator_daily"].append(
                {"creator_id": cid, "date": _at(ago).date(), "followers": count}
            )
    line = 0
    for cid, pid, views, lines in VIDEOS:
        content = f"{cid}-{pid}"
        rows["content"].append(
            {"content_id": content, "creator_id": cid, "kind": "video",
             "published_at": _at(3), "duration_s": 60}
        )  # fmt: skip
        rows["content_products"].append({"content_id": content, "product_id": pid})
        rows["content_daily"].append(
            {"content_id": content, "date": _at(3).date(), "views": views, "product_clicks": 0}
        )
        for ago, creator in [(3, cid)] * lines + [(10, None), (4, None)]:
            line += 1
            rows["orders"].append(
                {"order_line_id": f"L{line}", "order_id": f"O{line}", "ordered_at": _at(ago),
                 "updated_at": _at(ago), "product_id": pid, "creator_id": creator,
                 "content_id": content if creator else None, "quantity": 1,
                 "unit_price": Decimal("10.00"), "currency": "USD", "status": "placed",
                 "commission_rate": None, "content_type": "video" if creator else None}
            )  # fmt: skip
    return rows


def scored_market() -> ScoreResult:
    """The marketplace above scored on DuckDB as of :data:`AS_OF`."""
    tables = {
        name: ibis.memtable(pa.Table.from_pylist(rows, schema=ENTITIES[name].schema))
        for name, rows in _rows().items()
    }
    return score(ibis.duckdb.connect(), tables, AS_OF)


def publish_into(db_url: str, result: ScoreResult) -> int:
    """Publish ``result`` into the app database at ``db_url``; the run's id."""
    engine = make_engine(db_url)
    try:
        return publish(make_sessionmaker(engine), result, "duckdb")
    finally:
        engine.dispose()
