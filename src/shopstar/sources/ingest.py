"""Ingest export files as one batch: read, merge with the lake, hand to :func:`ingest_raw`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb

from shopstar.contract import entity_for_filename
from shopstar.errors import ShopstarError, UnreadableInput
from shopstar.lake import IngestReport, Lake, ProgressFn, ingest_raw
from shopstar.sources.canonical import Canonical, build_inputs
from shopstar.sources.files import XLSX_SUFFIXES
from shopstar.sources.model import ExportOptions
from shopstar.sources.reader import ExportLines, read_lines
from shopstar.sources.state import LakeState


def is_export(path: Path, entity: str | None = None) -> bool:
    """True for a file plain ingest cannot take: XLSX, or (without ``--entity``) a file whose
    name matches no entity. Those are read as exports, their source detected from the header."""
    if not path.is_file():
        return False
    if path.suffix.lower() in XLSX_SUFFIXES:
        return True
    return entity is None and entity_for_filename(path.name) is None


def wants_sources(paths: Sequence[Path], source: str | None, entity: str | None) -> bool:
    """Whether an ingest of ``paths`` goes through the source adapters.

    With ``--source`` it always does; otherwise when every existing path is an export.
    Exports mixed with contract files or directories are an error: they would not form one
    batch.
    """
    if source is not None:
        if entity is not None:
            raise ShopstarError("--source and --entity cannot be used together")
        return True
    existing = [Path(p) for p in paths if Path(p).exists()]
    exports = [is_export(p, entity) for p in existing]
    if any(exports) and not all(exports):
        names = ", ".join(str(p) for p, e in zip(existing, exports, strict=True) if not e)
        raise ShopstarError(
            f"TikTok exports and contract files go in separate runs (contract files: {names})"
        )
    if exports and all(exports) and entity is not None:
        raise ShopstarError(
            "--entity does not apply to XLSX files: they are read as TikTok exports"
        )
    return bool(exports) and all(exports)


def ingest_exports(
    lake: Lake,
    paths: Sequence[Path],
    *,
    source: str | None = None,
    options: ExportOptions | None = None,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Read export files (source detected per file unless given) and ingest them as one batch.

    Parsing runs without the lake's lock. Merging the lines with the stored rows is done
    against the committed manifest version and checked under the lock: when another batch
    committed meanwhile, the merge is redone under the lock, so reading the state and
    writing the batch are one critical section and concurrent ingests merge with each other
    as if they had run one after the other.

    Files that cannot be read are listed in ``report.unreadable`` and left out; notes (a
    skipped ``Summary`` row, no products without a shop id) are added to ``report.warnings``.
    """
    options = options or ExportOptions()
    exports: list[ExportLines] = []
    unreadable: list[tuple[str, str]] = []
    for path in map(Path, paths):
        if progress:
            progress(f"reading {path.name}", len(exports), len(paths))
        try:
            exports.append(read_lines(path, source, options))
        except UnreadableInput as exc:
            reason = str(exc).removeprefix(f"{path}: ")
            if source is None and path.suffix.lower() not in XLSX_SUFFIXES:
                reason = (
                    f"file name matches no entity (name it after one, or use --entity); {reason}"
                )
            unreadable.append((str(path), reason))
    version = lake.manifest().version
    try:  # optimistically, against committed version ``version``, without the lock
        canonical: Canonical | None = build_inputs(exports, LakeState(lake))
    except (OSError, duckdb.IOException):  # a part it read was replaced and collected
        canonical = None
    if progress:
        progress("waiting for the lake's writer lock", len(exports), len(paths))
    with lake.writer():  # the stored rows merged with must be the ones the batch replaces
        if canonical is None or lake.manifest().version != version:
            canonical = build_inputs(exports, LakeState(lake))  # another batch came first
        report = ingest_raw(lake, canonical.inputs, progress=progress) if canonical.inputs else None
    report = report or IngestReport()
    report.unreadable = unreadable
    report.warnings.extend(canonical.notes)
    return report
