"""Migrations build the schema from empty, round-trip down and up, and match the models."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from shopstar.accounts.models import Organization
from shopstar.catalog.models import Product
from shopstar.db import (
    MODEL_MODULES,
    Base,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    make_sessionmaker,
    upgrade,
)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_creates_every_model_table(empty_db_url: str) -> None:
    assert current_revision(empty_db_url) is None
    upgrade(empty_db_url)
    assert current_revision(empty_db_url) == head_revision()
    assert _tables(empty_db_url) == set(Base.metadata.tables)
    assert {"organizations", "users", "creators", "audit_events"} <= _tables(empty_db_url)


def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    downgrade(db_url, "base")
    assert current_revision(db_url) is None
    assert _tables(db_url) == set()
    upgrade(db_url)
    assert current_revision(db_url) == head_revision()
    assert _tables(db_url) == set(Base.metadata.tables)


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    assert MODEL_MODULES  # env.py imports these; the comparison needs them loaded too
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    flat = [op for d in diff for op in (d if isinstance(d, list) else [d])]
    # the exact-decimal columns are a dialect variant Alembic cannot compare; the rest must match
    exact = {"price", "commission_rate"}
    assert [op for op in flat if not (op[0] == "modify_type" and op[3] in exact)] == []


def test_money_and_time_round_trip_exactly(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    listed = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    try:
        with sessions.begin() as session:
            session.add(Organization(kind="shop", name="S", external_id="s1"))
            session.add(
                Product(
                    product_id="p1",
                    shop_id="s1",
                    title="T",
                    category="beauty",
                    price=Decimal("12345678901234.57"),
                    currency="USD",
                    commission_rate=Decimal("0.123456"),
                    listed_at=listed,
                )
            )
        with sessions() as session:
            product = session.get_one(Product, "p1")
            assert product.price == Decimal("12345678901234.57")
            assert product.commission_rate == Decimal("0.123456")
            assert product.listed_at == listed
            assert product.listed_at.tzinfo == dt.UTC
    finally:
        engine.dispose()


def test_cli_db_upgrade_and_current(tmp_path: Path) -> None:
    env = {**os.environ, "SHOPSTAR_HOME": str(tmp_path)}
    env.pop("SHOPSTAR_DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "shopstar", "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert f"revision {head_revision()}" in run.stdout
    assert (tmp_path / "shopstar.db").is_file()
    current = subprocess.run(
        [sys.executable, "-m", "shopstar", "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"current: {head_revision()}" in current.stdout


@pytest.mark.slow
def test_cli_db_sync_copies_an_ingested_lake(tmp_path: Path) -> None:
    data = tmp_path / "in"
    data.mkdir()
    (data / "agencies.csv").write_text("agency_id,name\na1,Alpha Agency\n")
    (data / "shops.csv").write_text(
        "shop_id,name,region,size,joined_at\ns1,Glow,US,brand,2026-01-01T00:00:00Z\n"
    )
    (data / "products.csv").write_text(
        "product_id,shop_id,title,category,subcategory,price,currency,commission_rate,listed_at\n"
        "p1,s1,Lipstick,beauty,,19.99,USD,0.15,2026-01-01T00:00:00Z\n"
    )
    (data / "creators.csv").write_text(
        "creator_id,handle,region,followers,joined_at,agency_id\n"
        "c1,@c1,US,1000,2026-01-01T00:00:00Z,a1\n"
    )
    env = {**os.environ, "SHOPSTAR_HOME": str(tmp_path / "home")}
    env.pop("SHOPSTAR_DATABASE_URL", None)
    for args in (["ingest", str(data)], ["db", "sync"]):
        run = subprocess.run(
            [sys.executable, "-m", "shopstar", *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert run.returncode == 0, run.stderr
    assert "creators: inserted 1, updated 0, unchanged 0" in run.stdout
    assert "authorizations: inserted 1" in run.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'home' / 'shopstar.db'}")
    with make_sessionmaker(engine)() as session:
        product = session.get_one(Product, "p1")
        assert (product.price, product.category) == (Decimal("19.99"), "beauty")
    engine.dispose()
