"""``shopstar users add|list|token`` against a SQLite file under SHOPSTAR_HOME: the real CLI
in a subprocess for adding users and issuing a token, in-process (Typer's runner) for the rest."""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from appworld import catalog_tables, run_shopstar
from shopstar.catalog.sync import sync_from_tables
from shopstar.cli import COMMAND_MODULES, app
from shopstar.db import make_engine, make_sessionmaker, upgrade


def _run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_shopstar(home, "users", *args, stdin=stdin)


def _inprocess(
    home: Path, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str | None = None
) -> str:
    monkeypatch.setenv("SHOPSTAR_HOME", str(home))
    monkeypatch.delenv("SHOPSTAR_DATABASE_URL", raising=False)
    for name in COMMAND_MODULES:
        importlib.import_module(f"shopstar.cli.{name}")
    result = CliRunner().invoke(app, ["users", *args], input=stdin)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.slow
def test_users_add_list_token_and_revoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'shopstar.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as session:
        sync_from_tables(session, catalog_tables())
    engine.dispose()

    added = _run(tmp_path, "add", "Ann@Shop.example", "--org", "shop:s1", "--role", "admin")
    assert added.returncode == 0, added.stderr
    assert "added ann@shop.example (admin of Glow Beauty)" in added.stdout
    assert "password: " in added.stdout
    stdin = _inprocess(
        tmp_path, monkeypatch, "add", "m@p.example", "--org", "program", "--role", "manager",
        "--category", "beauty", "--password-stdin", stdin="a long password\n",
    )  # fmt: skip
    assert "password" not in stdin

    listed = json.loads(_inprocess(tmp_path, monkeypatch, "list", "--format", "json"))
    assert [(u["email"], u["org_kind"], u["role"]) for u in listed] == [
        ("ann@shop.example", "shop", "admin"),
        ("m@p.example", "program", "manager"),
    ]

    issued = _run(tmp_path, "token", "ann@shop.example", "--scope", "read,write")
    assert issued.returncode == 0
    assert "sst_" in issued.stdout and "cannot be shown again" in issued.stderr
    tokens = json.loads(
        _inprocess(tmp_path, monkeypatch, "token", "ann@shop.example", "--list", "--format", "json")
    )
    assert len(tokens) == 1 and tokens[0]["scopes"] == "read,write"
    assert tokens[0]["prefix"] in issued.stdout and tokens[0]["revoked_at"] is None
    revoked = _inprocess(
        tmp_path, monkeypatch, "token", "ann@shop.example", "--revoke", str(tokens[0]["id"])
    )
    assert revoked.strip() == f"revoked token {tokens[0]['id']}"
    tokens = json.loads(
        _inprocess(tmp_path, monkeypatch, "token", "ann@shop.example", "--list", "--format", "json")
    )
    assert tokens[0]["revoked_at"] is not None


@pytest.mark.slow
def test_users_add_refuses_bad_input_with_one_line(tmp_path: Path) -> None:
    bad_role = _run(tmp_path, "add", "x@y.example", "--org", "program", "--role", "member")
    assert bad_role.returncode == 1
    assert bad_role.stderr.strip() == "error: role: 'member' is not a program role (admin, manager)"
    missing = _run(tmp_path, "add", "x@y.example", "--org", "shop:nope", "--role", "admin")
    assert missing.returncode == 1 and "no shop 'nope'" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
