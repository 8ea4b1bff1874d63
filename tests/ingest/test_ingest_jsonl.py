"""The block-wise pyarrow JSON Lines reader gives exactly what the line-by-line reader gave."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopstar.contract import ENTITIES
from shopstar.errors import UnreadableInput
from shopstar.lake import Lake, ingest_paths
from shopstar.lake.jsonl import parse_line, read_jsonl
from shopstar.lake.raw import Reject

COLUMNS = list(ENTITIES["orders"].column_names)


def line_by_line(path: Path, entity: str) -> dict[str, Any]:
    """The reference: every physical line through ``parse_line``, columns in first-seen order
    (the reader before pyarrow, as it was)."""
    columns: dict[str, list[str | None]] = {}
    lines: list[int] = []
    rejects: list[Reject] = []
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            row = parse_line(number, raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw)
            if isinstance(row, Reject):
                rejects.append(row)
            elif row is not None:
                for name in row:
                    columns.setdefault(name, [None] * len(lines))
                for name, values in columns.items():
                    values.append(row.get(name))
                lines.append(number)
    if not lines and not rejects:
        raise UnreadableInput("empty")
    if not lines:
        columns = {n: [] for n in ENTITIES[entity].column_names}
    return {"columns": columns, "lines": lines, "rejects": rejects}


def fast(path: Path, entity: str, **sizes: int) -> dict[str, Any]:
    raw = read_jsonl(path, entity, **sizes)
    return {
        "columns": raw.table.to_pydict(),
        "lines": [int(n) for n in raw.lines],  # type: ignore[union-attr]
        "rejects": list(raw.rejects),
    }


def order(i: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "order_line_id": f"L{i}", "order_id": f"O{i}", "ordered_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-01T10:00:00Z", "product_id": "P1", "quantity": 2,
        "unit_price": 12.50, "currency": "USD", "status": "placed",
    }  # fmt: skip
    return row | values


GOOD = [
    json.dumps(order(1)),
    '{"order_line_id": "L2", "quantity": 3, "unit_price": 12.50, "commission_rate": 1e-1}',
    '{"order_line_id": "L3", "unit_price": -0, "quantity": 123456789012345678901234567890}',
    '{"order_line_id": "L4", "creator_id": null, "coupon": true, "note": "a \\"b\\" {c}: 1,"}',
    '{"order_line_id":"L5","status":"cancelled","extra_ts":"2026-11-01T10:00:00Z"}',
    '  {"order_line_id": "L6", "title": "caf\\u00e9 ☕ ünïcode", "flag": false}  ',
    '{"order_line_id": "L7", "quantity": 1.999, "unit_price": 1E+2}',
    "{}",
    '{"order_line_id": "L8", "unit_price": "12,5", "quantity": "two"}',
    '{"order_line_id": "L9"}\r',
]
BAD = [
    "null", "[1, 2]", "3", '"x"', "{", '{"a": 1} {"b": 2}', '{"a": tru}', '{"a": 01}',
    '{"a": 1.}', '{"a": .5}', '{"a": NaN}', '{1: "x"}', '{true: 1}', '{"a": "x\ty"}',
    '{"a": "x\x01y"}', '{"a": 1, "a": 2}', '{"order_line_id": {"nested": 1}}',
    '{"meta": {"x": [1, 2.50]}}', '{"a": [1, 2]}', "{} null {}", '{"a": "\\ud800"}',
    '{"a": "x"} null', '{"a": +1}', '{"a": 1e}', '{"a": -}', "\x0c", "   ", "",
    '{"a": "unclosed}', '\ufeff{"a": 1}', '{"a": \'x\'}', '{"a": 1}x',
]  # fmt: skip
BAD_BYTES = [b'{"a": "\xff"}', b"\xc3\x28", b'{"a": "\xe2\x82"}']


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    lines = draw(
        st.lists(
            st.one_of(
                st.sampled_from(GOOD).map(str.encode),
                st.sampled_from(BAD).map(str.encode),
                st.sampled_from(BAD_BYTES),
                st.integers(0, 10_000).map(lambda i: json.dumps(order(i)).encode()),
            ),
            max_size=40,
        )
    )
    ending = draw(st.sampled_from([b"\n", b"\r\n"]))
    data = ending.join(lines) + draw(st.sampled_from([b"", ending]))
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(jsonl_files(), st.sampled_from([64, 256, 1 << 24]), st.sampled_from([0, 2, 256]))
def test_same_rows_lines_and_reasons_as_line_by_line(
    data: bytes, block_size: int, small_run: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.jsonl"
        path.write_bytes(data)
        try:
            expected = line_by_line(path, "orders")
        except UnreadableInput:
            with pytest.raises(UnreadableInput, match="no JSON objects"):
                read_jsonl(path, "orders", block_size=block_size, small_run=small_run)
            return
        got = fast(path, "orders", block_size=block_size, small_run=small_run)
    assert got["lines"] == expected["lines"]
    assert got["rejects"] == expected["rejects"]
    assert got["columns"] == expected["columns"]


def test_a_big_file_with_a_few_bad_lines(tmp_path: Path) -> None:
    """Bad lines deep inside blocks are found by halving and quarantined with their line."""
    lines = [json.dumps(order(i)) for i in range(20_000)]
    for at, bad in ((0, "null"), (777, '{"a": 01}'), (12_345, "{oops"), (19_999, "[1]")):
        lines[at] = bad
    path = tmp_path / "orders.jsonl"
    path.write_text("\n".join(lines) + "\n")
    expected = line_by_line(path, "orders")
    assert fast(path, "orders", block_size=1 << 18) == expected
    assert [r.line for r in expected["rejects"]] == [1, 778, 12_346, 20_000]


def test_a_key_never_written_is_missing_a_null_key_is_present(tmp_path: Path) -> None:
    absent = tmp_path / "orders.jsonl"
    absent.write_text(json.dumps({k: v for k, v in order(1).items() if k != "unit_price"}) + "\n")
    report = ingest_paths(Lake(tmp_path / "lake"), [absent])
    assert report.unreadable == [(str(absent), "missing required column unit_price")]
    absent.write_text(json.dumps(order(1, unit_price=None)) + "\n")
    report = ingest_paths(Lake(tmp_path / "lake"), [absent])
    assert report.counts["orders"].rejected == 1
    (record,) = [json.loads(x) for x in report.quarantine.read_text().splitlines()]  # type: ignore[union-attr]
    assert (record["line"], record["reason"]) == (1, "unit_price: missing value")
