"""The CLI shell: every command is found through the COMMANDS table, errors are one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shopstar import __version__
from shopstar.cli import COMMANDS, app, load_commands


def _run(home: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPSTAR_HOME": str(home), **extra_env}
    return subprocess.run(
        [sys.executable, "-m", "shopstar", *args], capture_output=True, text=True, env=env
    )


def test_the_table_names_exactly_the_registered_commands() -> None:
    load_commands([])
    names = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    names |= {g.name for g in app.registered_groups if g.name}
    assert names == set(COMMANDS)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_each_command_loads_on_its_own(command: str, tmp_path: Path) -> None:
    done = _run(tmp_path, command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage" in done.stdout


def test_version_and_a_bad_setting_is_one_line(tmp_path: Path) -> None:
    assert _run(tmp_path, "version").stdout.strip() == __version__
    assert _run(tmp_path, "config").returncode == 0
    bad = _run(tmp_path, "config", SHOPSTAR_PORT="x")
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: port: Input should be a valid integer, unable to parse string as an integer "
        "(got 'x')"
    ]
