"""``shopstar users passwd|roster|token`` as a real subprocess on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from appworld import PASSWORD, World, issue, run_shopstar
from shopstar.accounts.login import LoginFailed, authenticate
from shopstar.accounts.models import ApiToken, AuditEvent
from shopstar.accounts.sessions import principal_for_session, start_session
from shopstar.accounts.tokens import principal_for_token
from shopstar.accounts.users import find_user
from shopstar.cli import COMMAND_MODULES, app
from shopstar.db import make_engine, make_sessionmaker

NEW_PASSWORD = "reset by the operator"
pytestmark = pytest.mark.slow


def _run(
    world: World, home: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return run_shopstar(home, "users", *args, db_url=world.db_url, stdin=stdin)


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert text in result.stderr, result.stderr


def test_passwd_revokes_sessions_and_replaces_the_password(world: World, tmp_path: Path) -> None:
    email = world.emails["agency_admin"]
    token = issue(world, "agency_admin")
    engine = make_engine(world.db_url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions.begin() as session:
            user_id = find_user(session, email).id
            browsers = [start_session(session, user_id) for _ in range(2)]

        done = _run(
            world, tmp_path, "passwd", email.upper(), "--password-stdin", stdin=NEW_PASSWORD
        )
        assert done.returncode == 0, done.stderr
        assert "2 session(s) and 0 token(s) revoked" in done.stdout
        assert NEW_PASSWORD not in done.stdout + done.stderr

        with sessions.begin() as session:
            assert all(principal_for_session(session, b) is None for b in browsers)
            assert principal_for_token(session, token) is not None  # tokens survive by default
            with pytest.raises(LoginFailed):
                authenticate(session, email, PASSWORD, "127.0.0.1")
            assert authenticate(session, email, NEW_PASSWORD, "127.0.0.1").email == email
            [event] = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "user.password")
            ).all()
            assert event.actor == "cli" and event.detail["sessions_revoked"] == 2

        generated = _run(world, tmp_path, "passwd", email, "--generate", "--revoke-tokens")
        assert generated.returncode == 0, generated.stderr
        assert "0 session(s) and 1 token(s) revoked" in generated.stdout
        password = generated.stdout.split("password: ")[-1].strip()
        with sessions.begin() as session:
            assert principal_for_token(session, token) is None
            assert authenticate(session, email, password, "127.0.0.2").email == email
    finally:
        engine.dispose()

    _one_line_error(
        _run(world, tmp_path, "passwd", email, "--password-stdin", stdin="short\n"),
        1,
        "error: password: must have at least 8 characters",
    )
    _one_line_error(
        _run(world, tmp_path, "passwd", "nobody@example.com", "--generate"),
        1,
        "error: email: no user 'nobody@example.com'",
    )


def test_roster_add_remove_list_and_categories(world: World, tmp_path: Path) -> None:
    manager = world.emails["manager"]
    listed = _run(world, tmp_path, "roster", manager, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert [r["creator_id"] for r in json.loads(listed.stdout)] == ["c2"]
    assert f"categories of {manager}: beauty" in listed.stderr

    args = ["roster", manager, "--add", "c4", "--add", "c1", "--remove", "c2", "--list"]
    changed = _run(world, tmp_path, *args, "--category", "home", "--format", "json")
    assert changed.returncode == 0, changed.stderr
    rows = json.loads(changed.stdout)
    assert [(r["creator_id"], r["handle"]) for r in rows] == [("c1", "@c1"), ("c4", "@c4")]
    assert "2 added, 1 removed" in changed.stderr and "categories of" in changed.stderr

    principal = world.principal("manager")
    assert principal.categories == ("home",)
    engine = make_engine(world.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            actions = session.scalars(
                select(AuditEvent.action).where(AuditEvent.actor == "cli").order_by(AuditEvent.id)
            ).all()
    finally:
        engine.dispose()
    assert actions == ["manager.categories", "roster.add", "roster.remove"]

    _one_line_error(
        _run(world, tmp_path, "roster", manager, "--add", "c9"),
        1,
        "error: creator: no creator 'c9' in the catalog",
    )
    _one_line_error(
        _run(world, tmp_path, "roster", world.emails["shop_admin"], "--list"),
        1,
        "is not a program manager",
    )


def test_token_list_and_revoke(world: World, tmp_path: Path) -> None:
    mine, theirs = issue(world, "creator"), issue(world, "shop_admin")
    email = world.emails["creator"]
    listed = _run(world, tmp_path, "token", email, "--list", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    [row] = json.loads(listed.stdout)
    assert row["revoked_at"] is None and mine.startswith(row["prefix"])

    engine = make_engine(world.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            other_id = session.scalars(
                select(ApiToken.id).where(ApiToken.id != row["id"]).order_by(ApiToken.id)
            ).first()
        _one_line_error(
            _run(world, tmp_path, "token", email, "--revoke", str(other_id)),
            1,
            f"error: revoke: {email} has no token with id {other_id}",
        )
        with make_sessionmaker(engine)() as session:
            assert principal_for_token(session, theirs) is not None  # untouched

        revoked = _run(world, tmp_path, "token", email, "--revoke", str(row["id"]))
        assert revoked.returncode == 0 and f"revoked token {row['id']}" in revoked.stdout
        with make_sessionmaker(engine)() as session:
            assert principal_for_token(session, mine) is None
    finally:
        engine.dispose()

    both = _run(world, tmp_path, "token", email, "--list", "--revoke", "1")
    _one_line_error(both, 1, "error: token: give --list or --revoke, not both")
    bad = _run(world, tmp_path, "token", email, "--revoke", "0")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_passwd_prompts_twice(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPSTAR_HOME", str(tmp_path))
    monkeypatch.setenv("SHOPSTAR_DATABASE_URL", world.db_url)
    for name in COMMAND_MODULES:
        importlib.import_module(f"shopstar.cli.{name}")
    email = world.emails["shop_member"]
    typed = f"{NEW_PASSWORD}\nsomething else\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    result = CliRunner().invoke(app, ["users", "passwd", email], input=typed)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output and f"password of {email} changed" in result.output
    engine = make_engine(world.db_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            assert authenticate(session, email, NEW_PASSWORD, "127.0.0.1").email == email
    finally:
        engine.dispose()
