"""Read one export file into order lines, rejects and skipped summary rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shopstar.errors import ShopstarError, UnreadableInput
from shopstar.lake.raw import Reject, Skipped
from shopstar.sources.detect import detect_source, source_named
from shopstar.sources.files import read_sheet
from shopstar.sources.headers import read_header
from shopstar.sources.model import ExportOptions, Line, Source
from shopstar.sources.rows import Row, RowError

SUMMARY_MARKS = frozenset(
    {"summary", "total", "totals", "grand total", "ringkasan", "合计", "总计"}
)
"""First-cell texts of the totals row some exports append; it is skipped and reported."""


@dataclass
class ExportLines:
    """What one export file holds, in file order."""

    path: Path
    source: Source
    lines: list[tuple[int, Line]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def read(self) -> int:
        """Data rows read: lines plus rejects (skipped summary rows are not data)."""
        return len(self.lines) + len(self.rejects)


def read_lines(path: Path, source: str | None, options: ExportOptions) -> ExportLines:
    """Read ``path`` as ``source`` (detected from the header when None)."""
    sheet = read_sheet(path)
    header = read_header(sheet.header)
    if source:
        spec = source_named(source)
    else:
        try:
            spec = detect_source(header)
        except ShopstarError as exc:
            raise UnreadableInput(f"{path}: {exc}") from None
    missing = spec.missing(header.has)
    if missing:
        raise UnreadableInput(f"{path}: not a {spec.name} export, it lacks: {', '.join(missing)}")
    zone = options.zone
    result = ExportLines(path, spec)
    for number, cells in sheet.rows:
        first = next((c.strip() for c in cells if c.strip()), "")
        if first.casefold() in SUMMARY_MARKS:
            reason = f"skipped the {first} row (totals, not an order line)"
            result.skipped.append(Skipped(number, reason))
            continue
        row = Row(header, cells, zone)
        try:
            result.lines.append((number, spec.map_row(row, options)))
        except RowError as exc:
            result.rejects.append(Reject(number, row.as_dict(), str(exc)))
    return result
