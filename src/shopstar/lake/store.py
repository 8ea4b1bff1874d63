"""The lake on disk: Parquet part files per entity, switched atomically by one manifest file.

Layout under the lake root::

    _manifest.json                 the only thing readers trust: live parts and committed batches
    _lock                          held (flock) by the one writer
    <entity>/<batch>-<n>.parquet   part files; together, per entity, the de-duplicated state
    _batches/<batch>.json          batch record (the ingest report)
    _batches/<batch>.rejects.jsonl quarantined rows of that batch, when there were any

A batch writes its new files first, then replaces the manifest with ``os.replace`` after
``fsync``. Files no manifest names (left by a killed run, or replaced by a later batch) are
removed by the next writer.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from shopstar.contract import ENTITIES

MANIFEST = "_manifest.json"
BATCHES = "_batches"
LOCK = "_lock"
FORMAT = 1


@dataclass
class Manifest:
    """The committed state: live part files per entity (relative paths) and batch ids."""

    version: int = 0
    parts: dict[str, list[str]] = field(default_factory=dict)
    batches: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """Serialise (stable key order)."""
        payload = {
            "format": FORMAT,
            "version": self.version,
            "parts": {e: self.parts.get(e, []) for e in ENTITIES},
            "batches": self.batches,
        }
        return json.dumps(payload, indent=1)


def fsync_path(path: Path) -> None:
    """Flush a file (or directory entry list) to stable storage."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Lake:
    """A lake rooted at ``root`` (normally ``get_settings().lake_dir``)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._held = threading.local()  # how deeply this thread holds the writer lock

    @property
    def batches_dir(self) -> Path:
        """Where batch records and quarantine files live."""
        return self.root / BATCHES

    def manifest(self) -> Manifest:
        """The committed manifest (empty when nothing was ever ingested)."""
        path = self.root / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Manifest()
        return Manifest(
            version=int(data["version"]),
            parts={e: list(p) for e, p in data["parts"].items()},
            batches=list(data["batches"]),
        )

    def files(self, entity: str) -> list[Path]:
        """The live Parquet files of ``entity``: together its current, de-duplicated rows."""
        if entity not in ENTITIES:
            raise KeyError(entity)
        return [self.root / p for p in self.manifest().parts.get(entity, [])]

    def is_empty(self) -> bool:
        """True when no entity has any live file."""
        return not any(self.manifest().parts.values())

    def batch_record(self, batch_id: str) -> Path:
        """Path of the record of batch ``batch_id``."""
        return self.batches_dir / f"{batch_id}.json"

    def quarantine_file(self, batch_id: str) -> Path:
        """Path of the quarantine file of batch ``batch_id``."""
        return self.batches_dir / f"{batch_id}.rejects.jsonl"

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the single-writer lock, and collect garbage from killed runs first.

        Re-entrant within a thread: a caller that reads the state and then ingests (a source
        adapter merging with stored rows) holds it around both, as one critical section.
        """
        depth = getattr(self._held, "depth", 0)
        if depth:
            self._held.depth = depth + 1
            try:
                yield
            finally:
                self._held.depth = depth
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._held.depth = 1
            try:
                self.collect_garbage()
                yield
            finally:
                self._held.depth = 0
                fcntl.flock(lock, fcntl.LOCK_UN)

    def commit(self, manifest: Manifest) -> None:
        """Atomically make ``manifest`` the committed state (caller holds the writer lock)."""
        manifest.version += 1
        tmp = self.root / f"{MANIFEST}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(manifest.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.root / MANIFEST)
        fsync_path(self.root)

    def collect_garbage(self) -> None:
        """Delete part files and batch files the committed manifest does not name."""
        manifest = self.manifest()
        live = {p for parts in manifest.parts.values() for p in parts}
        for entity in ENTITIES:
            folder = self.root / entity
            if folder.is_dir():
                for path in folder.iterdir():
                    if f"{entity}/{path.name}" not in live:
                        path.unlink(missing_ok=True)
        batches = set(manifest.batches)
        if self.batches_dir.is_dir():
            for path in self.batches_dir.iterdir():
                if path.name.split(".", 1)[0] not in batches:
                    path.unlink(missing_ok=True)
        (self.root / f"{MANIFEST}.tmp").unlink(missing_ok=True)
