"""examples/tiny/: counts of the first and second ingest, and summary figures worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lake_support import contents, summaries

from shopstar.lake import Lake, ingest_paths

TINY = Path(__file__).resolve().parents[2] / "examples" / "tiny"
D = Decimal


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("tiny") / "lake")
    ingest_paths(lake, [TINY])
    return lake


def test_first_ingest_counts(tmp_path: Path) -> None:
    report = ingest_paths(Lake(tmp_path / "lake"), [TINY])
    rows = {c.entity: (c.read, c.accepted, c.duplicate, c.superseded, c.rejected)
            for c in report.counts.values()}  # fmt: skip
    assert rows["orders"] == (15, 8, 1, 2, 4)  # L1 sent twice; L6 placed and L5 stale lose
    assert rows["content_daily"] == (5, 4, 1, 0, 0)  # V1 2026-11-01 in both files
    assert rows["products"] == (5, 4, 0, 0, 1)  # P5 rate 1.5
    assert rows["creators"] == (4, 3, 0, 0, 1)  # C4 followers "lots"
    assert rows["refunds"] == (4, 3, 0, 0, 1)  # R4 negative
    assert all(c.adds_up() for c in report.counts.values())
    assert "orders-2026-11-04.csv: unknown column ignored: coupon_code" in report.warnings
    assert any("product_id not in products (e.g. 'P9')" in w for w in report.warnings)
    assert [p.name for p in report.skipped] == ["README.md"]


def test_second_ingest_changes_nothing(lake: Lake, tmp_path: Path) -> None:
    before = contents(lake)
    report = ingest_paths(lake, [TINY])
    assert contents(lake) == before
    assert sum(c.accepted for c in report.counts.values()) == 0
    assert report.counts["orders"].duplicate == 9  # the 8 live lines + L1's second copy


def test_summary_matches_hand_arithmetic(lake: Lake) -> None:
    # Live order lines after L6's cancellation (USD unless noted), GMV = quantity * unit_price:
    #   L1  2 x 20.00 = 40.00  C1  open rate P1 0.10 -> 4.00
    #   L2  1 x 12.50 = 12.50  C1  own rate 0.12     -> 1.50
    #   L3  3 x 12.50 = 37.50  organic               -> 0
    #   L7  1 x  9.99 =  9.99  C3  own rate 0.20     -> 1.998 -> 2.00 (half up); P9 unknown
    #   L10 1 x 20.00 = 20.00  C1  open rate 0.10    -> 2.00
    #   L6  cancelled (2026-11-04 update wins): excluded, and so is its refund R3
    #   L4  1 x 45.00 = 45.00 GBP  C2  P3 0.08       -> 3.60
    #   L5  2 x 30.00 = 60.00 GBP  C2  P4 0.05       -> 3.00 (the stale 'cancelled' lost)
    # Refunds: R1 5.00 USD of L2 reverses 5.00 / 12.50 * 1.50 = 0.60;
    #          R2 45.00 GBP of L4 reverses 45.00 / 45.00 * 3.60 = 3.60.
    usd_gmv = D("40.00") + D("12.50") + D("37.50") + D("9.99") + D("20.00")
    usd_aff = D("40.00") + D("12.50") + D("9.99") + D("20.00")
    usd_comm = D("4.00") + D("1.50") + D("2.00") + D("2.00") - D("0.60")
    gbp_gmv = D("45.00") + D("60.00")
    gbp_comm = D("3.60") + D("3.00") - D("3.60")
    result = summaries(lake)
    assert result[None] == [
        {"key": "all", "currency": "GBP", "gmv": gbp_gmv, "net_gmv": gbp_gmv - D("45.00"),
         "order_lines": 2, "affiliate_gmv": gbp_gmv, "commission": gbp_comm},
        {"key": "all", "currency": "USD", "gmv": usd_gmv, "net_gmv": usd_gmv - D("5.00"),
         "order_lines": 5, "affiliate_gmv": usd_aff, "commission": usd_comm},
    ]  # fmt: skip
    assert (usd_gmv, usd_comm, gbp_comm) == (D("119.99"), D("8.90"), D("3.00"))
    by_category = {(r["key"], r["currency"]): r for r in result["category"]}
    assert by_category["beauty", "USD"]["gmv"] == D("40.00") + D("12.50") + D("37.50") + D("20.00")
    assert by_category["beauty", "USD"]["commission"] == D("4.00") + D("1.50") + D("2.00") - D(
        "0.60"
    )
    assert by_category[None, "USD"]["gmv"] == D("9.99")  # P9 not (yet) in products
    by_creator = {(r["key"], r["currency"]): r for r in result["creator"]}
    assert by_creator["C1", "USD"]["net_gmv"] == D("40.00") + D("12.50") + D("20.00") - D("5.00")
    assert by_creator[None, "USD"]["affiliate_gmv"] == D("0.00")
    by_shop = {(r["key"], r["currency"]): r["order_lines"] for r in result["shop"]}
    assert by_shop == {("S1", "USD"): 4, ("S2", "GBP"): 2, (None, "USD"): 1}
