"""Analytics written once as Ibis expressions, run on DuckDB (default) or PySpark."""
