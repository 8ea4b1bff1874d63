"""Placeholder ids (``tt:``, ``tt-sku:``) give way to the real ids, in any ingest order."""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiktok_exports import AFFILIATE, ALL_ORDERS, write_export

from shopstar.lake import Lake, ingest_paths
from shopstar.sources import ExportOptions, ingest_exports

HANDLES = ("alice", "Bob", "carol")
REAL_CREATORS = {"alice": "c-alice", "Bob": "c-bob"}  # carol only ever has a placeholder


def affiliate_row(order: int, sku: int, handle: str) -> dict[str, str]:
    return {
        "Order ID": str(order), "Product ID": f"P{sku}", "SKU ID": f"S{sku}", "Price": "10.00",
        "Currency": "USD", "Quantity": "1", "Order Status": "Completed",
        "Creator Username": f"@{handle}", "Standard commission rate": "10%",
        "Product Name": f"Product {sku}", "Time Created": "01/03/2026 10:00:00",
    }  # fmt: skip


def all_orders_row(order: int, sku: int, returned: bool) -> dict[str, str]:
    return {
        "Order ID": str(order), "SKU ID": f"S{sku}", "Order Status": "Completed",
        "Quantity": "1", "Sku Quantity of return": "1" if returned else "0",
        "SKU Unit Original Price": "10.00", "Created Time": "01/03/2026 10:00:00",
        "Delivered Time": "04/03/2026 10:00:00", "Product Name": f"Item {sku}",
    }  # fmt: skip


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Affiliate lines (real product ids, usernames), the all-orders export holding some of
    them and organic lines of the same SKUs, a creators file and a catalogue; which export
    names a shop; and an order to ingest the four files in."""
    lines = draw(
        st.lists(st.tuples(st.integers(0, 3), st.sampled_from(HANDLES)), min_size=1, max_size=5)
    )
    affiliate = [affiliate_row(1000 + i, sku, h) for i, (sku, h) in enumerate(lines)]
    in_all = draw(st.lists(st.booleans(), min_size=len(lines), max_size=len(lines)))
    organic = draw(st.lists(st.integers(0, 4), max_size=4))  # SKU 4 has no affiliate line
    all_orders = [all_orders_row(1000 + i, sku, i % 2 == 0) for i, ((sku, _), keep) in
                  enumerate(zip(lines, in_all, strict=True)) if keep]  # fmt: skip
    all_orders += [all_orders_row(2000 + i, sku, False) for i, sku in enumerate(organic)]
    return {
        "affiliate": affiliate,
        "all_orders": all_orders,
        "creators": draw(st.sets(st.sampled_from(sorted(REAL_CREATORS)))),
        "catalogue": draw(st.booleans()),
        "shops": (draw(st.booleans()), draw(st.booleans())),
        "order": draw(st.permutations(["affiliate", "all_orders", "creators", "catalogue"])),
    }


def build(folder: Path, scenario: dict[str, Any]) -> dict[str, Any]:
    """The four inputs of a scenario as ingest calls (each a function of a lake)."""
    affiliate = write_export(folder / "affiliate.csv", AFFILIATE, scenario["affiliate"])
    all_orders = write_export(folder / "all.csv", ALL_ORDERS, scenario["all_orders"])
    creators = folder / "creators.csv"
    creators.write_text(
        "creator_id,handle,region,followers,joined_at\n"
        + "".join(
            f"{REAL_CREATORS[h]},@{h.upper()},US,1000,2025-01-01T00:00:00Z\n"
            for h in sorted(scenario["creators"])
        )
    )
    catalogue = folder / "products.csv"
    catalogue.write_text(
        "product_id,shop_id,title,category,price,currency,commission_rate,listed_at\n"
        + ("P1,GLOW01,Serum,beauty,10.00,USD,0.1,2026-01-01\n" if scenario["catalogue"] else "")
    )
    shop_aff, shop_all = (
        ExportOptions(shop_id="GLOW01" if flag else None, currency="USD")
        for flag in scenario["shops"]
    )
    return {
        "affiliate": lambda lake: ingest_exports(lake, [affiliate], options=shop_aff),
        "all_orders": lambda lake: ingest_exports(lake, [all_orders], options=shop_all),
        "creators": lambda lake: ingest_paths(lake, [creators]),
        "catalogue": lambda lake: ingest_paths(lake, [catalogue]),
    }


def state(lake: Lake) -> dict[str, Any]:
    """Everything that must not depend on the order: order lines and refunds as stored, which
    creators and products exist, and the rows of the creators file and the catalogue."""
    con = duckdb.connect()

    def rows(entity: str, query: str) -> list[Any]:
        files = [str(p) for p in lake.files(entity)]
        return con.execute(query.format(t="read_parquet(?)"), [files]).fetchall() if files else []

    return {
        "orders": rows("orders", "SELECT * FROM {t} ORDER BY ALL"),
        "refunds": rows("refunds", "SELECT * FROM {t} ORDER BY ALL"),
        "creator_ids": rows("creators", "SELECT creator_id FROM {t} ORDER BY ALL"),
        "product_ids": rows("products", "SELECT product_id FROM {t} ORDER BY ALL"),
        "real_creators": rows("creators", "SELECT * FROM {t} WHERE followers > 0 ORDER BY ALL"),
        "catalogue": rows("products", "SELECT * FROM {t} WHERE category <> 'unknown'"),
    }


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_order_ends_with_real_ids_only_where_known(scenario: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        calls = build(Path(tmp), scenario)
        results = []
        for n, order in enumerate((["creators", "catalogue", "affiliate", "all_orders"],
                                   scenario["order"])):  # fmt: skip
            lake = Lake(Path(tmp) / f"lake{n}")
            for name in order:
                calls[name](lake)
            results.append(state(lake))
            for name in order:  # everything again: nothing changes
                calls[name](lake)
            assert state(lake) == results[-1]
    reference, got = results
    assert got == reference
    # no placeholder is left where the real id is known
    credited = {row[5] for row in got["orders"]}
    for handle, real in REAL_CREATORS.items():
        if handle in scenario["creators"]:
            assert f"tt:{handle.lower()}" not in credited
            assert (real,) in got["creator_ids"]
            assert (f"tt:{handle.lower()}",) not in got["creator_ids"]
    known_skus = {int(row["SKU ID"][1:]) for row in scenario["affiliate"]}
    products = {row[4] for row in got["orders"]} | {p for (p,) in got["product_ids"]}
    assert not {f"tt-sku:S{sku}" for sku in known_skus} & products


def test_a_creators_file_after_the_export_supersedes_the_placeholder(tmp_path: Path) -> None:
    """The CLI order of docs/sources.md: the export first, then the creators file."""
    export = write_export(tmp_path / "affiliate.csv", AFFILIATE,
                          [affiliate_row(1, 1, "Alice"), affiliate_row(2, 1, "alice")])  # fmt: skip
    lake = Lake(tmp_path / "lake")
    ingest_exports(lake, [export], options=ExportOptions(shop_id="GLOW01"))
    creators = tmp_path / "creators.csv"
    creators.write_text(
        "creator_id,handle,region,followers,joined_at\nc-alice,@Alice,US,10,2025-01-01\n"
    )
    report = ingest_paths(lake, [creators])
    assert "creators: placeholder tt:alice superseded by c-alice (2 order lines)" in report.warnings
    record = json.loads(lake.batch_record(report.batch_id or "").read_text())
    assert record["superseded_placeholders"] == [
        {"entity": "creators", "placeholder": "tt:alice", "by": "c-alice", "order_lines": 2}
    ]
    ids = state(lake)
    assert ids["creator_ids"] == [("c-alice",)]
    assert {row[5] for row in ids["orders"]} == {"c-alice"}


@pytest.mark.parametrize("creators_first", [False, True])
def test_handles_fold_alike_in_exports_and_in_the_lake(
    tmp_path: Path, creators_first: bool
) -> None:
    """Export usernames and lake handles fold the same way (``ß`` matches ``SS``), whichever
    arrives first: the order lines end with the real creator, no placeholder left."""
    export = write_export(tmp_path / "affiliate.csv", AFFILIATE, [affiliate_row(1, 1, "STRASSE")])
    creators = tmp_path / "creators.csv"
    creators.write_text(
        "creator_id,handle,region,followers,joined_at\nc-strasse,@Straße,DE,10,2025-01-01\n"
    )
    lake = Lake(tmp_path / "lake")
    if creators_first:
        ingest_paths(lake, [creators])
    ingest_exports(lake, [export], options=ExportOptions(shop_id="GLOW01"))
    if not creators_first:
        ingest_paths(lake, [creators])
    ids = state(lake)
    assert ids["creator_ids"] == [("c-strasse",)]
    assert {row[5] for row in ids["orders"]} == {"c-strasse"}


def test_every_order_of_a_small_case(tmp_path: Path) -> None:
    """All 24 orders of one scenario with every kind of placeholder."""
    scenario = {
        "affiliate": [affiliate_row(1000, 1, "alice"), affiliate_row(1001, 2, "carol")],
        "all_orders": [all_orders_row(1000, 1, True), all_orders_row(2000, 1, False),
                       all_orders_row(2001, 2, False), all_orders_row(2002, 4, False)],
        "creators": {"alice"}, "catalogue": True, "shops": (False, True),
    }  # fmt: skip
    calls = build(tmp_path, scenario)
    seen = []
    for n, order in enumerate(itertools.permutations(calls)):
        lake = Lake(tmp_path / f"lake{n}")
        for name in order:
            calls[name](lake)
        seen.append(state(lake))
    assert all(s == seen[0] for s in seen)
    assert {row[4] for row in seen[0]["orders"]} == {"P1", "P2", "tt-sku:S4"}
    assert seen[0]["product_ids"] == [("P1",), ("P2",), ("tt-sku:S4",)]
    assert seen[0]["creator_ids"] == [("c-alice",), ("tt:carol",)]


def test_an_all_orders_line_of_a_known_sku_gets_the_real_product_at_once(tmp_path: Path) -> None:
    """No placeholder is minted (and superseded) for a SKU the lake already knows."""
    lake = Lake(tmp_path / "lake")
    shop = ExportOptions(shop_id="GLOW01", currency="USD")
    affiliate = write_export(tmp_path / "a.csv", AFFILIATE, [affiliate_row(1, 7, "alice")])
    ingest_exports(lake, [affiliate], options=shop)
    later = write_export(tmp_path / "b.csv", ALL_ORDERS, [all_orders_row(2, 7, False)])
    report = ingest_exports(lake, [later], options=shop)
    assert "products" not in report.counts and not report.placeholders
    assert {row[4] for row in state(lake)["orders"]} == {"P7"}
