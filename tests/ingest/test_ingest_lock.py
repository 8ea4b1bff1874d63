"""The lake's writer lock: re-entrant within a thread, exclusive between threads and processes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from shopstar.lake import Lake


def test_writer_lock_is_reentrant_in_a_thread_and_exclusive_across_threads(
    tmp_path: Path,
) -> None:
    lake = Lake(tmp_path / "lake")
    events: list[str] = []

    def other() -> None:
        with lake.writer():
            events.append("other")

    with lake.writer():
        with lake.writer():  # nested: no deadlock
            events.append("inner")
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.3)
        events.append("outer still holds it")
    thread.join(5)
    assert events == ["inner", "outer still holds it", "other"]
