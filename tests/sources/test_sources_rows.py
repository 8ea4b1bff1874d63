"""Rows of each export mapped to canonical rows; malformed rows rejected in the source's words."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from tiktok_exports import AFFILIATE, AFFILIATE_UK, ALL_ORDERS, CREATOR_EARNINGS, write_export

from shopstar.errors import ShopstarError
from shopstar.lake import Lake, RawInput, Skipped
from shopstar.sources import ExportOptions, ingest_exports, merge_order, read_exports
from shopstar.sources.headers import INDONESIAN

AFF_ROW = {
    "Order ID": "576100000000000001", "Product ID": "1729000000000001", "Product Name": "Lip tint",
    "SKU ID": "1730000000000001", "Price": "1,299.90", "Payment Amount": "2,499.80",
    "Currency": "USD", "Quantity": "2", "Fully returned or refunded": "No",
    "Order Status": "Completed", "Creator Username": "@Alice", "Content Type": "Video",
    "Content ID": "7300000000000000001", "Standard commission rate": "15%",
    "Time Created": "01/03/2026 10:00:00",
}  # fmt: skip
ALL_ROW = {
    "Order ID": "576100000000000001", "Order Status": "Completed", "SKU ID": "1730000000000001",
    "Product Name": "Lip tint", "Quantity": "2", "Sku Quantity of return": "0",
    "SKU Unit Original Price": "1,299.90", "Created Time": "01/03/2026 10:00:00",
    "Paid Time": "01/03/2026 10:05:00", "Shipped Time": "/", "Delivered Time": "/",
    "Cancelled Time": "/",
}  # fmt: skip
EARN_ROW = {
    "Order ID": "576100000000000001", "SKU ID": "1730000000000001", "Product name": "Lip tint",
    "Product ID": "1729000000000001", "Price": "1,299.90", "Items sold": "2",
    "Items refunded": "0", "Shop name": "Glow", "Shop code": "GLOW01", "Currency": "USD",
    "Order settlement status": "To-SETTLE", "Indirect": "No", "Content Type": "LIVE",
    "Content ID": "7300000000000000001", "Standard": "15%", "Order date": "01/03/2026 10:00:00",
    "Commission settlement date": "/",
}  # fmt: skip
OPTIONS = ExportOptions(shop_id="GLOW01", creator="alice", currency="USD")


def inputs_by_entity(inputs: list[RawInput]) -> dict[str, RawInput]:
    return {raw.entity: raw for raw in inputs}


def read_one(path: Path, options: ExportOptions = OPTIONS) -> dict[str, RawInput]:
    return inputs_by_entity(read_exports([path], options=options).inputs)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_affiliate_row_maps_to_an_attributed_order_line(tmp_path: Path, suffix: str) -> None:
    path = write_export(tmp_path / f"affiliate{suffix}", AFFILIATE, [AFF_ROW])
    got = read_one(path)
    (order,) = got["orders"].table.to_pylist()
    assert order == {
        "order_line_id": "576100000000000001-1730000000000001",
        "order_id": "576100000000000001",
        "ordered_at": dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC),
        "updated_at": dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC),
        "product_id": "1729000000000001",
        "creator_id": "tt:alice",
        "content_id": "7300000000000000001",
        "quantity": 2,
        "unit_price": Decimal("1299.90"),
        "currency": "USD",
        "status": "placed",
        "commission_rate": Decimal("0.15"),
        "content_type": "video",
    }
    assert list(got["orders"].lines or []) == [2]
    (creator,) = got["creators"].table.to_pylist()
    assert (creator["creator_id"], creator["handle"], creator["region"]) == (
        "tt:alice",
        "alice",
        "ZZ",
    )
    (product,) = got["products"].table.to_pylist()
    assert (product["shop_id"], product["title"], product["category"]) == (
        "GLOW01",
        "Lip tint",
        "unknown",
    )
    assert "refunds" not in got


def test_xlsx_typed_cells_read_like_the_csv(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Report"
    book.create_sheet("Sheet1")
    target = book["Sheet1"]
    target.append(AFFILIATE)
    cells = dict(AFF_ROW, Quantity=2, Price=1299.9, Currency="USD")
    cells["Time Created"] = dt.datetime(2026, 3, 1, 10, 0, 0)  # type: ignore[assignment]
    cells["Standard commission rate"] = 0.15  # type: ignore[assignment]
    target.append([cells.get(name) for name in AFFILIATE])
    target.cell(row=2, column=AFFILIATE.index("Standard commission rate") + 1).number_format = "0%"
    book.save(tmp_path / "typed.xlsx")
    (order,) = read_one(tmp_path / "typed.xlsx")["orders"].table.to_pylist()
    assert order["unit_price"] == Decimal("1299.90")
    assert order["commission_rate"] == Decimal("0.15")
    assert order["ordered_at"] == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)


def test_uk_region_time_zone_and_refund_flag(tmp_path: Path) -> None:
    row = dict(AFF_ROW, **{"Creator Region": "gb", "Fully returned or refunded": "Yes"})
    path = write_export(tmp_path / "uk.csv", AFFILIATE_UK, [row])
    got = read_one(path, ExportOptions(shop_id="GLOW01", tz="Europe/London"))
    assert got["creators"].table.to_pylist()[0]["region"] == "GB"
    (refund,) = got["refunds"].table.to_pylist()
    assert refund["refund_id"] == "576100000000000001-1730000000000001-refund"
    assert refund["amount"] == Decimal("2599.80")
    assert refund["refunded_at"] == dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)  # GMT in March


def test_all_orders_row_has_no_creator_and_a_sku_placeholder_product(tmp_path: Path) -> None:
    row = dict(ALL_ROW, **{"Sku Quantity of return": "1", "Delivered Time": "04/03/2026 09:00:00"})
    got = read_one(write_export(tmp_path / "all.csv", ALL_ORDERS, [row]))
    (order,) = got["orders"].table.to_pylist()
    assert order["creator_id"] is None
    assert order["product_id"] == "tt-sku:1730000000000001"
    assert order["updated_at"] == dt.datetime(2026, 3, 4, 9, tzinfo=dt.UTC)
    (refund,) = got["refunds"].table.to_pylist()
    assert refund["amount"] == Decimal("1299.90")


def test_all_orders_needs_a_currency(tmp_path: Path) -> None:
    path = write_export(tmp_path / "all.csv", ALL_ORDERS, [ALL_ROW])
    with pytest.raises(ShopstarError, match="pass --currency"):
        read_exports([path], options=ExportOptions(shop_id="GLOW01"))


def test_creator_earnings_credit_the_files_creator(tmp_path: Path) -> None:
    row = dict(EARN_ROW, **{"Items refunded": "1", "Order settlement status": "REFUNDED"})
    got = read_one(write_export(tmp_path / "earn.xlsx", CREATOR_EARNINGS, [row]))
    (order,) = got["orders"].table.to_pylist()
    assert (order["creator_id"], order["status"], order["content_type"]) == (
        "tt:alice",
        "placed",
        "live",
    )
    assert got["products"].table.to_pylist()[0]["shop_id"] == "GLOW01"
    assert got["refunds"].table.to_pylist()[0]["amount"] == Decimal("1299.90")
    path = tmp_path / "earn.xlsx"
    with pytest.raises(ShopstarError, match="pass --creator"):
        read_exports([path], options=ExportOptions())


def test_indonesian_file_rejects_in_its_own_words(tmp_path: Path) -> None:
    english_of = {english: written for written, english in INDONESIAN.items()}
    header = [english_of.get(name, name) for name in AFFILIATE]
    row = {english_of.get(k, k): v for k, v in dict(AFF_ROW, Quantity="dua").items()}
    got = read_one(write_export(tmp_path / "id.csv", header, [row]))
    (reject,) = got["orders"].rejects
    assert reject.reason == 'Kuantitas: "dua" is not a whole number'
    assert reject.row["ID Pesanan"] == "576100000000000001"


BAD_ROWS = [
    (AFFILIATE, AFF_ROW, "Time Created", "31/02/2026 10:00:00",
     'Time Created: "31/02/2026 10:00:00" is not a DD/MM/YYYY HH:MM:SS date'),
    (AFFILIATE, AFF_ROW, "Standard commission rate", "0.15",
     'Standard commission rate: "0.15" is not a percentage like 15%'),
    (AFFILIATE, AFF_ROW, "Price", "12,5",
     'Price: "12,5" is not an amount (expected e.g. 1,299.90)'),
    (AFFILIATE, AFF_ROW, "Fully returned or refunded", "Maybe",
     'Fully returned or refunded: "Maybe" is not Yes or No'),
    (AFFILIATE, AFF_ROW, "Order Status", "Lost", 'Order Status: "Lost" is not a known status'),
    (AFFILIATE, AFF_ROW, "Order ID", "", "Order ID: is empty"),
    (AFFILIATE, AFF_ROW, "Quantity", "0", 'Quantity: "0" is not a quantity of at least 1'),
    (ALL_ORDERS, ALL_ROW, "Created Time", "/", "Created Time: is empty"),
    (ALL_ORDERS, ALL_ROW, "Sku Quantity of return", "3",
     'Sku Quantity of return: "3" is more than the Quantity (2)'),
    (ALL_ORDERS, ALL_ROW, "SKU Unit Original Price", "abc",
     'SKU Unit Original Price: "abc" is not an amount (expected e.g. 1,299.90)'),
    (ALL_ORDERS, ALL_ROW, "Order Status", "Teleported",
     'Order Status: "Teleported" is not a known status'),
    (CREATOR_EARNINGS, EARN_ROW, "Items sold", "9,51",
     'Items sold: "9,51" is not a whole number'),
    (CREATOR_EARNINGS, EARN_ROW, "Indirect", "Perhaps", 'Indirect: "Perhaps" is not Yes or No'),
    (CREATOR_EARNINGS, EARN_ROW, "Standard", "150%", 'Standard: "150%" is more than 100%'),
    (CREATOR_EARNINGS, EARN_ROW, "Commission settlement date", "2026-03-09",
     'Commission settlement date: "2026-03-09" is not a DD/MM/YYYY HH:MM:SS date'),
]  # fmt: skip


@pytest.mark.parametrize(("header", "good", "column", "value", "reason"), BAD_ROWS)
def test_a_malformed_row_is_rejected_in_the_sources_words(
    tmp_path: Path, header: list[str], good: dict[str, str], column: str, value: str, reason: str
) -> None:
    other = dict(good, **{"Order ID": "999", "SKU ID": "888"})
    bad = dict(good, **{column: value})
    path = write_export(tmp_path / "export.csv", header, [other, bad])
    orders = read_one(path)["orders"]
    (reject,) = orders.rejects
    assert (reject.line, reject.reason) == (3, reason)
    assert reject.row[column] == value
    assert orders.table.column("order_id").to_pylist() == ["999"]


def test_the_summary_row_is_skipped_and_reported(tmp_path: Path) -> None:
    path = write_export(tmp_path / "affiliate.csv", AFFILIATE, [AFF_ROW, AFF_ROW])
    result = read_exports([path], options=OPTIONS)
    orders = inputs_by_entity(result.inputs)["orders"]
    assert orders.table.num_rows == 2 and not orders.rejects
    reason = "skipped the Summary row (totals, not an order line)"
    assert orders.skipped == (Skipped(4, reason),)
    assert result.notes == [f"{path} line 4: {reason}"]


def test_the_skipped_row_is_counted_and_kept_in_the_batch_record(tmp_path: Path) -> None:
    """Also for an export holding nothing but its totals row: the batch records that line."""
    full = write_export(tmp_path / "affiliate.csv", AFFILIATE, [AFF_ROW])
    empty = write_export(tmp_path / "empty.csv", AFFILIATE, [])
    lake = Lake(tmp_path / "lake")
    report = ingest_exports(lake, [full, empty], options=OPTIONS)
    orders = report.counts["orders"]
    assert (orders.read, orders.accepted, orders.skipped) == (1, 1, 2)
    record = json.loads(lake.batch_record(report.batch_id or "").read_text())
    assert {row["entity"]: row["skipped"] for row in record["counts"]}["orders"] == 2
    reason = "skipped the Summary row (totals, not an order line)"
    assert record["skipped_rows"] == [
        {"entity": "orders", "source": f"{path} (tiktok-affiliate-orders)", "line": line,
         "reason": reason}
        for path, line in ((full, 3), (empty, 2))
    ]  # fmt: skip


def _row(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "order_line_id": "1-2", "order_id": "1", "product_id": "P1", "quantity": 1,
        "unit_price": Decimal("5.00"), "currency": "USD", "status": "placed",
        "ordered_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        "updated_at": dt.datetime(2026, 3, 1, tzinfo=dt.UTC), "creator_id": "tt:alice",
        "content_id": "V1", "commission_rate": Decimal("0.1"), "content_type": "video",
    }  # fmt: skip
    return base | changes


def test_merge_keeps_attribution_and_takes_the_later_status() -> None:
    affiliate = _row()
    later = _row(
        updated_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        status="cancelled",
        product_id="tt-sku:2",
        creator_id=None,
        content_id=None,
        commission_rate=None,
        content_type=None,
    )
    expected = _row(updated_at=later["updated_at"], status="cancelled")
    assert merge_order(affiliate, later) == expected
    assert merge_order(later, affiliate) == expected
    assert merge_order(expected, affiliate) == expected
    assert merge_order(expected, later) == expected
    assert merge_order(None, later) == later


def test_an_unknown_time_zone_is_a_user_error(tmp_path: Path) -> None:
    path = write_export(tmp_path / "affiliate.csv", AFFILIATE, [AFF_ROW])
    with pytest.raises(ShopstarError, match='--tz: "Mars/Base" is not a time zone'):
        read_exports([path], options=ExportOptions(tz="Mars/Base"))


def test_without_a_shop_id_no_products_are_added_and_the_user_is_told(tmp_path: Path) -> None:
    path = write_export(tmp_path / "affiliate.csv", AFFILIATE, [AFF_ROW], summary=False)
    result = read_exports([path])
    assert "products" not in inputs_by_entity(result.inputs)
    assert result.notes == [f"{path}: no shop id (pass --shop-id), so no products were added"]
