"""Pages in-process: login with CSRF and rate limiting, cookies, home per role, logout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from appworld import PASSWORD, AppClient, World, app_settings
from shopstar.web import create_app
from shopstar.web.app import SESSION_COOKIE

TEMPLATES = Path(__file__).parents[2] / "src" / "shopstar" / "web" / "templates"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _login(client: AppClient, email: str, password: str = PASSWORD) -> tuple[int, str]:
    form = client.request("GET", "/login")
    response = client.request(
        "POST",
        "/login",
        data={"email": email, "password": password, "csrf": _csrf(form.text), "next": "/"},
    )
    return response.status_code, response.text


def test_home_needs_login_and_shows_the_role(world: World, client: AppClient) -> None:
    anonymous = client.request("GET", "/")
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login?next=/"
    status, _ = _login(client, world.emails["agency_admin"])
    assert status == 303
    home = client.request("GET", "/")
    assert home.status_code == 200
    assert 'data-testid="org">Alpha Agency<' in home.text
    assert "Creators who authorised you" in home.text and "@c1" in home.text
    assert "@c3" not in home.text  # another agency's creator
    assert home.headers["content-security-policy"].startswith("default-src 'self'")


def test_session_cookie_is_httponly_lax_and_secure_off_loopback(
    world: World, tmp_path: Path
) -> None:
    for host, secure in [("127.0.0.1", False), ("0.0.0.0", True)]:
        app = create_app(app_settings(world.db_url, tmp_path).model_copy(update={"host": host}))
        client = AppClient(app)
        cookie = client.request("GET", "/login").headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert ("secure" in cookie.lower()) is secure
        client.close()


def test_login_refuses_a_missing_csrf_token(world: World, client: AppClient) -> None:
    client.request("GET", "/login")
    response = client.request(
        "POST",
        "/login",
        data={"email": world.emails["creator"], "password": PASSWORD, "csrf": "forged"},
    )
    assert response.status_code == 403 and "reload" in response.text
    assert client.request("GET", "/").status_code == 303


def test_login_is_rate_limited(world: World, client: AppClient) -> None:
    email = world.emails["shop_admin"]
    statuses = [_login(client, email, "wrong password")[0] for _ in range(5)]
    assert statuses == [401] * 5
    status, text = _login(client, email)  # even the right password is refused now
    assert status == 429 and "too many failed logins" in text


def test_logout_needs_csrf_and_ends_the_session(world: World, client: AppClient) -> None:
    _login(client, world.emails["creator"])
    home = client.request("GET", "/")
    assert "Agencies you authorised" in home.text
    assert client.request("POST", "/logout", data={"csrf": "forged"}).status_code == 403
    out = client.request("POST", "/logout", data={"csrf": _csrf(home.text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.request("GET", "/").status_code == 303


def test_creator_revokes_an_agency_from_the_home_page(world: World, client: AppClient) -> None:
    _login(client, world.emails["creator"])
    home = client.request("GET", "/")
    action = re.search(r'action="(/authorizations/\d+/revoke)"', home.text)
    assert action
    done = client.request("POST", action.group(1), data={"csrf": _csrf(home.text)})
    assert done.status_code == 303
    assert "revoked" in client.request("GET", "/").text


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_load_nothing_from_other_sites(template: str) -> None:
    html = (TEMPLATES / template).read_text()
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_static_css_is_served_locally(client: AppClient) -> None:
    css = client.request("GET", "/static/shopstar.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "http" not in css.text


def test_api_docs_page_is_rendered_locally(client: AppClient) -> None:
    docs = client.request("GET", "/docs")
    assert docs.status_code == 200
    assert "GET /api/v1/creators" in docs.text and "min_followers" in docs.text
    assert "cdn" not in docs.text.lower() and "<script" not in docs.text
