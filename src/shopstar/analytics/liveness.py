"""Who a process is — host name, pid and start — and whether it is still alive.

A score run records the process publishing it (:func:`current`); ``shopstar runs`` later asks
:func:`state` whether that process still exists. A pid alone is not enough: the kernel reuses
pids, so on Linux the process's start (the boot's id and the start time in clock ticks since that
boot, from ``/proc``) goes with it, and a live process with another start is a different one.
Only a process of this host, in this boot, can be proved dead; any other is ``unknown``.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

PROC = Path("/proc")


class State(StrEnum):
    """What is known of a publishing process."""

    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"  # another host, another boot, or not recorded


@dataclass(frozen=True)
class Identity:
    """A process as recorded: ``start`` is ``<boot id>:<start ticks>``, None where ``/proc``
    does not say (the pid alone is then compared)."""

    host: str
    pid: int
    start: str | None


def _boot_id() -> str | None:
    try:
        return (PROC / "sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return None


def _stat(pid: int) -> tuple[str, str] | None:
    """The state letter and the start ticks of ``pid`` from ``/proc/<pid>/stat``, or None."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # the command name, in parentheses, may hold spaces: the fields follow its last ')'
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], fields[19]


def start_of(pid: int) -> str | None:
    """``pid``'s start as :attr:`Identity.start` records it, or None (no such process, or no
    ``/proc``)."""
    boot, stat = _boot_id(), _stat(pid)
    return f"{boot}:{stat[1]}" if boot is not None and stat is not None else None


def current() -> Identity:
    """This process."""
    return Identity(socket.gethostname(), os.getpid(), start_of(os.getpid()))


def exists(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host (signal 0: also another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def state(host: str | None, pid: int | None, start: str | None) -> State:
    """Whether the process recorded as ``host``, ``pid``, ``start`` is alive: ``dead`` only when
    it ran on this host in this boot and no longer exists (or a new process has its pid, or it
    is a zombie); ``unknown`` when nothing was recorded or it ran elsewhere."""
    if host is None or pid is None or host != socket.gethostname():
        return State.UNKNOWN
    boot = _boot_id()
    if start is not None and boot is not None and start.split(":", 1)[0] != boot:
        return State.UNKNOWN  # before this host's last reboot, or another machine of that name
    stat = _stat(pid)
    if stat is None:  # no such process, or /proc hides another user's: signal 0 tells
        return State.ALIVE if exists(pid) else State.DEAD
    letter, ticks = stat
    if letter in "ZX" or (start is not None and start.split(":", 1)[1] != ticks):
        return State.DEAD
    return State.ALIVE
