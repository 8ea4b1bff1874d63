"""The Stars, Rising and Trends pages in-process (SQLite and PostgreSQL): a run scored on DuckDB
from a small market over the world's ids, each role's rows, the empty state and bad parameters."""

from __future__ import annotations

import re

import pytest
from web_scored_market import AS_OF, publish_into, scored_market

from appworld import PASSWORD, AppClient, World, issue
from shopstar.analytics.run import ScoreResult


@pytest.fixture(scope="module")
def result() -> ScoreResult:
    return scored_market()


@pytest.fixture
def scored(world: World, result: ScoreResult) -> World:
    publish_into(world.db_url, result)
    return world


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _login(client: AppClient, name: str) -> None:
    csrf = _csrf(client.request("GET", "/login").text)
    data = {"email": f"{name}@example.com", "password": PASSWORD, "csrf": csrf}
    assert client.request("POST", "/login", data=data).status_code == 303


def _page(client: AppClient, path: str) -> str:
    response = client.request("GET", path)
    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    return response.text


def _ids(html: str) -> list[str]:
    """The row ids of a listing page, in order."""
    return re.findall(r'data-testid="row-([^"]+)"', html)


def test_manager_sees_its_category_ranked_with_the_explanation(
    scored: World, client: AppClient
) -> None:
    _login(client, "manager")
    assert 'href="/stars"' in _page(client, "/")  # linked from home and the nav
    html = _page(client, "/stars")  # the manager's category, beauty, by default
    assert '<option value="beauty" selected>' in html
    assert ">electronics</option>" in html and ">home</option>" in html
    assert _ids(html) == ["c1", "c3", "c4", "c2"]  # zz: not in the catalog
    assert f"as of <strong>{AS_OF.isoformat()}</strong> · engine duckdb · currency USD" in html
    why = html.split('data-testid="why-c1"')[1].split("</td>")[0]
    assert "order lines vs" in why and "expected" in why and "views per post" in why
    assert "x the sales expected" in why  # the explanation's summary
    home = _page(client, "/stars?category=home")
    assert _ids(home) == ["c4", "c2"]
    trends = _page(client, "/trends")  # trends: the products of its categories only
    assert _ids(trends) == ["p1", "p2"] and 'data-testid="breakout"' in trends
    assert ">home</option>" not in trends
    assert client.request("GET", "/trends?category=home").status_code == 404


# role -> (stars in beauty, rising (any category offered), trends in the default category)
SEES = {
    "program_admin": (["c1", "c3", "c4", "c2"], ["c3"], ["p1", "p2"]),
    "agency_admin": (["c1", "c2"], [], ["p3"]),
    "shop_member": ([], [], ["p1", "p2"]),
    "creator": (["c1"], [], []),
}


def test_each_role_sees_what_the_api_shows_it_and_nothing_else(
    scored: World, client: AppClient
) -> None:
    for role, (stars, rising, trends) in SEES.items():
        _check_role(scored, client, role, {"stars": stars, "rising": rising, "trends": trends})


def _check_role(world: World, client: AppClient, role: str, sees: dict[str, list[str]]) -> None:
    _login(client, role)
    token = issue(world, role)
    for path, expected in sees.items():
        html = _page(client, f"/{path}")
        assert _ids(html) == expected, (role, path)
        if not expected:
            assert 'data-testid="nothing-visible"' in html
        category = re.search(r'<option value="([^"]+)" selected>', html)
        query = f"?category={category.group(1)}" if category else ""
        api = client.request(
            "GET", f"/api/v1/{path}{query}", headers={"Authorization": f"Bearer {token}"}
        ).json()
        key = "product_id" if path == "trends" else "creator_id"
        assert [r[key] for r in api["data"]] == (expected if query else []), (role, path)
    if role == "agency_admin":  # c3 authorised another agency: not even by its category
        assert client.request("GET", "/stars?category=electronics").status_code == 404
        assert "c3" not in _page(client, "/stars?category=beauty")
    logout = {"csrf": _csrf(_page(client, "/"))}
    assert client.request("POST", "/logout", data=logout).status_code == 303


def test_rising_shows_the_reason_and_its_evidence(scored: World, client: AppClient) -> None:
    _login(client, "program_admin")
    html = _page(client, "/rising?category=electronics")
    assert _ids(html) == ["c3"]
    assert "fast growth" in html and "followers +34.7% a week over 28 days" in html


def test_pages_of_a_category(scored: World, client: AppClient) -> None:
    _login(client, "program_admin")
    first = _page(client, "/stars?category=beauty&limit=3")
    assert _ids(first) == ["c1", "c3", "c4"] and "page 1 of 2" in first
    assert 'href="/stars?category=beauty&amp;page=2&amp;limit=3"' in first
    second = _page(client, "/stars?category=beauty&page=2&limit=3")
    assert _ids(second) == ["c2"] and "Rows 4–4 of 4" in second


def test_without_a_run_each_page_says_to_run_score(world: World, client: AppClient) -> None:
    _login(client, "manager")
    for path in ("/stars", "/rising", "/trends?category=beauty"):
        html = _page(client, path)
        assert 'data-testid="no-run"' in html and "shopstar score" in html
        assert _ids(html) == []


BAD = {
    "page=0": 422,
    "page=abc": 422,
    "page=50001": 422,
    "category=beauty&page=50000&limit=200": 404,
    "limit=201": 422,
    "category=": 422,
    "category=be%00auty": 422,
    "category=" + "x" * 129: 422,
    "category=toys": 404,
    "category=beauty&page=2": 404,
    "category=%3Cscript%3Ealert(1)%3C/script%3E": 404,
}


def test_bad_parameters_answer_4xx_pages(scored: World, client: AppClient) -> None:
    _login(client, "program_admin")
    for path in ("/stars", "/rising", "/trends"):
        for query, status in BAD.items():
            response = client.request("GET", f"{path}?{query}")
            assert response.status_code == status, (path, query, response.text)
            assert response.headers["content-type"].startswith("text/html")
            assert "<script>" not in response.text


def test_pages_need_a_login(scored: World, client: AppClient) -> None:
    for path in ("/stars", "/rising", "/trends"):
        response = client.request("GET", path)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={path}"
