"""The roster pages: a program admin edits a manager's roster and categories; the manager's home
page follows; other roles get 404, the manager itself 403 on writes; forms need CSRF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from appworld import PASSWORD, AppClient, World, app_settings
from shopstar.web import create_app


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _login(client: AppClient, email: str) -> None:
    form = client.request("GET", "/login")
    data = {"email": email, "password": PASSWORD, "csrf": _csrf(form.text), "next": "/"}
    assert client.request("POST", "/login", data=data).status_code == 303


def _manager_path(client: AppClient) -> str:
    listing = client.request("GET", "/managers")
    assert listing.status_code == 200, listing.text
    match = re.search(r'href="(/managers/\d+)"', listing.text)
    assert match, listing.text
    return match.group(1)


@pytest.fixture
def admin_and_manager(world: World, tmp_path: Path) -> Iterator[tuple[AppClient, AppClient]]:
    """A program admin's browser and the manager's, both logged in."""
    admin = AppClient(create_app(app_settings(world.db_url, tmp_path)))
    manager = AppClient(create_app(app_settings(world.db_url, tmp_path)))
    _login(admin, world.emails["program_admin"])
    _login(manager, world.emails["manager"])
    yield admin, manager
    admin.close()
    manager.close()


def test_admin_edits_a_roster_and_the_manager_sees_it(
    admin_and_manager: tuple[AppClient, AppClient],
) -> None:
    admin, manager = admin_and_manager
    assert 'data-testid="managers-link"' in admin.request("GET", "/").text
    path = _manager_path(admin)
    page = admin.request("GET", path)
    assert "@c2" in page.text and 'data-testid="add-creators"' in page.text
    token = _csrf(page.text)

    added = admin.request("POST", f"{path}/roster", data={"csrf": token, "add": "c4, c1"})
    assert added.status_code == 303 and added.headers["location"] == path
    removed = admin.request("POST", f"{path}/roster", data={"csrf": token, "remove": "c2"})
    assert removed.status_code == 303
    recat = admin.request(
        "POST", f"{path}/categories", data={"csrf": token, "categories": "home, electronics"}
    )
    assert recat.status_code == 303
    after = admin.request("GET", path).text
    assert "@c4" in after and "@c1" in after and "@c2" not in after
    assert 'data-testid="categories">electronics, home<' in after

    home = manager.request("GET", "/").text
    roster = home.split('data-testid="section-roster"')[1].split("</section>")[0]
    assert "@c4" in roster and "@c1" in roster and "@c2" not in roster
    assert "Your categories: electronics, home" in home
    products = home.split('data-testid="section-products"')[1].split("</section>")[0]
    assert "Product p3" in products and "Product p4" in products and "Product p1" not in products


def test_bad_input_and_csrf_change_nothing(
    admin_and_manager: tuple[AppClient, AppClient],
) -> None:
    admin, _ = admin_and_manager
    path = _manager_path(admin)
    token = _csrf(admin.request("GET", path).text)
    unknown = admin.request("POST", f"{path}/roster", data={"csrf": token, "add": "nobody"})
    assert unknown.status_code == 400
    assert "no creator &#39;nobody&#39; in the catalog" in unknown.text
    forged = admin.request("POST", f"{path}/roster", data={"csrf": "forged", "add": "c4"})
    assert forged.status_code == 403
    assert "@c4" not in admin.request("GET", path).text


def test_manager_reads_its_own_page_but_may_not_edit_and_others_get_404(
    world: World, admin_and_manager: tuple[AppClient, AppClient], tmp_path: Path
) -> None:
    admin, manager = admin_and_manager
    path = _manager_path(admin)
    assert _manager_path(manager) == path
    own = manager.request("GET", path)
    assert own.status_code == 200 and "@c2" in own.text
    assert 'data-testid="add-creators"' not in own.text
    token = _csrf(own.text)
    denied = manager.request("POST", f"{path}/roster", data={"csrf": token, "add": "c4"})
    assert denied.status_code == 403

    agency = AppClient(create_app(app_settings(world.db_url, tmp_path)))
    try:
        _login(agency, world.emails["agency_admin"])
        assert "No program managers" in agency.request("GET", "/managers").text
        assert agency.request("GET", path).status_code == 404
        agency_token = _csrf(agency.request("GET", "/").text)
        data = {"csrf": agency_token, "add": "c4"}
        assert agency.request("POST", f"{path}/roster", data=data).status_code == 404
    finally:
        agency.close()
