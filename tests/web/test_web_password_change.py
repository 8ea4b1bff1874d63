"""The change-password page: other sessions end, the current one is renewed, old password dead."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from appworld import PASSWORD, AppClient, World, app_settings
from shopstar.accounts.models import AuditEvent, UserSession
from shopstar.db import make_engine, make_sessionmaker
from shopstar.web import create_app

NEW_PASSWORD = "a much better passphrase"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _login(client: AppClient, email: str, password: str) -> int:
    form = client.request("GET", "/login")
    data = {"email": email, "password": password, "csrf": _csrf(form.text), "next": "/"}
    return client.request("POST", "/login", data=data).status_code


def _change(
    client: AppClient, current: str, new: str, confirm: str | None = None
) -> httpx.Response:
    form = client.request("GET", "/account/password")
    assert form.status_code == 200, form.text
    data = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if confirm is None else confirm,
        "csrf": _csrf(form.text),
    }
    return client.request("POST", "/account/password", data=data)


@pytest.fixture
def two_clients(world: World, tmp_path: Path) -> Iterator[tuple[AppClient, AppClient]]:
    """Two browsers (separate cookie jars) on the world's database."""
    first = AppClient(create_app(app_settings(world.db_url, tmp_path)))
    second = AppClient(create_app(app_settings(world.db_url, tmp_path)))
    yield first, second
    first.close()
    second.close()


def _audit_actions(world: World) -> list[tuple[str, str, dict[str, object]]]:
    engine = make_engine(world.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password"))
            return [(e.actor, e.action, e.detail) for e in rows]
    finally:
        engine.dispose()


def test_password_change_logs_out_the_other_session(
    world: World, two_clients: tuple[AppClient, AppClient]
) -> None:
    first, second = two_clients
    email = world.emails["shop_admin"]
    assert _login(first, email, PASSWORD) == 303
    assert _login(second, email, PASSWORD) == 303
    assert second.request("GET", "/").status_code == 200

    done = _change(first, PASSWORD, NEW_PASSWORD)
    assert done.status_code == 303
    page = first.request("GET", "/account/password?changed=true")
    assert page.status_code == 200 and 'data-testid="changed"' in page.text
    assert first.request("GET", "/").status_code == 200  # this session was renewed

    logged_out = second.request("GET", "/")
    assert logged_out.status_code == 303 and logged_out.headers["location"] == "/login?next=/"
    assert _login(second, email, PASSWORD) == 401  # the old password is dead
    assert _login(second, email, NEW_PASSWORD) == 303
    assert second.request("GET", "/").status_code == 200

    [(actor, _, detail)] = _audit_actions(world)
    assert actor == email and detail["sessions_revoked"] == 2


def test_password_change_refuses_bad_input(world: World, client: AppClient) -> None:
    assert _login(client, world.emails["creator"], PASSWORD) == 303
    wrong = _change(client, "not my password", NEW_PASSWORD)
    assert wrong.status_code == 400 and "current_password" in wrong.text
    differ = _change(client, PASSWORD, NEW_PASSWORD, "something else entirely")
    assert differ.status_code == 400 and "differ" in differ.text
    short = _change(client, PASSWORD, "short")
    assert short.status_code == 400 and "at least 8" in short.text
    form = client.request("GET", "/account/password")
    forged = client.request(
        "POST",
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
            "csrf": "forged",
        },
    )
    assert form.status_code == 200 and forged.status_code == 403
    assert client.request("GET", "/").status_code == 200  # nothing changed, still logged in
    assert _audit_actions(world) == []


def test_wrong_current_passwords_count_towards_the_login_limit(
    world: World, client: AppClient
) -> None:
    assert _login(client, world.emails["agency_member"], PASSWORD) == 303
    statuses = [_change(client, f"guess number {i}", NEW_PASSWORD).status_code for i in range(5)]
    assert statuses == [400] * 5
    limited = _change(client, PASSWORD, NEW_PASSWORD)
    assert limited.status_code == 429


def test_logout_deletes_the_server_side_session(world: World, client: AppClient) -> None:
    assert _login(client, world.emails["creator"], PASSWORD) == 303
    engine = make_engine(world.db_url)
    sessions = make_sessionmaker(engine)
    try:
        with sessions() as session:
            assert len(session.scalars(select(UserSession)).all()) == 1
        home = client.request("GET", "/")
        client.request("POST", "/logout", data={"csrf": _csrf(home.text)})
        with sessions() as session:
            assert session.scalars(select(UserSession)).all() == []
    finally:
        engine.dispose()


def test_change_password_page_needs_a_login(client: AppClient) -> None:
    response = client.request("GET", "/account/password")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account/password"
