"""Shared simulated marketplaces (generated once per test session)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from shopstar.sim import SimConfig, SimResult, generate


@pytest.fixture(scope="session")
def small_market(tmp_path_factory: pytest.TempPathFactory) -> SimResult:
    """The default demo-size marketplace (300 creators, 12 weeks), Parquet, clean."""
    return generate(tmp_path_factory.mktemp("sim-small"), SimConfig())


@pytest.fixture(scope="session", params=[None, 300], ids=["one-shard", "7-shards"])
def stats_market(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> SimResult:
    """A marketplace large enough for statistical checks (2,000 creators, 8 weeks), drawn in
    one shard and in shards of 300 creators: every shape check must hold for both."""
    config = SimConfig(creators=2_000, weeks=8, seed=7, shard_creators=request.param)
    return generate(tmp_path_factory.mktemp("sim-stats"), config)


def _market_db(result: SimResult) -> duckdb.DuckDBPyConnection:
    """DuckDB with a view per data file, ``lines`` (latest row per order line), and
    ``truth_<name>`` views of the truth files."""
    con = duckdb.connect()
    for name, path in result.files.items():
        con.execute(f"create view {name} as select * from read_parquet('{path}')")
    for path in Path(result.truth_dir).glob("*.parquet"):
        con.execute(f"create view truth_{path.stem} as select * from read_parquet('{path}')")
    con.execute(
        "create view lines as select * from orders qualify row_number() over "
        "(partition by order_line_id order by updated_at desc) = 1"
    )
    return con


@pytest.fixture(scope="session")
def small_db(small_market: SimResult) -> duckdb.DuckDBPyConnection:
    """DuckDB over ``small_market``."""
    return _market_db(small_market)


@pytest.fixture(scope="session")
def stats_db(stats_market: SimResult) -> duckdb.DuckDBPyConnection:
    """DuckDB over ``stats_market``."""
    return _market_db(stats_market)
