"""``shopstar users add|list|passwd|roster|token``: accounts, rosters and API tokens."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopstar.accounts.models import ApiToken, Role
from shopstar.accounts.passwords import check_strength
from shopstar.accounts.tokens import issue_token, parse_scopes, revoke_token
from shopstar.accounts.users import (
    NewUser,
    create_user,
    find_user,
    list_users,
    resolve_org,
    set_password,
)
from shopstar.cli._app import app
from shopstar.cli._output import Format, FormatOption, render
from shopstar.config import get_settings
from shopstar.db import make_engine, make_sessionmaker, upgrade
from shopstar.errors import ShopstarError

users_app = typer.Typer(help="Manage user accounts and API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
ACTOR = "cli"


@contextmanager
def _session() -> Iterator[Session]:
    url = get_settings().db_url
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


@users_app.command("add")
def add(
    email: str = typer.Argument(..., help="Login email (stored lower-case)."),
    org: str = typer.Option(..., "--org", help="program, agency:ID, shop:ID or creator:ID."),
    role: str = typer.Option(..., "--role", help="admin, manager, member or creator."),
    name: str = typer.Option("", "--name", help="Display name (default: the email)."),
    category: list[str] = typer.Option([], "--category", help="A program manager's category."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin instead of generating one."
    ),
) -> None:
    """Add a user to an organisation; prints the password when it was generated."""
    try:
        parsed_role = Role(role)
    except ValueError:
        raise ShopstarError(f"role: {role!r} is not admin, manager, member or creator") from None
    password = sys.stdin.readline().rstrip("\n") if password_stdin else secrets.token_urlsafe(12)
    with _session() as session:
        organization = resolve_org(session, org)
        new = NewUser(email, name, password, organization, parsed_role, tuple(category))
        user = create_user(session, new, actor=ACTOR)
        typer.echo(f"added {user.email} ({parsed_role.value} of {organization.name})")
    if not password_stdin:
        typer.echo(f"password: {password}")


@users_app.command("list")
def list_(fmt: Format | None = FormatOption) -> None:
    """List users with their organisation and role."""
    with _session() as session:
        rows = [vars(row) for row in list_users(session)]
    render(rows, ["id", "email", "name", "org_kind", "org", "role", "active"], fmt)


def _new_password(password_stdin: bool, generate: bool) -> str:
    if password_stdin and generate:
        raise ShopstarError("password: give --password-stdin or --generate, not both")
    if generate:
        return secrets.token_urlsafe(12)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    check_strength(password)
    return password


@users_app.command("passwd")
def passwd(
    email: str = typer.Argument(..., help="Whose password to set."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the new password from stdin (one line)."
    ),
    generate: bool = typer.Option(
        False, "--generate", help="Generate a random password and print it."
    ),
    revoke_tokens: bool = typer.Option(
        False, "--revoke-tokens", help="Also revoke every API token of the user."
    ),
) -> None:
    """Set (reset) a user's password: prompts twice unless --password-stdin or --generate.

    Every page session of the user is logged out; API tokens only with --revoke-tokens.
    """
    with _session() as session:
        user = find_user(session, email)
        password = _new_password(password_stdin, generate)
        result = set_password(session, user, password, actor=ACTOR, revoke_tokens=revoke_tokens)
        typer.echo(
            f"password of {user.email} changed; {result.sessions_revoked} session(s) and "
            f"{result.tokens_revoked} token(s) revoked"
        )
    if generate:
        typer.echo(f"password: {password}")


@users_app.command("token")
def token(
    email: str = typer.Argument(..., help="Whose token."),
    name: str = typer.Option("cli", "--name", help="A label for the token."),
    scope: str = typer.Option("read", "--scope", help="read, or read,write."),
    revoke: int | None = typer.Option(None, "--revoke", help="Revoke the token with this id."),
    list_tokens: bool = typer.Option(False, "--list", help="List the user's tokens."),
    fmt: Format | None = FormatOption,
) -> None:
    """Issue an API token (printed once; only its hash is kept), or list or revoke tokens."""
    with _session() as session:
        user = find_user(session, email)
        if list_tokens:
            tokens = session.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
            )
            columns = ["id", "name", "prefix", "scopes", "created_at", "revoked_at"]
            render([{c: getattr(t, c) for c in columns} for t in tokens], columns, fmt)
            return
        if revoke is not None:
            revoked = revoke_token(session, revoke, actor=ACTOR)
            if revoked.user_id != user.id:
                raise ShopstarError(f"token: token {revoke} does not belong to {user.email}")
            typer.echo(f"revoked token {revoke}")
            return
        issued = issue_token(session, user, name=name, scopes=parse_scopes(scope), actor=ACTOR)
        typer.echo(f"token {issued.token.id} ({issued.token.scopes}): {issued.secret}")
        typer.echo("store it now: it cannot be shown again", err=True)
