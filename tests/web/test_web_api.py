"""The JSON API through a fresh app: identity, listings, filters, pagination, errors."""

from __future__ import annotations

from sqlalchemy import select

from appworld import AppClient, World, issue
from shopstar.accounts.models import AuditEvent
from shopstar.db import make_engine, make_sessionmaker


def _get(client: AppClient, token: str, path: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    response = client.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()


def test_me_describes_the_token_owner(world: World, client: AppClient) -> None:
    status, body = _get(client, issue(world, "manager", "read"), "/api/v1/me")
    assert status == 200
    assert body["email"] == world.emails["manager"]
    assert (body["role"], body["organization"]["kind"]) == ("manager", "program")
    assert body["scopes"] == ["read"] and body["categories"] == ["beauty"]


def test_creator_listing_filters_and_paginates(world: World, client: AppClient) -> None:
    token = issue(world, "program_admin")
    status, body = _get(client, token, "/api/v1/creators?limit=2")
    assert status == 200
    assert (body["count"], body["limit"], body["offset"]) == (4, 2, 0)
    assert [c["creator_id"] for c in body["data"]] == ["c4", "c1"]  # most followed first
    _, page2 = _get(client, token, "/api/v1/creators?limit=2&offset=2")
    assert [c["creator_id"] for c in page2["data"]] == ["c3", "c2"]
    _, filtered = _get(client, token, "/api/v1/creators?agency_id=a1&min_followers=2000")
    assert [c["creator_id"] for c in filtered["data"]] == ["c1"] and filtered["count"] == 1
    _, by_handle = _get(client, token, "/api/v1/creators?q=C3")
    assert [c["handle"] for c in by_handle["data"]] == ["@c3"]
    _, detail = _get(client, token, "/api/v1/creators/c1")
    assert detail["followers"] == 50_000 and detail["joined_at"] == "2026-01-01T00:00:00Z"


def test_products_keep_exact_decimals(world: World, client: AppClient) -> None:
    status, body = _get(client, issue(world, "shop_member"), "/api/v1/products?category=beauty")
    assert status == 200
    prices = {p["product_id"]: (p["price"], p["commission_rate"]) for p in body["data"]}
    assert prices == {"p1": ("19.99", "0.150000"), "p2": ("5.00", "0.150000")}


def test_errors_share_one_body(world: World, client: AppClient) -> None:
    token = issue(world, "creator")
    missing = client.request("GET", "/api/v1/creators")
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert missing.json()["error"]["code"] == "unauthorized"
    bad = client.request("GET", "/api/v1/me", headers={"Authorization": "Bearer sst_nope"})
    assert bad.json() == {
        "error": {"code": "unauthorized", "message": "the API token is unknown or revoked"}
    }
    status, body = _get(client, token, "/api/v1/creators?limit=1000")
    assert status == 422
    assert body["error"]["code"] == "invalid" and body["error"]["field"] == "limit"
    assert "1000" in body["error"]["message"]
    status, body = _get(client, token, "/api/v1/organizations/abc")
    assert (status, body["error"]["field"]) == (422, "org_id")
    status, body = _get(client, token, "/api/v1/nowhere")
    assert (status, body["error"]["code"]) == (404, "not_found")
    patch = client.request(
        "PATCH",
        "/api/v1/creators/c1",
        headers={"Authorization": f"Bearer {token}"},
        json={"followers": 1},
    )
    assert patch.status_code == 422 and patch.json()["error"]["field"] == "followers"


def test_every_api_write_leaves_an_audit_row(world: World, client: AppClient) -> None:
    admin = {"Authorization": f"Bearer {issue(world, 'program_admin')}"}
    creator = {"Authorization": f"Bearer {issue(world, 'creator')}"}
    org_id = client.request("GET", "/api/v1/me", headers=admin).json()["organization"]["id"]
    writes = [
        ("PATCH", "/api/v1/creators/c2", admin, {"bio": "b"}),
        ("PATCH", "/api/v1/shops/s1", admin, {"description": "d"}),
        ("PATCH", "/api/v1/products/p1", admin, {"notes": "n"}),
        ("PATCH", f"/api/v1/organizations/{org_id}", admin, {"name": "Stars team"}),
        ("POST", "/api/v1/authorizations", creator, {"agency_id": "a2"}),
    ]
    for method, path, headers, body in writes:
        response = client.request(method, path, headers=headers, json=body)
        assert response.status_code in (200, 201), response.text
    auth_id = response.json()["id"]
    revoke = client.request("POST", f"/api/v1/authorizations/{auth_id}/revoke", headers=creator)
    assert revoke.status_code == 200

    engine = make_engine(world.db_url)
    with make_sessionmaker(engine)() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.actor_user_id.is_not(None)).order_by(AuditEvent.id)
        ).all()
    engine.dispose()
    assert [(e.action, e.resource_id, e.actor) for e in events] == [
        ("creators.update", "c2", world.emails["program_admin"]),
        ("shops.update", "s1", world.emails["program_admin"]),
        ("products.update", "p1", world.emails["program_admin"]),
        ("organizations.update", str(org_id), world.emails["program_admin"]),
        ("authorization.grant", str(auth_id), world.emails["creator"]),
        ("authorization.revoke", str(auth_id), world.emails["creator"]),
    ]
    assert events[3].detail == {"before": {"name": "Program team"}, "after": {"name": "Stars team"}}


def test_a_name_of_whitespace_only_is_refused_by_the_schema(
    world: World, client: AppClient
) -> None:
    """Names that str.strip() empties (\\x1c-\\x1f are whitespace to Python, not to Unicode's
    regex \\s) fail the published pattern: 422, never a 400 the OpenAPI schema did not promise."""
    admin = {"Authorization": f"Bearer {issue(world, 'program_admin')}"}
    org_id = client.request("GET", "/api/v1/me", headers=admin).json()["organization"]["id"]
    for name in ["\x1c", " \x1d\x1e\x1f ", "\u3000", "\x85\t"]:
        response = client.request(
            "PATCH", f"/api/v1/organizations/{org_id}", headers=admin, json={"name": name}
        )
        assert response.status_code == 422, (name, response.text)
        assert response.json()["error"]["field"] == "name"
    kept = client.request(
        "PATCH", f"/api/v1/organizations/{org_id}", headers=admin, json={"name": "\x1c Team \x1f"}
    )
    assert kept.status_code == 200 and kept.json()["name"] == "Team"
