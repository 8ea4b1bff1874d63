"""Temporary directories of a scoring run (DuckDB's spill, the compressed facts store), named
after the process that owns them so that those of a killed run can be found and removed.

A run removes its own directories when it ends; one killed midway (SIGKILL, out of memory, a
reboot with a persistent temp directory) leaves them behind, and at 10M order lines they hold
gigabytes. :func:`remove_stale` removes a directory only when its name says which process made
it, that process no longer exists on this machine, and it belongs to the current user.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shopstar.analytics.liveness import exists

KINDS = ("duckdb", "facts")
_NAME = re.compile(r"shopstar-(?:duckdb|facts)-(?P<pid>[0-9]+)-[0-9A-Za-z_]+")


def scratch_prefix(kind: str) -> str:
    """The name prefix of this process's temporary directories of ``kind`` (in :data:`KINDS`)."""
    if kind not in KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    return f"shopstar-{kind}-{os.getpid()}-"


@dataclass(frozen=True)
class Leftover:
    """A temporary directory left behind by a scoring process that no longer exists."""

    path: Path
    pid: int
    bytes: int

    def describe(self, verb: str = "removed") -> str:
        """One line for the operator: ``removed /tmp/shopstar-... (N bytes), left by ...``."""
        return (
            f"{verb} {self.path} ({self.bytes:,} bytes), left by scoring process {self.pid} "
            "which no longer runs"
        )


def _size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).lstat().st_size
            except OSError:
                continue
    return total


def stale(directory: Path | None = None) -> list[Leftover]:
    """The leftover run directories in ``directory`` (default: the system's temp directory)."""
    root = Path(directory or tempfile.gettempdir())
    found = []
    for path in sorted(root.glob("shopstar-*-*-*")):
        match = _NAME.fullmatch(path.name)
        if match is None or path.is_symlink() or not path.is_dir():
            continue
        pid = int(match["pid"])
        if path.stat().st_uid != os.getuid() or pid == os.getpid() or exists(pid):
            continue
        found.append(Leftover(path, pid, _size(path)))
    return found


def remove_stale(directory: Path | None = None) -> list[Leftover]:
    """Remove the leftover run directories in ``directory`` (see :func:`stale`); return them."""
    removed = []
    for leftover in stale(directory):
        shutil.rmtree(leftover.path, ignore_errors=True)
        if not leftover.path.exists():
            removed.append(leftover)
    return removed
