"""What an ingest did: counts per entity that add up, warnings, and where rejects went."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from shopstar.lake.placeholders import Superseded
from shopstar.lake.raw import Skipped

COUNT_COLUMNS = ("entity", "read", "accepted", "duplicate", "superseded", "rejected", "skipped")


@dataclass
class EntityCounts:
    """Rows of one entity in one batch: ``accepted + duplicate + superseded + rejected == read``.

    ``skipped`` counts lines that hold no row (an export's totals row); they are not read.
    """

    entity: str
    read: int = 0
    accepted: int = 0
    duplicate: int = 0
    superseded: int = 0
    rejected: int = 0
    skipped: int = 0

    def adds_up(self) -> bool:
        """True when every row read is accounted for."""
        return self.accepted + self.duplicate + self.superseded + self.rejected == self.read


@dataclass
class IngestReport:
    """The outcome of one batch.

    ``unreadable`` lists ``(source, reason)`` of inputs refused as a whole (exit code 2);
    ``skipped`` lists files in a directory whose names match no entity; ``skipped_rows``
    lists ``(entity, source, line)`` of lines that hold no row, with the reason;
    ``placeholders`` the placeholder ids the batch's rows superseded.
    """

    batch_id: str | None = None
    counts: dict[str, EntityCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    quarantine: Path | None = None
    skipped: list[Path] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    skipped_rows: list[tuple[str, str, Skipped]] = field(default_factory=list)
    placeholders: list[Superseded] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Rows rejected over all entities."""
        return sum(c.rejected for c in self.counts.values())

    def rows(self) -> list[dict[str, Any]]:
        """One mapping per entity with the contract's columns (CONTRACT.md §3)."""
        return [asdict(c) for c in self.counts.values()]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready record of the batch."""
        return {
            "batch_id": self.batch_id,
            "counts": self.rows(),
            "warnings": self.warnings,
            "quarantine": str(self.quarantine) if self.quarantine else None,
            "skipped": [str(p) for p in self.skipped],
            "unreadable": [{"source": s, "reason": r} for s, r in self.unreadable],
            "skipped_rows": [
                {"entity": entity, "source": source, "line": skip.line, "reason": skip.reason}
                for entity, source, skip in self.skipped_rows
            ],
            "superseded_placeholders": [
                {"entity": s.entity, "placeholder": s.placeholder, "by": s.real,
                 "order_lines": s.order_lines}
                for s in self.placeholders
            ],
        }  # fmt: skip
