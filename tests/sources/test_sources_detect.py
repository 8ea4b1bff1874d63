"""Which export a file is, from its header alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiktok_exports import (
    AFFILIATE,
    AFFILIATE_OLD,
    AFFILIATE_UK,
    ALL_ORDERS,
    CREATOR_EARNINGS,
    write_export,
)

from shopstar.errors import ShopstarError, UnreadableInput
from shopstar.sources import SOURCES, detect, read_export, wants_sources
from shopstar.sources.headers import INDONESIAN


@pytest.mark.parametrize(
    ("header", "source"),
    [
        (AFFILIATE, "tiktok-affiliate-orders"),
        (AFFILIATE_UK, "tiktok-affiliate-orders"),
        (AFFILIATE_OLD, "tiktok-affiliate-orders"),
        ([f" {h.upper()} " for h in AFFILIATE], "tiktok-affiliate-orders"),
        (ALL_ORDERS, "tiktok-all-orders"),
        (CREATOR_EARNINGS, "tiktok-creator-earnings"),
    ],
)
def test_each_export_is_recognised(header: list[str], source: str) -> None:
    assert detect(header) == source


def test_indonesian_headers_are_read_through_the_locale_map() -> None:
    english_of = {english: written for written, english in INDONESIAN.items()}
    header = [english_of.get(name, name) for name in AFFILIATE_UK]
    assert "ID Pesanan" in header
    assert detect(header) == "tiktok-affiliate-orders"


def test_a_header_fitting_two_sources_is_an_error_naming_both() -> None:
    merged = AFFILIATE + [h for h in ALL_ORDERS if h not in AFFILIATE]
    with pytest.raises(ShopstarError, match="more than one source") as caught:
        detect(merged)
    assert "tiktok-affiliate-orders" in str(caught.value)
    assert "tiktok-all-orders" in str(caught.value)
    assert "--source" in str(caught.value)


def test_an_unknown_header_names_the_closest_source_and_what_it_lacks() -> None:
    header = [h for h in AFFILIATE if h != "Creator Username"]
    with pytest.raises(ShopstarError, match="matches no known export") as caught:
        detect(header)
    assert "closest is tiktok-affiliate-orders, which lacks: Creator Username" in str(caught.value)


def test_a_file_with_an_unknown_header_is_unreadable(tmp_path: Path) -> None:
    path = write_export(tmp_path / "x.csv", ["order_line_id", "quantity"], [])
    with pytest.raises(UnreadableInput, match="matches no known export"):
        read_export(path)


def test_a_forced_source_must_fit_the_header(tmp_path: Path) -> None:
    path = write_export(tmp_path / "x.csv", ALL_ORDERS, [])
    with pytest.raises(UnreadableInput, match="not a tiktok-creator-earnings export, it lacks"):
        read_export(path, source="tiktok-creator-earnings")
    with pytest.raises(ShopstarError, match='"tiktok-nope" is not a known source'):
        read_export(path, source="tiktok-nope")


def test_which_paths_go_through_the_source_adapters(tmp_path: Path) -> None:
    export = write_export(tmp_path / "Affiliate orders.csv", AFFILIATE, [])
    workbook = write_export(tmp_path / "orders.xlsx", ALL_ORDERS, [])
    plain = tmp_path / "orders.csv"
    plain.write_text("order_line_id\n")
    assert wants_sources([export, workbook, tmp_path / "missing.csv"], None, None)
    assert not wants_sources([plain, tmp_path], None, None)
    assert not wants_sources([export], None, "orders")  # --entity names the CSV's entity
    assert wants_sources([plain], "tiktok-all-orders", None)
    with pytest.raises(ShopstarError, match=r"separate runs \(contract files: .*orders.csv\)"):
        wants_sources([export, plain], None, None)
    with pytest.raises(ShopstarError, match="--entity does not apply to XLSX"):
        wants_sources([workbook], None, "orders")
    with pytest.raises(ShopstarError, match="--source and --entity"):
        wants_sources([export], "tiktok-all-orders", "orders")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("export.xlsx", b"not a workbook", "not an XLSX workbook"),
        ("export.csv", "Order ID\n".encode("utf-16"), "not UTF-8 text"),
        ("export.csv", b"\n\n", "the file is empty"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableInput, match=message):
        read_export(path)


def test_docs_name_every_source_and_column() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "sources.md").read_text(encoding="utf-8")
    for source in SOURCES.values():
        assert f"`{source.name}`" in docs
        for column in (*source.required, *source.optional):
            assert column in docs, f"{source.name}: {column} is not documented"
