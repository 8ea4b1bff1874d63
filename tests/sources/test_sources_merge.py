"""Merging the same line from several exports: the result does not depend on arrival order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from shopstar.sources import merge_order

START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
ATTRIBUTION = {
    "creator_id": "tt:alice",
    "content_id": "V1",
    "commission_rate": Decimal("0.15"),
    "content_type": "video",
}


def export_row(minutes: int, status: str, affiliate: bool) -> dict[str, Any]:
    """The line as one export sees it: affiliate exports know the creator, others do not."""
    row: dict[str, Any] = {
        "order_line_id": "1-2", "order_id": "1", "ordered_at": START,
        "updated_at": START + dt.timedelta(minutes=minutes),
        "product_id": "P1" if affiliate else "tt-sku:2", "quantity": 1,
        "unit_price": Decimal("9.90"), "currency": "USD", "status": status,
    }  # fmt: skip
    return row | (ATTRIBUTION if affiliate else dict.fromkeys(ATTRIBUTION))


rows = st.lists(
    st.tuples(st.sampled_from(["placed", "cancelled"]), st.booleans()), min_size=1, max_size=6
).map(lambda specs: [export_row(i, status, aff) for i, (status, aff) in enumerate(specs)])


def fold(sequence: list[dict[str, Any]]) -> dict[str, Any]:
    return reduce(lambda stored, row: merge_order(stored, row), sequence[1:], sequence[0])


@given(rows.flatmap(lambda rs: st.tuples(st.just(rs), st.permutations(rs))))
def test_any_arrival_order_ends_with_the_same_row(case: tuple[list[Any], list[Any]]) -> None:
    in_time_order, shuffled = case
    final = fold(shuffled)
    assert final == fold(in_time_order)
    newest = in_time_order[-1]
    assert (final["status"], final["updated_at"]) == (newest["status"], newest["updated_at"])
    if any(row["creator_id"] for row in in_time_order):
        assert {k: final[k] for k in ATTRIBUTION} == ATTRIBUTION
        assert final["product_id"] == "P1"


@given(rows)
def test_merging_again_changes_nothing(sequence: list[dict[str, Any]]) -> None:
    final = fold(sequence)
    for row in sequence:
        assert merge_order(final, row) == final
