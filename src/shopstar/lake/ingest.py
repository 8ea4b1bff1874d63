"""Ingest batches into the lake: exact, idempotent and atomic (CONTRACT.md §1).

:func:`ingest_raw` takes already-read inputs (the level used by source adapters);
:func:`ingest_paths` reads files and directories first. All inputs of one call are one batch:
its new part files, batch record and quarantine file are written, then one manifest switch
makes the whole batch visible at once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb

from shopstar.contract import ENTITIES, entity_for_filename
from shopstar.errors import UnreadableInput
from shopstar.lake.merge import EntityMerge, Merged
from shopstar.lake.placeholders import supersede_placeholders
from shopstar.lake.raw import ProgressFn, RawInput, Reject
from shopstar.lake.readers import check_columns, file_format, read_file
from shopstar.lake.references import reference_warnings
from shopstar.lake.report import EntityCounts, IngestReport
from shopstar.lake.store import Lake, fsync_path

PLACEHOLDER_ENTITIES = ("creators", "products", "orders")  # rows that can supersede one


def new_batch_id() -> str:
    """A batch id that sorts by time: ``20261124T203500123456Z-a1b2c3``."""
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(3)}"


def ingest_raw(
    lake: Lake, inputs: Sequence[RawInput], *, progress: ProgressFn | None = None
) -> IngestReport:
    """Ingest ``inputs`` as one atomic batch and report what happened to every row.

    Raises :class:`UnreadableInput` when an input names an unknown entity or lacks a
    required column; nothing is written then.
    """
    for raw in inputs:
        if raw.entity not in ENTITIES:
            raise UnreadableInput(f"{raw.source}: unknown entity {raw.entity!r}")
        check_columns(raw)
    if not inputs:
        return IngestReport()
    report = IngestReport(batch_id=new_batch_id())
    order = list(ENTITIES)
    ordered = sorted(enumerate(inputs), key=lambda item: (order.index(item[1].entity), item[0]))
    total = sum(raw.table.num_rows for raw in inputs) or 1
    done = 0
    with lake.writer():
        manifest = lake.manifest()
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        merged: dict[str, Merged] = {}
        rejects: list[tuple[str, str, Reject]] = []
        for name in order:
            entity_inputs = [(i, raw) for i, raw in ordered if raw.entity == name]
            if not entity_inputs:
                continue
            merge = EntityMerge(con, ENTITIES[name], lake.root)
            for index, raw in entity_inputs:
                report.warnings.extend(_unknown_columns(raw))
                report.skipped_rows.extend((name, raw.source, skip) for skip in raw.skipped)
                if progress:
                    progress(f"checking {raw.source}", done, total)
                merge.add(raw, index)
                done += raw.table.num_rows
            if progress:
                progress(f"merging {name}", done, total)
            result = merge.merge(manifest.parts.get(name, []), report.batch_id or "")
            merged[name] = result
            manifest.parts[name] = result.parts
            report.counts[name] = result.counts
            rejects.extend((name, source, reject) for source, reject in result.rejects)
        if any(report.counts[n].accepted for n in PLACEHOLDER_ENTITIES if n in report.counts):
            report.placeholders = supersede_placeholders(
                con, lake.root, manifest.parts, report.batch_id or ""
            )
            report.warnings.extend(s.note() for s in report.placeholders)
        report.warnings.extend(reference_warnings(con, lake.root, manifest.parts, merged))
        con.close()
        _write_batch_files(lake, report, rejects)
        manifest.batches.append(report.batch_id or "")
        lake.commit(manifest)
    if progress:
        progress("done", total, total)
    return report


def _unknown_columns(raw: RawInput) -> list[str]:
    known = set(ENTITIES[raw.entity].column_names)
    unknown = [n for n in raw.table.column_names if n not in known]
    if not unknown:
        return []
    return [
        f"{raw.source}: unknown column{'s' if len(unknown) > 1 else ''} ignored: "
        + ", ".join(unknown)
    ]


def _write_batch_files(
    lake: Lake, report: IngestReport, rejects: list[tuple[str, str, Reject]]
) -> None:
    lake.batches_dir.mkdir(parents=True, exist_ok=True)
    batch_id = report.batch_id or ""
    if rejects:
        report.quarantine = lake.quarantine_file(batch_id)
        with open(report.quarantine, "w", encoding="utf-8") as fh:
            for entity, source, reject in rejects:
                record = {
                    "entity": entity,
                    "source": source,
                    "line": reject.line,
                    "reason": reject.reason,
                    "row": dict(reject.row),
                }
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    with open(lake.batch_record(batch_id), "w", encoding="utf-8") as fh:
        json.dump(report.to_json(), fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    fsync_path(lake.batches_dir)


def ingest_paths(
    lake: Lake,
    paths: Iterable[Path],
    *,
    entity: str | None = None,
    progress: ProgressFn | None = None,
) -> IngestReport:
    """Read files and directories and ingest them as one batch.

    A directory contributes its files whose names start with an entity name, dimensions
    before facts; other files in it are skipped and listed. A file given by name must match
    an entity, or ``entity`` must be given. Unreadable files are listed in
    ``report.unreadable`` and left out; the readable ones still form the batch.
    """
    if entity is not None and entity not in ENTITIES:
        raise UnreadableInput(f"--entity: unknown entity {entity!r} (one of {', '.join(ENTITIES)})")
    report = IngestReport()
    planned: list[tuple[Path, str]] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.name.startswith(".") or not child.is_file():
                    continue
                match = ENTITIES.get(entity) if entity else entity_for_filename(child.name)
                if match is None or file_format(child) is None:
                    report.skipped.append(child)
                else:
                    planned.append((child, match.name))
        elif not path.exists():
            report.unreadable.append((str(path), "no such file or directory"))
        else:
            match = ENTITIES.get(entity) if entity else entity_for_filename(path.name)
            if match is None:
                report.unreadable.append(
                    (str(path), "file name matches no entity (name it after one, or use --entity)")
                )
            else:
                planned.append((path, match.name))
    order = list(ENTITIES)
    planned.sort(key=lambda item: order.index(item[1]))
    inputs: list[RawInput] = []
    sizes = sum(_size(p) for p, _ in planned) or 1
    read_bytes = 0
    for path, name in planned:

        def reading(done: int, path: Path = path, start: int = read_bytes) -> None:
            if progress:
                progress(f"reading {path.name}", start + done, sizes)

        reading(0)
        try:
            inputs.append(read_file(path, name, reading))
        except UnreadableInput as exc:
            reason = str(exc).removeprefix(f"{path}: ").removeprefix(f"{path.name}: ")
            report.unreadable.append((str(path), reason))
        read_bytes += _size(path)
    if not inputs:
        return report
    batch = ingest_raw(lake, inputs, progress=progress)
    batch.warnings += [f"skipped {p}: its name matches no entity" for p in report.skipped]
    batch.skipped = report.skipped
    batch.unreadable = report.unreadable
    return batch


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


__all__ = ["EntityCounts", "IngestReport", "ingest_paths", "ingest_raw", "new_batch_id"]
