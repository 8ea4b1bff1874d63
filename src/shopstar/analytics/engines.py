"""Connections to the engines the Ibis pipelines run on: DuckDB (default) and PySpark."""

from __future__ import annotations

from typing import Literal

import ibis
from ibis.backends import BaseBackend

from shopstar.errors import ShopstarError

EngineName = Literal["duckdb", "spark"]


def spark_session(master: str) -> object:
    """A Spark session on ``master`` with the UI off, UTC session time and few partitions."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is an optional dependency
        raise ShopstarError("engine spark: install the `spark` extra (pyspark)") from exc
    return (
        SparkSession.builder.master(master)
        .appName("shopstar-score")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.driver.memory", "4g")
        .getOrCreate()
    )


def connect(engine: EngineName, spark_master: str = "local[2]") -> BaseBackend:
    """An Ibis backend for ``engine``."""
    if engine == "duckdb":
        return ibis.duckdb.connect()
    if engine == "spark":
        return ibis.pyspark.connect(spark_session(spark_master))
    raise ShopstarError(f"engine: {engine!r} is not one of duckdb, spark")
