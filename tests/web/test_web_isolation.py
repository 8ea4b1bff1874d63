"""The isolation matrix: every role x every resource x read/write, through the real API.

For each login and resource, READ lists the rows it may see and WRITE those it may change;
every other row must answer 404 on read, and 403 (readable) or 404 (hidden) on write. The
listings must return exactly the readable rows. Then a creator revokes an agency.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from appworld import WORLD_USERS, AppClient, World, issue
from shopstar.accounts.models import Authorization, Organization
from shopstar.db import make_engine, make_sessionmaker

ALL = {
    "creators": {"c1", "c2", "c3", "c4"},
    "shops": {"s1", "s2", "s3"},
    "products": {"p1", "p2", "p3", "p4"},
    "organizations": {"program", "a1", "a2", "s1", "s2", "s3", "c1", "c2", "c3", "c4"},
    "authorizations": {"a1c1", "a1c2", "a2c3"},
}
AGENCY_READ = {
    "creators": {"c1", "c2"},
    "shops": {"s2"},
    "products": {"p3"},
    "organizations": {"a1", "s2", "c1", "c2"},
    "authorizations": {"a1c1", "a1c2"},
}
SHOP_READ = {"shops": {"s1"}, "products": {"p1", "p2"}, "organizations": {"s1"}}
READ: dict[str, dict[str, set[str]]] = {
    "program_admin": ALL,
    "manager": {
        "creators": ALL["creators"],
        "shops": {"s1"},
        "products": {"p1", "p2"},
        "organizations": ALL["organizations"],
        "authorizations": ALL["authorizations"],
    },
    "agency_admin": AGENCY_READ,
    "agency_member": AGENCY_READ,
    "shop_admin": SHOP_READ,
    "shop_member": SHOP_READ,
    "creator": {"creators": {"c1"}, "organizations": {"c1", "a1"}, "authorizations": {"a1c1"}},
}
WRITE: dict[str, dict[str, set[str]]] = {
    "program_admin": ALL,
    "manager": {"creators": {"c2"}},
    "agency_admin": {"creators": {"c1", "c2"}, "organizations": {"a1"}},
    "agency_member": {"creators": {"c1", "c2"}},
    "shop_admin": {"shops": {"s1"}, "products": {"p1", "p2"}, "organizations": {"s1"}},
    "shop_member": {"products": {"p1", "p2"}},
    "creator": {"creators": {"c1"}, "organizations": {"c1"}, "authorizations": {"a1c1"}},
}
# the creator revokes a1c1 and the program admin revokes everything: they go last
ORDER = [
    "manager",
    "agency_admin",
    "agency_member",
    "shop_admin",
    "shop_member",
    "creator",
    "program_admin",
]
BODIES = {
    "creators": {"bio": "checked"},
    "shops": {"description": "checked"},
    "products": {"notes": "checked"},
}


def _ids(world: World) -> dict[str, dict[str, str]]:
    """Labels (``a1``, ``a1c1``...) to the ids used in URLs."""
    engine = make_engine(world.db_url)
    with make_sessionmaker(engine)() as session:
        orgs = {(o.external_id or ""): str(o.id) for o in session.scalars(select(Organization))}
        ext = {v: k for k, v in orgs.items()}
        auths = {
            f"{ext[str(a.agency_org_id)]}{a.creator_id}": str(a.id)
            for a in session.scalars(select(Authorization))
        }
    engine.dispose()
    ids = {r: {label: label for label in labels} for r, labels in ALL.items()}
    ids["organizations"] = {label: orgs[label] for label in ALL["organizations"]}
    ids["authorizations"] = auths
    return ids


def _write(client: AppClient, token: str, resource: str, key: str) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if resource == "authorizations":
        return client.request("POST", f"/api/v1/authorizations/{key}/revoke", headers=headers)
    body = BODIES.get(resource, {"name": f"Renamed {key}"})
    return client.request("PATCH", f"/api/v1/{resource}/{key}", headers=headers, json=body)


def _listed(client: AppClient, token: str, resource: str, labels: dict[str, str]) -> set[str]:
    response = client.request(
        "GET", f"/api/v1/{resource}?limit=500", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    by_id = {v: k for k, v in labels.items()}
    key = {"creators": "creator_id", "shops": "shop_id", "products": "product_id"}.get(
        resource, "id"
    )
    body = response.json()
    assert body["count"] == len(body["data"])
    return {by_id[str(row[key])] for row in body["data"]}


def test_isolation_matrix(world: World, client: AppClient) -> None:
    assert set(ORDER) == set(WORLD_USERS)
    ids = _ids(world)
    mismatches = []
    for role in ORDER:
        token = issue(world, role)
        headers = {"Authorization": f"Bearer {token}"}
        for resource, labels in ALL.items():
            readable = READ[role].get(resource, set())
            writable = WRITE[role].get(resource, set())
            if (listed := _listed(client, token, resource, ids[resource])) != readable:
                mismatches.append(f"{role} lists {resource} {sorted(listed)}")
            for label in sorted(labels):
                key = ids[resource][label]
                if resource != "authorizations":
                    got = client.request("GET", f"/api/v1/{resource}/{key}", headers=headers)
                    want = 200 if label in readable else 404
                    if got.status_code != want:
                        mismatches.append(f"{role} read {resource}/{label}: {got.status_code}")
                want = 200 if label in writable else 403 if label in readable else 404
                got = _write(client, token, resource, key)
                if got.status_code != want:
                    mismatches.append(f"{role} write {resource}/{label}: {got.status_code}")
                if want != 200:
                    assert set(got.json()) == {"error"}, got.text
    assert mismatches == []


def test_agency_loses_a_creator_when_the_creator_revokes(world: World, client: AppClient) -> None:
    agency = {"Authorization": f"Bearer {issue(world, 'agency_admin')}"}
    creator = {"Authorization": f"Bearer {issue(world, 'creator')}"}
    assert client.request("GET", "/api/v1/creators/c1", headers=agency).status_code == 200
    (auth,) = client.request("GET", "/api/v1/authorizations", headers=creator).json()["data"]
    assert (auth["agency_id"], auth["status"]) == ("a1", "active")

    revoked = client.request("POST", f"/api/v1/authorizations/{auth['id']}/revoke", headers=creator)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"

    assert client.request("GET", "/api/v1/creators/c1", headers=agency).status_code == 404
    patch = client.request("PATCH", "/api/v1/creators/c1", headers=agency, json={"bio": "x"})
    assert patch.status_code == 404
    listed = client.request("GET", "/api/v1/creators", headers=agency).json()
    assert [c["creator_id"] for c in listed["data"]] == ["c2"] and listed["count"] == 1
    c1_org = client.request("GET", "/api/v1/organizations?kind=creator", headers=agency).json()
    assert [o["external_id"] for o in c1_org["data"]] == ["c2"]

    regranted = client.request(
        "POST", "/api/v1/authorizations", headers=creator, json={"agency_id": "a1"}
    )
    assert regranted.status_code == 201 and regranted.json()["status"] == "active"
    assert client.request("GET", "/api/v1/creators/c1", headers=agency).status_code == 200


@pytest.mark.parametrize("role", ["agency_admin", "shop_admin", "creator"])
def test_read_only_token_cannot_write(world: World, client: AppClient, role: str) -> None:
    token = issue(world, role, scopes="read")
    resource, key = {
        "agency_admin": ("creators", "c1"),
        "shop_admin": ("products", "p1"),
        "creator": ("creators", "c1"),
    }[role]
    response = _write(client, token, resource, key)
    assert response.status_code == 403
    assert "scope" in response.json()["error"]["message"]
