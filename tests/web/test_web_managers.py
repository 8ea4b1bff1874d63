"""``/api/v1/managers``: program admins edit a manager's roster and categories; the manager's
view follows; everyone else gets 404 (or 403 for a manager reading its own)."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from appworld import AppClient, World, issue
from shopstar.accounts.models import AuditEvent
from shopstar.db import make_engine, make_sessionmaker


def _call(
    client: AppClient, token: str, method: str, path: str, body: Any = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return client.request(method, f"/api/v1{path}", headers=headers, json=body)


def _audit(world: World, prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    engine = make_engine(world.db_url)
    try:
        with make_sessionmaker(engine)() as session:
            events = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.startswith(prefix))
                .order_by(AuditEvent.id)
            )
            return [(e.actor, e.action, e.detail) for e in events]
    finally:
        engine.dispose()


def test_admin_edits_roster_and_categories_and_the_manager_view_follows(
    world: World, client: AppClient
) -> None:
    admin, manager = issue(world, "program_admin"), issue(world, "manager")
    listed = _call(client, admin, "GET", "/managers").json()
    assert listed["count"] == 1
    [entry] = listed["data"]
    assert (entry["email"], entry["categories"], entry["roster"]) == (
        world.emails["manager"],
        ["beauty"],
        ["c2"],
    )
    mid = entry["id"]
    assert _call(client, manager, "PATCH", "/creators/c4", {"bio": "x"}).status_code == 403
    assert {p["product_id"] for p in _call(client, manager, "GET", "/products").json()["data"]} == {
        "p1",
        "p2",
    }

    edited = _call(
        client, admin, "POST", f"/managers/{mid}/roster", {"add": ["c4"], "remove": ["c2"]}
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["roster"] == ["c4"]
    recat = _call(client, admin, "PATCH", f"/managers/{mid}", {"categories": [" home ", "home"]})
    assert recat.status_code == 200 and recat.json()["categories"] == ["home"]

    own = _call(client, manager, "GET", f"/managers/{mid}").json()
    assert (own["roster"], own["categories"]) == (["c4"], ["home"])
    assert _call(client, manager, "GET", "/me").json()["categories"] == ["home"]
    assert _call(client, manager, "PATCH", "/creators/c4", {"bio": "now mine"}).status_code == 200
    assert _call(client, manager, "PATCH", "/creators/c2", {"bio": "x"}).status_code == 403
    products = _call(client, manager, "GET", "/products").json()["data"]
    assert [p["product_id"] for p in products] == ["p3"]
    shops = _call(client, manager, "GET", "/shops").json()["data"]
    assert [s["shop_id"] for s in shops] == ["s2"]

    actions = [(actor, action) for actor, action, _ in _audit(world, "roster.")]
    actions += [(actor, action) for actor, action, _ in _audit(world, "manager.")]
    admin_email = world.emails["program_admin"]
    assert (admin_email, "roster.add") in actions and (admin_email, "roster.remove") in actions
    assert (admin_email, "manager.categories") in actions
    [(_, _, detail)] = _audit(world, "manager.")
    assert detail == {"before": ["beauty"], "after": ["home"]}


def test_managers_are_hidden_from_everyone_but_program_admins(
    world: World, client: AppClient
) -> None:
    admin = issue(world, "program_admin")
    mid = _call(client, admin, "GET", "/managers").json()["data"][0]["id"]
    edit = {"add": ["c1"]}
    for name in ("agency_admin", "agency_member", "shop_admin", "shop_member", "creator"):
        token = issue(world, name)
        assert _call(client, token, "GET", "/managers").json()["count"] == 0, name
        assert _call(client, token, "GET", f"/managers/{mid}").status_code == 404, name
        denied = _call(client, token, "POST", f"/managers/{mid}/roster", edit)
        assert denied.status_code == 404, name
        assert denied.json()["error"]["code"] == "not_found"
    manager = issue(world, "manager")
    assert _call(client, manager, "GET", "/managers").json()["count"] == 1
    assert _call(client, manager, "POST", f"/managers/{mid}/roster", edit).status_code == 403
    patch = _call(client, manager, "PATCH", f"/managers/{mid}", {"categories": ["home"]})
    assert patch.status_code == 403
    assert _call(client, admin, "GET", f"/managers/{mid + 1000}").status_code == 404
    read_only = issue(world, "program_admin", "read")
    assert _call(client, read_only, "POST", f"/managers/{mid}/roster", edit).status_code == 403
    assert {actor for actor, _, _ in _audit(world, "roster.")} == {"test"}  # only the set-up


def test_roster_edits_refuse_bad_input(world: World, client: AppClient) -> None:
    admin = issue(world, "program_admin")
    mid = _call(client, admin, "GET", "/managers").json()["data"][0]["id"]
    unknown = _call(client, admin, "POST", f"/managers/{mid}/roster", {"add": ["nobody"]})
    assert unknown.status_code == 400
    assert unknown.json()["error"] == {
        "code": "bad_request",
        "message": "creator: no creator 'nobody' in the catalog",
        "field": "creator",
    }
    both = _call(
        client, admin, "POST", f"/managers/{mid}/roster", {"add": ["c1"], "remove": ["c1"]}
    )
    assert both.status_code == 400
    extra = _call(client, admin, "PATCH", f"/managers/{mid}", {"categories": [], "x": 1})
    assert extra.status_code == 422
    blank = _call(client, admin, "PATCH", f"/managers/{mid}", {"categories": ["  "]})
    assert blank.status_code == 422
    roster = _call(client, admin, "GET", f"/managers/{mid}").json()["roster"]
    assert roster == ["c2"]  # nothing changed
