"""Property tests: any order, any number of times, the same lake and summary; counts add up."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lake_support import ORDER_COLUMNS, contents, summaries

from shopstar.lake import Lake, RawInput, ingest_raw

BASE = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
OPEN_RATES = {"P1": "0.1", "P2": "0.15"}  # P9 is never in products: no open rate
PRODUCTS = pa.table(
    {
        "product_id": ["P1", "P2"],
        "shop_id": ["S1", "S1"],
        "title": ["Serum", "Tint"],
        "category": ["beauty", "makeup"],
        "price": ["20.00", "12.50"],
        "currency": ["USD", "USD"],
        "commission_rate": ["0.1", "0.15"],
        "listed_at": ["2026-01-01", "2026-01-01"],
    }
)


@st.composite
def order_versions(draw: st.DrawFn) -> list[dict[str, str]]:
    """Versions of a few order lines; versions of one line have distinct updated_at."""
    rows = []
    for line in range(draw(st.integers(1, 4))):
        hours = draw(st.lists(st.integers(0, 50), min_size=1, max_size=3, unique=True))
        for hour in hours:
            rows.append(
                {
                    "order_line_id": f"L{line}",
                    "order_id": f"O{line}",
                    "ordered_at": BASE.isoformat(),
                    "updated_at": (BASE + dt.timedelta(hours=hour)).isoformat(),
                    "product_id": draw(st.sampled_from(["P1", "P2", "P9"])),
                    "creator_id": draw(st.sampled_from(["", "C1", "tt:c1"])),
                    "content_id": "",
                    "quantity": str(draw(st.integers(1, 3))),
                    "unit_price": draw(st.sampled_from(["0", "9.99", "12.50", "1999.95"])),
                    "currency": draw(st.sampled_from(["USD", "EUR"])),
                    "status": draw(st.sampled_from(["placed", "cancelled"])),
                    "commission_rate": draw(st.sampled_from(["", "0.125", "0.3"])),
                    "content_type": "",
                }
            )
    return rows


Rows = list[dict[str, str]]
Batch = tuple[Rows, Rows, bool]  # orders, refunds, with the creators file
REFUND_COLUMNS = ["refund_id", "order_line_id", "refunded_at", "amount", "currency"]
# C1's own row: its handle folds to c1, so it supersedes the placeholder tt:c1 whichever
# arrives first (lines credited tt:c1 move to C1)
CREATORS = pa.table(
    {
        "creator_id": ["C1"], "handle": [" @C1"], "region": ["US"], "followers": ["10"],
        "joined_at": ["2025-01-01"],
    }
)  # fmt: skip


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Batch], list[list[int]]]:
    """Batches drawn (with repeats) from order versions and refunds, plus orders to ingest
    them in. A refund id always carries the same row."""
    versions = draw(order_versions())
    refunds = [
        {
            "refund_id": f"R{line}",
            "order_line_id": line,
            "refunded_at": (BASE + dt.timedelta(days=3)).isoformat(),
            "amount": draw(st.sampled_from(["1.00", "5.55", "9.99"])),
            "currency": draw(st.sampled_from(["USD", "EUR"])),
        }
        for line in sorted({r["order_line_id"] for r in versions})
        if draw(st.booleans())
    ]
    batch = st.tuples(
        st.lists(st.sampled_from(versions), min_size=1, max_size=6),
        st.lists(st.sampled_from(refunds), max_size=3) if refunds else st.just([]),
        st.booleans(),
    )
    batches: list[Batch] = draw(st.lists(batch, min_size=1, max_size=3))
    batches.append((versions, refunds, True))  # everything arrives at least once
    n = len(batches)
    shuffled = draw(st.permutations(list(range(n))))
    repeats = draw(st.lists(st.integers(0, n - 1), max_size=n))
    return batches, [list(range(n)), shuffled + repeats]


def _ingest(lake: Lake, batch: Batch, *, with_products: bool) -> None:
    rows, refunds, with_creators = batch
    table = pa.table({c: [r[c] for r in rows] for c in ORDER_COLUMNS})
    inputs = [RawInput("orders", "orders.csv", table)]
    if with_creators:
        inputs.insert(0, RawInput("creators", "creators.csv", CREATORS))
    if refunds:
        refund_table = pa.table({c: [r[c] for r in refunds] for c in REFUND_COLUMNS})
        inputs.append(RawInput("refunds", "refunds.csv", refund_table))
    if with_products:
        inputs.insert(0, RawInput("products", "products.csv", PRODUCTS))
    report = ingest_raw(lake, inputs)
    for counts in report.counts.values():
        assert counts.adds_up(), counts
        assert counts.rejected == 0


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(scenarios())
@pytest.mark.slow
def test_any_order_any_repeats_same_lake_and_summary(
    scenario: tuple[list[Batch], list[list[int]]],
) -> None:
    batches, orders = scenario
    # the model: per line, the version with the latest updated_at, tt:c1 credited to C1
    latest: dict[str, dict[str, str]] = {}
    for row in (r for b in batches for r in b[0]):
        best = latest.get(row["order_line_id"])
        if best is None or row["updated_at"] > best["updated_at"]:
            latest[row["order_line_id"]] = row
    latest = {
        k: r | {"creator_id": r["creator_id"].replace("tt:c1", "C1")} for k, r in latest.items()
    }
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, order in enumerate(orders):
            lake = Lake(Path(tmp) / f"lake{n}")
            for position, i in enumerate(order):
                _ingest(lake, batches[i], with_products=position == 0)
            results.append((contents(lake), summaries(lake, by=(None, "creator"))))
            lines = {row[0]: row for row in contents(lake)["orders"]}
            assert set(lines) == set(latest)
            for line_id, row in lines.items():
                assert row[3].isoformat() == latest[line_id]["updated_at"]
                assert row[10] == latest[line_id]["status"]
                assert (row[5] or "") == latest[line_id]["creator_id"]
    first = results[0]
    for other in results[1:]:
        assert other == first
    # and the summary is the model's: counted lines, GMV, refunds in the line's currency,
    # commission at the line's or the product's open rate, reversed in proportion to refunds
    cent = Decimal("0.01")
    expected: dict[str, list[Decimal]] = {}
    commission: dict[str, Decimal] = {}
    for line_id, row in latest.items():
        if row["status"] == "cancelled":
            continue
        totals = expected.setdefault(row["currency"], [Decimal(0)] * 5)
        gmv = int(row["quantity"]) * Decimal(row["unit_price"])
        rate = row["commission_rate"] or OPEN_RATES.get(row["product_id"], "0")
        earned = (gmv * Decimal(rate)).quantize(cent, ROUND_HALF_UP) if row["creator_id"] else 0
        commission[line_id] = Decimal(earned)
        totals[0] += gmv
        totals[1] += gmv
        totals[2] += 1
        totals[3] += gmv if row["creator_id"] else 0
        totals[4] += earned
    for refund in batches[-1][1]:
        line = latest[refund["order_line_id"]]
        if line["status"] != "cancelled" and line["currency"] == refund["currency"]:
            amount = Decimal(refund["amount"])
            gmv = int(line["quantity"]) * Decimal(line["unit_price"])
            reversal = commission[refund["order_line_id"]] * amount / gmv if gmv else 0
            expected[line["currency"]][1] -= amount
            expected[line["currency"]][4] -= Decimal(reversal).quantize(cent, ROUND_HALF_UP)
    columns = ("gmv", "net_gmv", "order_lines", "affiliate_gmv", "commission")
    got = {r["currency"]: [r[c] for c in columns] for r in first[1][None]}
    assert got == expected


@settings(max_examples=8, deadline=None)
@given(order_versions())
def test_counts_add_up_and_second_ingest_is_all_duplicates(rows: list[dict[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake(Path(tmp) / "lake")
        table = pa.table({c: [r[c] for r in rows] for c in ORDER_COLUMNS})
        first = ingest_raw(lake, [RawInput("orders", "o.csv", table)]).counts["orders"]
        assert first.adds_up()
        assert first.accepted == len({r["order_line_id"] for r in rows})
        before = contents(lake)
        second = ingest_raw(lake, [RawInput("orders", "o.csv", table)]).counts["orders"]
        assert second.adds_up()
        assert second.accepted == 0
        assert second.duplicate == first.accepted + first.duplicate
        assert contents(lake) == before
