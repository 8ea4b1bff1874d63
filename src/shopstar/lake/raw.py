"""What an ingest consumes: tables of one entity from one source, plus rows rejected on reading."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

ProgressFn = Callable[[str, int, int], None]
"""``progress(description, completed, total)``: called as work advances (bytes or rows)."""


@dataclass(frozen=True)
class Reject:
    """A row refused before validation (unparsable line, bad bytes): counted read + rejected."""

    line: int
    row: Mapping[str, str | None]
    reason: str


@dataclass(frozen=True)
class Skipped:
    """A line that holds no row (an export's totals row): not read, but recorded and reported."""

    line: int
    reason: str


@dataclass
class RawInput:
    """Rows of one entity from one source (a file name), for :func:`shopstar.lake.ingest_raw`.

    ``table`` has the contract's column names; extra columns are allowed and reported once.
    Columns are text (parsed and validated by the contract rules) or already of the canonical
    Arrow type of the column (decimal, int64, timestamp, date32: only range checks apply).
    ``lines`` holds the original line number of each row (default: 1, 2, 3, ...).
    ``skipped`` lists lines of the source that are not rows (totals): they are not counted
    as read, but counted as ``skipped`` and listed, line by line, in the batch record.
    """

    entity: str
    source: str
    table: pa.Table
    lines: Sequence[int] | pa.Array | None = None
    rejects: Sequence[Reject] = field(default_factory=tuple)
    skipped: Sequence[Skipped] = field(default_factory=tuple)
