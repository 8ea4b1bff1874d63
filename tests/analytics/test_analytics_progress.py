"""A scoring run tells its caller each step before it runs, and ``shopstar score`` shows it on a
terminal (a 100M-order-line run takes minutes) and nothing elsewhere."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from appworld import run_shopstar, shopstar_env
from shopstar.analytics.job import score_and_publish
from shopstar.config import Settings
from shopstar.sim import SimConfig, generate

FACTS = [
    "sold lines",
    "content totals",
    "content products",
    "content categories",
    "follower growth",
    "products shown",
    "pair exposure 90",
    "kind totals 90",
    "first multipliers 90",
    "reweighted totals 90",
]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root: Path = tmp_path_factory.mktemp("progress")
    generate(root / "sim", SimConfig(creators=12, weeks=3, seed=4))
    done = run_shopstar(root / "home", "ingest", str(root / "sim"), "--format", "csv")
    assert done.returncode == 0, done.stderr
    return root / "home"


def test_each_step_is_told_before_it_runs_in_order(home: Path) -> None:
    steps: list[str] = []
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'shopstar.db'}")
    run = score_and_publish(settings, progress=steps.append)
    assert run.scores > 0
    assert steps == [
        "reading the lake",
        *(f"shared facts {n}/{len(FACTS)}: {fact}" for n, fact in enumerate(FACTS, 1)),
        "skill, reach and star_score",
        "rising stars",
        "creator metrics",
        "product trends",
        "publishing",
    ]


def test_the_cli_shows_progress_on_a_terminal_only(home: Path) -> None:
    piped = run_shopstar(home, "score")
    assert piped.returncode == 0 and piped.stdout.startswith("score run ")
    assert piped.stderr == ""  # not even an empty line in a log
    # stderr on a pseudo-terminal: the progress line is drawn there
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "shopstar", "score"],
        env=shopstar_env(home),
        stdout=subprocess.PIPE,
        stderr=follower,
        stdin=subprocess.DEVNULL,
    )
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal is closed once the process ends
            break
        if not chunk:
            break
        drawn += chunk
    out, _ = process.communicate(timeout=120)
    os.close(leader)
    assert process.returncode == 0 and out.decode().startswith("score run ")
    assert b"scoring the lake" in drawn
