"""Each kind of bad input gives its documented reason, and nothing else in the batch is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopstar.lake import Lake, ingest_paths

HEADER = (
    "order_line_id,order_id,ordered_at,updated_at,product_id,creator_id,content_id,"
    "quantity,unit_price,currency,status,commission_rate,content_type"
)
GOOD_1 = "G1,O1,2026-11-01T10:00:00Z,2026-11-01T10:00:00Z,P1,C1,V1,2,20.00,USD,placed,,video"
GOOD_2 = "G2,O2,2026-11-01T11:00:00Z,2026-11-01T11:00:00Z,P1,,,1,0,USD,placed,0.1,"
BAD_BASE = ["B1", "O3", "2026-11-01T12:00:00Z", "2026-11-01T12:00:00Z", "P1", "", "", "1",
            "9.99", "USD", "placed", "", ""]  # fmt: skip
COL = {name: i for i, name in enumerate(HEADER.split(","))}
PRODUCTS = "product_id,shop_id,title,category,price,currency,commission_rate,listed_at\n" + (
    "P1,S1,Serum,beauty,20.00,USD,0.1,2026-01-01\n"
)


def _bad(column: str, value: str) -> bytes:
    row = list(BAD_BASE)
    row[COL[column]] = value
    return ",".join(row).encode()


# (case, bad line bytes, documented reason)
ROW_CASES = [
    ("bad decimal", _bad("unit_price", '"12,5"'), 'unit_price: "12,5" is not a decimal'),
    ("too many places", _bad("unit_price", "1.999"),
     'unit_price: "1.999" has more than 2 decimal places'),
    ("negative quantity", _bad("quantity", "-2"), 'quantity: "-2" is negative'),
    ("zero quantity", _bad("quantity", "0"), 'quantity: "0" must be greater than 0'),
    ("wrong type", _bad("quantity", "two"), 'quantity: "two" is not an integer'),
    ("timestamp", _bad("ordered_at", "31/12/2026"),
     'ordered_at: "31/12/2026" is not an ISO-8601 timestamp'),
    ("unknown status", _bad("status", "shipped"),
     'status: "shipped" is not one of placed, cancelled'),
    ("empty key", _bad("order_line_id", ""), "order_line_id: missing value"),
    ("rate above 1", _bad("commission_rate", "1.5"), 'commission_rate: "1.5" is above 1'),
    ("currency", _bad("currency", "US$"), 'currency: "US$" is not an ISO-4217 currency code'),
    ("non-UTF-8 bytes", _bad("content_type", "vid\xe9o").replace(b"\xc3\xa9", b"\xe9"),
     "line is not valid UTF-8 text"),
    ("field count", b"B1,O3,2026-11-01T12:00:00Z", "line has 3 fields, the header has 13"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "line", "reason"), ROW_CASES, ids=[c[0] for c in ROW_CASES])
def test_bad_row_is_rejected_with_reason_and_nothing_else_lost(
    tmp_path: Path, case: str, line: bytes, reason: str
) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "orders.csv").write_bytes(
        b"\n".join([HEADER.encode(), GOOD_1.encode(), line, GOOD_2.encode()]) + b"\n"
    )
    (data / "products.csv").write_text(PRODUCTS, encoding="utf-8")
    lake = Lake(tmp_path / "lake")

    report = ingest_paths(lake, [data])

    orders = report.counts["orders"]
    assert (orders.read, orders.accepted, orders.rejected) == (3, 2, 1), case
    assert orders.adds_up()
    assert report.counts["products"].accepted == 1
    assert report.unreadable == []
    assert report.quarantine is not None
    records = [json.loads(x) for x in report.quarantine.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 1
    assert records[0]["reason"] == reason
    assert records[0]["line"] == 3
    assert records[0]["source"] == "orders.csv"
    assert records[0]["row"]  # the row itself is kept


def test_bad_json_line_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "content_daily.jsonl"
    path.write_text(
        '{"content_id": "V1", "date": "2026-11-01", "views": 10, "product_clicks": 1}\n'
        "{not json}\n"
        '{"content_id": "V1", "date": "2026-11-02", "views": 12.5, "product_clicks": 2}\n',
        encoding="utf-8",
    )
    report = ingest_paths(Lake(tmp_path / "lake"), [path])
    counts = report.counts["content_daily"]
    assert (counts.read, counts.accepted, counts.rejected) == (3, 1, 2)
    assert report.quarantine is not None
    reasons = [json.loads(x)["reason"] for x in report.quarantine.read_text().splitlines()]
    assert reasons[0].startswith("not valid JSON")
    assert reasons[1] == 'views: "12.5" is not an integer'


def test_jsonl_with_only_bad_lines_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "agencies.jsonl"
    path.write_bytes(b'["A1", "North"]\n\xff\n')
    report = ingest_paths(Lake(tmp_path / "lake"), [path])
    assert report.unreadable == []
    counts = report.counts["agencies"]
    assert (counts.read, counts.rejected) == (2, 2)


FILE_CASES = [
    ("missing required column", HEADER.replace(",unit_price", "").encode() + b"\n",
     "missing required column unit_price"),
    ("empty file", b"", "file is empty (no header row)"),
    ("header not UTF-8", b"order_line_id,\xff\xfe\n", "header row is not UTF-8 text"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "content", "reason"), FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_unreadable_file_is_reported_and_the_rest_of_the_batch_ingested(
    tmp_path: Path, case: str, content: bytes, reason: str
) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "orders.csv").write_bytes(content)
    (data / "products.csv").write_text(PRODUCTS, encoding="utf-8")

    report = ingest_paths(Lake(tmp_path / "lake"), [data])

    assert report.unreadable == [(str(data / "orders.csv"), reason)], case
    assert report.counts["products"].accepted == 1
    assert "orders" not in report.counts


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    report = ingest_paths(Lake(tmp_path / "lake"), [tmp_path / "orders.csv"])
    assert report.unreadable == [(str(tmp_path / "orders.csv"), "no such file or directory")]
    assert report.batch_id is None
