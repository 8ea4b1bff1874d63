"""The lake: exact, idempotent, atomic ingest of marketplace data into Parquet, and its state."""

from shopstar.lake.ingest import ingest_paths, ingest_raw
from shopstar.lake.raw import ProgressFn, RawInput, Reject, Skipped
from shopstar.lake.readers import read_file
from shopstar.lake.report import COUNT_COLUMNS, EntityCounts, IngestReport
from shopstar.lake.store import Lake

__all__ = [
    "COUNT_COLUMNS",
    "EntityCounts",
    "IngestReport",
    "Lake",
    "ProgressFn",
    "RawInput",
    "Reject",
    "Skipped",
    "ingest_paths",
    "ingest_raw",
    "read_file",
]
