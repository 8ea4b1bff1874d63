"""TikTok exports through the real ``shopstar ingest`` and ``shopstar summary`` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tiktok_exports import AFFILIATE, AFFILIATE_OLD, ALL_ORDERS, CREATOR_EARNINGS, write_export

pytestmark = pytest.mark.slow  # a dozen CLI subprocesses

SHOP = ["--shop-id", "GLOW01"]


def aff(order: str, product: str, sku: str, price: str, qty: str, **more: str) -> dict[str, str]:
    return {
        "Order ID": order, "Product ID": product, "SKU ID": sku, "Price": price,
        "Payment Amount": price, "Currency": "USD", "Quantity": qty, "Payment method": "Card",
        "Fully returned or refunded": "No", "Order Status": "Completed",
        "commission model": "Standard", "Product Name": f"Product {product}",
    } | more  # fmt: skip


AFFILIATE_ROWS = [
    aff("1001", "P1", "S1", "1,300.00", "2", **{"Creator Username": "@Alice",
        "Content Type": "Video", "Content ID": "V1", "Standard commission rate": "15%",
        "Time Created": "01/03/2026 10:00:00"}),
    aff("1002", "P2", "S2", "20.00", "3", **{"Creator Username": "bob",
        "Content Type": "LIVE", "Content ID": "L1", "Standard commission rate": "10%",
        "Fully returned or refunded": "Yes", "Time Created": "02/03/2026 11:00:00"}),
    aff("1003", "P1", "S1", "1,300.00", "1", **{"Creator Username": "alice",
        "Order Status": "Ineligible", "Content Type": "Video", "Content ID": "V1",
        "Standard commission rate": "15%", "Time Created": "03/03/2026 09:00:00"}),
    aff("1004", "P1", "S1", "1,300.00", "1", **{"Creator Username": "alice",
        "Standard commission rate": "15%", "Time Created": "31/02/2026 10:00:00"}),
]  # fmt: skip


def allo(
    order: str, sku: str, status: str, qty: str, ret: str, price: str, **more: str
) -> dict[str, str]:
    return {
        "Order ID": order, "Order Status": status, "SKU ID": sku, "Seller SKU": f"seller-{sku}",
        "Product Name": f"Item {sku}", "Quantity": qty, "Sku Quantity of return": ret,
        "SKU Unit Original Price": price, "Shipped Time": "/", "Delivered Time": "/",
        "Cancelled Time": "/", "Buyer Username": "buyer", "Country": "United States",
    } | more  # fmt: skip


ALL_ORDER_ROWS = [
    allo("1001", "S1", "Completed", "2", "1", "1,300.00", **{"Cancelation/Return Type":
         "Return/Refund", "Created Time": "01/03/2026 10:00:00",
         "Paid Time": "01/03/2026 10:01:00", "Delivered Time": "05/03/2026 12:00:00"}),
    allo("1002", "S2", "Completed", "3", "3", "20.00", **{"Created Time": "02/03/2026 11:00:00",
         "Delivered Time": "04/03/2026 09:00:00"}),
    allo("1003", "S1", "Cancelled", "1", "0", "1,300.00", **{"Created Time": "03/03/2026 09:00:00",
         "Cancelled Time": "03/03/2026 10:00:00"}),
    allo("2001", "S9", "Delivered", "1", "0", "9,510.00", **{"Created Time": "06/03/2026 08:00:00",
         "Paid Time": "06/03/2026 08:00:10"}),
    allo("2002", "S9", "Completed", "2", "5", "9,510.00",
         **{"Created Time": "06/03/2026 09:00:00"}),
]  # fmt: skip

# By hand. Affiliate export alone: 1001 (2 x 1300.00 at 15%) and 1002 (3 x 20.00 at 10%, fully
# refunded) count; 1003 is Ineligible (cancelled), 1004 is rejected (31 February).
AFFILIATE_ONLY = {
    "gmv": Decimal("2660.00"),  # 2600.00 + 60.00
    "net_gmv": Decimal("2600.00"),  # minus the 60.00 refund
    "order_lines": 2,
    "affiliate_gmv": Decimal("2660.00"),
    "commission": Decimal("390.00"),  # 390.00 + 6.00 - 6.00 reversed
}
# Then the all-orders export: one of 1001's two items returned (refund 1300.00), the organic
# 2001 (9,510.00) added, 2002 rejected (5 returned of 2); creators stay credited.
BOTH = {
    "gmv": Decimal("12170.00"),  # 2600.00 + 60.00 + 9510.00
    "net_gmv": Decimal("10810.00"),  # minus 1300.00 and 60.00
    "order_lines": 3,
    "affiliate_gmv": Decimal("2660.00"),
    "commission": Decimal("195.00"),  # 390.00 - 195.00 reversed, 6.00 - 6.00
}


def shopstar(home: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPSTAR_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-m", "shopstar", *args], env=env, capture_output=True, text=True
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def ingest(home: Path, *args: str) -> tuple[dict[str, dict[str, Any]], str]:
    done = shopstar(home, "ingest", "--format", "json", *args)
    counts = {row["entity"]: row for row in json.loads(done.stdout)}
    for row in counts.values():
        assert (
            row["accepted"] + row["duplicate"] + row["superseded"] + row["rejected"] == row["read"]
        )
    return counts, done.stderr


def summary(home: Path, *args: str) -> list[dict[str, Any]]:
    rows = json.loads(shopstar(home, "summary", "--format", "json", *args).stdout)
    money = ("gmv", "net_gmv", "affiliate_gmv", "commission")
    return [{k: Decimal(str(v)) if k in money else v for k, v in row.items()} for row in rows]


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum of summary rows (one key and currency per row) over every key, in USD."""
    assert {row["currency"] for row in rows} == {"USD"}
    return {name: sum(row[name] for row in rows) for name in AFFILIATE_ONLY}


@pytest.fixture
def exports(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write_export(tmp_path / "Affiliate orders.csv", AFFILIATE, AFFILIATE_ROWS),
        write_export(tmp_path / "All order.xlsx", ALL_ORDERS, ALL_ORDER_ROWS),
    )


def test_affiliate_then_all_orders_is_counted_once(
    tmp_path: Path, exports: tuple[Path, Path]
) -> None:
    affiliate, all_orders = exports
    home = tmp_path / "home"
    counts, err = ingest(home, "--source", "tiktok-affiliate-orders", *SHOP, str(affiliate))
    assert counts["orders"] | {"entity": ""} == {
        "entity": "", "read": 4, "accepted": 3, "duplicate": 0, "superseded": 0, "rejected": 1,
        "skipped": 1,
    }  # fmt: skip
    assert (counts["products"]["accepted"], counts["creators"]["accepted"]) == (2, 2)
    assert counts["refunds"]["accepted"] == 1
    assert "line 6: skipped the Summary row" in err
    (record,) = (home / "lake" / "_batches").glob("*Z-??????.json")
    (skipped,) = json.loads(record.read_text())["skipped_rows"]
    assert (skipped["line"], skipped["entity"]) == (6, "orders")
    assert skipped["reason"] == "skipped the Summary row (totals, not an order line)"
    (everything,) = summary(home)
    assert (everything["key"], everything["currency"]) == ("all", "USD")
    assert totals([everything]) == AFFILIATE_ONLY

    counts, _ = ingest(home, *SHOP, "--currency", "USD", str(all_orders))  # detected
    assert counts["orders"]["read"] == 5 and counts["orders"]["rejected"] == 1
    assert counts["orders"]["accepted"] == 4  # three merged lines (later times) and 2001
    assert (counts["refunds"]["accepted"], counts["refunds"]["duplicate"]) == (1, 1)
    by_creator = {row["key"]: row for row in summary(home, "--by", "creator")}
    assert totals(list(by_creator.values())) == BOTH
    assert by_creator["tt:alice"]["affiliate_gmv"] == Decimal("2600.00")
    assert by_creator["tt:alice"]["commission"] == Decimal("195.00")
    assert by_creator["tt:bob"]["commission"] == Decimal("0.00")
    assert by_creator[None]["gmv"] == Decimal("9510.00")

    counts, _ = ingest(home, *SHOP, "--currency", "USD", str(affiliate), str(all_orders))
    assert all(row["accepted"] == row["superseded"] == 0 for row in counts.values())
    assert totals(summary(home)) == BOTH


def test_all_orders_first_then_affiliate_gives_the_same_totals(tmp_path: Path) -> None:
    """The other format of each export, arriving in the other order."""
    affiliate = write_export(tmp_path / "Affiliate orders.xlsx", AFFILIATE, AFFILIATE_ROWS)
    all_orders = write_export(tmp_path / "All order.csv", ALL_ORDERS, ALL_ORDER_ROWS)
    home = tmp_path / "home"
    ingest(home, *SHOP, "--currency", "USD", str(all_orders))
    ingest(home, *SHOP, str(affiliate))
    by_creator = {row["key"]: row for row in summary(home, "--by", "creator")}
    assert totals(list(by_creator.values())) == BOTH
    assert by_creator["tt:alice"]["affiliate_gmv"] == Decimal("2600.00")


def test_both_exports_in_one_call_with_rejects_quarantined_in_the_sources_words(
    tmp_path: Path, exports: tuple[Path, Path]
) -> None:
    home = tmp_path / "home"
    ingest(home, *SHOP, "--currency", "USD", *map(str, exports))
    assert totals(summary(home)) == BOTH
    (quarantine,) = (home / "lake" / "_batches").glob("*.rejects.jsonl")
    records = [json.loads(line) for line in quarantine.read_text().splitlines()]
    assert {(r["line"], r["reason"]) for r in records} == {
        (5, 'Time Created: "31/02/2026 10:00:00" is not a DD/MM/YYYY HH:MM:SS date'),
        (6, 'Sku Quantity of return: "5" is more than the Quantity (2)'),
    }
    assert all(r["entity"] == "orders" for r in records)
    assert {r["row"]["Order ID"] for r in records} == {"1004", "2002"}


def test_creator_earnings_xlsx_and_an_old_affiliate_file(tmp_path: Path) -> None:
    earnings = write_export(
        tmp_path / "earnings.xlsx",
        CREATOR_EARNINGS,
        [
            {"Order ID": "3001", "SKU ID": "S5", "Product ID": "P5", "Product name": "Serum",
             "Price": "45.50", "Items sold": "2", "Items refunded": "1", "Shop name": "Glow",
             "Shop code": "GLOW01", "Currency": "USD", "Order settlement status": "SETTLED",
             "Indirect": "No", "Content Type": "Video", "Content ID": "V9", "Standard": "20%",
             "Order date": "07/03/2026 20:00:00",
             "Commission settlement date": "22/03/2026 00:00:00"},
            {"Order ID": "3002", "SKU ID": "S5", "Product ID": "P5", "Product name": "Serum",
             "Price": "45.50", "Items sold": "1", "Items refunded": "0", "Shop name": "Glow",
             "Shop code": "GLOW01", "Currency": "USD", "Order settlement status": "FROZEN",
             "Indirect": "Yes", "Content Type": "LIVE", "Content ID": "L9", "Standard": "20%",
             "Order date": "08/03/2026 20:00:00", "Commission settlement date": "/"},
        ],
    )  # fmt: skip
    home = tmp_path / "home"
    counts, _ = ingest(home, "--creator", "Carol", str(earnings))
    assert counts["orders"]["accepted"] == 2
    (row,) = summary(home)
    # 2 x 45.50 + 45.50 = 136.50; one item refunded: 45.50; commission 20% of 136.50 - 45.50.
    assert (row["gmv"], row["net_gmv"], row["order_lines"]) == (
        Decimal("136.50"),
        Decimal("91.00"),
        2,
    )
    assert row["commission"] == Decimal("18.20")

    old = write_export(
        tmp_path / "old affiliate.csv",
        AFFILIATE_OLD,
        [aff("3002", "P5", "S5", "45.50", "1", **{"Creator Username": "carol",
             "Standard commission rate": "20%", "Time Created": "08/03/2026 20:00:00",
             "Payment time": "08/03/2026 20:00:05", "Order Delivery Time": "/",
             "Time Commission Paid": "/", "Platform": "TikTok"})],
    )  # fmt: skip
    counts, _ = ingest(home, str(old))
    assert counts["orders"]["accepted"] == 1  # the same line, later payment time: merged
    assert "creators" not in counts and "products" not in counts
    assert summary(home)[0]["gmv"] == Decimal("136.50")


def test_cli_errors_are_one_line(tmp_path: Path, exports: tuple[Path, Path]) -> None:
    home = tmp_path / "home"
    ambiguous = write_export(
        tmp_path / "merged.csv", AFFILIATE + [h for h in ALL_ORDERS if h not in AFFILIATE], []
    )
    done = shopstar(home, "ingest", str(ambiguous), check=False)
    assert done.returncode == 2
    assert "tiktok-affiliate-orders, tiktok-all-orders" in done.stderr
    done = shopstar(home, "ingest", *SHOP, str(exports[1]), check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: tiktok-all-orders exports carry no currency: pass --currency CODE"
    ]
    assert not (home / "lake" / "_manifest.json").exists()


def test_a_username_known_to_the_lake_credits_that_creator(
    tmp_path: Path, exports: tuple[Path, Path]
) -> None:
    home = tmp_path / "home"
    creators = tmp_path / "creators.csv"
    creators.write_text(
        "creator_id,handle,region,followers,joined_at,agency_id\n"
        "c-alice,alice,US,120000,2025-01-01T00:00:00Z,\n"
    )
    shopstar(home, "ingest", str(creators))
    counts, _ = ingest(home, *SHOP, str(exports[0]))
    assert counts["creators"]["accepted"] == 1  # only tt:bob is new
    by_creator = {row["key"]: row["affiliate_gmv"] for row in summary(home, "--by", "creator")}
    assert by_creator["c-alice"] == Decimal("2600.00")
    assert "tt:alice" not in by_creator
