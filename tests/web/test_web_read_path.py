"""Every ``GET /api/v1`` endpoint reads through the read path: its DB work runs on the read
engine only, and a missing or unknown token answers 401 before any parameter is checked."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Response
from pydantic import BaseModel
from sqlalchemy import event

from appworld import AppClient, World, issue
from shopstar.web.api.schemas import plain_json_response

READS = [
    "/api/v1/me",
    "/api/v1/organizations",
    "/api/v1/organizations/1",
    "/api/v1/creators",
    "/api/v1/creators/c1",
    "/api/v1/shops",
    "/api/v1/shops/s1",
    "/api/v1/products",
    "/api/v1/products/p1",
    "/api/v1/authorizations",
    "/api/v1/managers",
    "/api/v1/stars",
    "/api/v1/rising",
    "/api/v1/trends",
]


def test_plain_json_response_writes_what_fastapi_writes() -> None:
    class Out(BaseModel):
        small: float
        big: float
        name: str

    value = Out(small=1e-7, big=1e16, name="né\x01")
    app = FastAPI()

    @app.get("/model", response_model=Out)
    def model() -> Out:
        return value

    @app.get("/ours", response_model=Out)
    def ours() -> Response:
        return plain_json_response(value)

    async def both() -> tuple[bytes, bytes]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return (await client.get("/model")).content, (await client.get("/ours")).content

    fastapi_body, ours_body = asyncio.run(both())
    assert ours_body == fastapi_body and b"1e-7" in ours_body


def test_reads_use_the_read_engine_only(world: World, client: AppClient) -> None:
    token = issue(world, "program_admin", "read")
    seen: dict[str, list[str]] = {"read": [], "write": []}
    engines = {
        "read": client.app.state.read_engine,
        "write": client.app.state.sessions.kw["bind"],
    }

    def recorder(name: str) -> Any:
        return lambda *args: seen[name].append(args[2])

    listeners = {name: recorder(name) for name in engines}
    for name, engine in engines.items():
        event.listen(engine, "before_cursor_execute", listeners[name])
    try:
        for path in READS:
            response = client.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, (path, response.text)
    finally:
        for name, engine in engines.items():
            event.remove(engine, "before_cursor_execute", listeners[name])
    assert seen["write"] == [] and len(seen["read"]) >= len(READS)


@pytest.mark.parametrize("path", READS)
def test_a_bad_token_answers_401_before_a_bad_parameter(
    world: World, client: AppClient, path: str
) -> None:
    bad = path + "?limit=0" if path.count("/") == 3 else path.rsplit("/", 1)[0] + "/%00"
    for headers in ({}, {"Authorization": "Bearer sst_nope"}):
        response = client.request("GET", bad, headers=headers)
        assert response.status_code == 401, (bad, headers, response.text)


def test_listed_authorisations_match_what_a_revoke_answers(world: World, client: AppClient) -> None:
    creator = {"Authorization": f"Bearer {issue(world, 'creator')}"}
    (listed,) = client.request("GET", "/api/v1/authorizations", headers=creator).json()["data"]
    revoked = client.request(
        "POST", f"/api/v1/authorizations/{listed['id']}/revoke", headers=creator
    )
    after = client.request("GET", "/api/v1/authorizations", headers=creator).json()
    assert after["data"] == [revoked.json()] and after["count"] == 1
    assert {k: v for k, v in listed.items() if k not in ("status", "revoked_at")} == {
        k: v for k, v in revoked.json().items() if k not in ("status", "revoked_at")
    }
    assert (listed["agency_id"], listed["status"], revoked.json()["status"]) == (
        "a1",
        "active",
        "revoked",
    )
