"""``shopstar users add|list|passwd|roster|token``: accounts, rosters and API tokens."""

from __future__ import annotations

import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from shopstar.accounts import roster
from shopstar.accounts.models import ApiToken, Role, RosterEntry
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
from shopstar.catalog.models import Creator
from shopstar.cli._app import app
from shopstar.cli._output import Format, FormatOption, render
from shopstar.config import get_settings
from shopstar.db import make_engine, make_sessionmaker, upgrade
from shopstar.errors import ShopstarError

users_app = typer.Typer(help="Manage user accounts, rosters and API tokens.", no_args_is_help=True)
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


@users_app.command("roster")
def roster_(
    email: str = typer.Argument(..., help="The program manager's email."),
    add: list[str] = typer.Option([], "--add", help="A creator id to put on the roster."),
    remove: list[str] = typer.Option([], "--remove", help="A creator id to take off the roster."),
    category: list[str] = typer.Option(
        [], "--category", help="Replace the manager's categories (repeat for several)."
    ),
    list_roster: bool = typer.Option(False, "--list", help="List the roster (also after changes)."),
    fmt: Format | None = FormatOption,
) -> None:
    """Show or change a program manager's roster of creators and categories (audited)."""
    with _session() as session:
        user = find_user(session, email)
        membership = roster.manager_membership(user)
        if category:
            roster.set_categories(session, membership, category, actor=ACTOR)
        if add or remove:
            change = roster.update_roster(session, membership, add=add, remove=remove, actor=ACTOR)
            added, removed = len(change.added), len(change.removed)
            typer.echo(f"roster of {user.email}: {added} added, {removed} removed", err=True)
        categories = ", ".join(roster.view(session, membership).categories) or "-"
        typer.echo(f"categories of {user.email}: {categories}", err=True)
        if list_roster or not (add or remove or category):
            creators = session.execute(
                select(Creator.creator_id, Creator.handle, Creator.followers, RosterEntry.added_at)
                .join(RosterEntry, RosterEntry.creator_id == Creator.creator_id)
                .where(RosterEntry.membership_id == membership.id)
                .order_by(Creator.creator_id)
            )
            columns = ["creator_id", "handle", "followers", "added_at"]
            render([dict(zip(columns, row, strict=True)) for row in creators], columns, fmt)


@users_app.command("token")
def token(
    email: str = typer.Argument(..., help="Whose token."),
    name: str = typer.Option("cli", "--name", help="A label for the token."),
    scope: str = typer.Option("read", "--scope", help="read, or read,write."),
    revoke: int | None = typer.Option(
        None, "--revoke", min=1, max=2**31 - 1, help="Revoke the token with this id."
    ),
    list_tokens: bool = typer.Option(False, "--list", help="List the user's tokens."),
    fmt: Format | None = FormatOption,
) -> None:
    """Issue an API token (printed once; only its hash is kept), or list or revoke tokens."""
    if list_tokens and revoke is not None:
        raise ShopstarError("token: give --list or --revoke, not both")
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
            owned = session.get(ApiToken, revoke)
            if owned is None or owned.user_id != user.id:
                raise ShopstarError(f"revoke: {user.email} has no token with id {revoke}")
            revoke_token(session, revoke, actor=ACTOR)
            typer.echo(f"revoked token {revoke}")
            return
        issued = issue_token(session, user, name=name, scopes=parse_scopes(scope), actor=ACTOR)
        typer.echo(f"token {issued.token.id} ({issued.token.scopes}): {issued.secret}")
        typer.echo("store it now: it cannot be shown again", err=True)
