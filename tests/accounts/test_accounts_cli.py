"""``shopstar users add|list|token`` in a subprocess against a SQLite file under SHOPSTAR_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import catalog_tables
from shopstar.catalog.sync import sync_from_tables
from shopstar.db import make_engine, make_sessionmaker, upgrade


def _run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPSTAR_HOME": str(home)}
    env.pop("SHOPSTAR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "shopstar", "users", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def test_users_add_list_token_and_revoke(tmp_path: Path) -> None:
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
    stdin = _run(
        tmp_path, "add", "m@p.example", "--org", "program", "--role", "manager",
        "--category", "beauty", "--password-stdin", stdin="a long password\n",
    )  # fmt: skip
    assert stdin.returncode == 0 and "password" not in stdin.stdout

    listed = json.loads(_run(tmp_path, "list", "--format", "json").stdout)
    assert [(u["email"], u["org_kind"], u["role"]) for u in listed] == [
        ("ann@shop.example", "shop", "admin"),
        ("m@p.example", "program", "manager"),
    ]

    issued = _run(tmp_path, "token", "ann@shop.example", "--scope", "read,write")
    assert issued.returncode == 0
    assert "sst_" in issued.stdout and "cannot be shown again" in issued.stderr
    tokens = json.loads(
        _run(tmp_path, "token", "ann@shop.example", "--list", "--format", "json").stdout
    )
    assert len(tokens) == 1 and tokens[0]["scopes"] == "read,write"
    assert tokens[0]["prefix"] in issued.stdout and tokens[0]["revoked_at"] is None
    assert (
        _run(tmp_path, "token", "ann@shop.example", "--revoke", str(tokens[0]["id"])).returncode
        == 0
    )
    tokens = json.loads(
        _run(tmp_path, "token", "ann@shop.example", "--list", "--format", "json").stdout
    )
    assert tokens[0]["revoked_at"] is not None


def test_users_add_refuses_bad_input_with_one_line(tmp_path: Path) -> None:
    bad_role = _run(tmp_path, "add", "x@y.example", "--org", "program", "--role", "member")
    assert bad_role.returncode == 1
    assert bad_role.stderr.strip() == "error: role: 'member' is not a program role (admin, manager)"
    missing = _run(tmp_path, "add", "x@y.example", "--org", "shop:nope", "--role", "admin")
    assert missing.returncode == 1 and "no shop 'nope'" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
