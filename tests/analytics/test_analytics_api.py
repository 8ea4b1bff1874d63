"""``/api/v1/stars``, ``/rising`` and ``/trends``: the latest complete run, scoped by policy."""

from __future__ import annotations

import ibis
import pytest
from analytics_market import AS_OF, Market
from sqlalchemy import update

from appworld import AppClient, World, issue
from shopstar.analytics.publish import publish
from shopstar.analytics.published import ScoreRun
from shopstar.analytics.run import ScoreResult, score
from shopstar.db import make_engine, make_sessionmaker


def _result() -> ScoreResult:
    m = Market()
    m.product("p1", "beauty")
    m.product("p3", "home")
    m.product("p4", "electronics")
    for c in ("c1", "c3", "c4", "zz"):  # zz: not (yet) in the app's catalog
        m.creator(c, followers=[(28, 1_000), (0, 4_000 if c == "c3" else 1_010)])
        m.content(f"{c}-b", c, ["p1"], ago=3, views=10_000)
        m.order("p1", 2, creator_id=c, content_id=f"{c}-b", lines=5)
    m.content("c4-h", "c4", ["p3"], ago=4, views=5_000)
    for p, n in (("p1", 3), ("p3", 9), ("p4", 4)):
        m.order(p, 1, quantity=n)
    return score(ibis.duckdb.connect(), m.tables(), AS_OF)


@pytest.fixture
def published(world: World) -> World:
    engine = make_engine(world.db_url)
    factory = make_sessionmaker(engine)
    publish(factory, _result(), "duckdb")
    run_id = publish(factory, _result(), "duckdb")
    with factory.begin() as session:  # a later run that never completed is not served
        session.add(ScoreRun(as_of=AS_OF, engine="duckdb", status="running"))
        session.execute(update(ScoreRun).where(ScoreRun.id == run_id).values(engine="latest"))
    engine.dispose()
    return world


def _get(client: AppClient, token: str, path: str) -> dict:  # type: ignore[type-arg]
    response = client.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return response.json()


def test_stars_come_from_the_latest_complete_run(published: World, client: AppClient) -> None:
    body = _get(client, issue(published, "program_admin"), "/api/v1/stars?category=beauty")
    assert body["run"]["engine"] == "latest" and body["run"]["id"] == 2
    assert [r["rank"] for r in body["data"]] == [1, 2, 3]
    assert {r["creator_id"] for r in body["data"]} == {"c1", "c3", "c4"}  # zz not in catalog
    assert body["data"][0]["explanation"]["summary"]
    assert body["count"] == 3


def test_each_role_sees_only_its_creators_and_products(published: World, client: AppClient) -> None:
    creator = _get(client, issue(published, "creator"), "/api/v1/stars")
    assert {r["creator_id"] for r in creator["data"]} == {"c1"}
    shop = _get(client, issue(published, "shop_member"), "/api/v1/trends")
    assert {r["product_id"] for r in shop["data"]} == {"p1"}
    admin = _get(client, issue(published, "program_admin"), "/api/v1/trends?limit=2")
    assert admin["count"] == 3 and len(admin["data"]) == 2


def test_rising_lists_fast_growing_creators(published: World, client: AppClient) -> None:
    body = _get(client, issue(published, "program_admin"), "/api/v1/rising")
    assert [r["creator_id"] for r in body["data"]] == ["c3"]
    assert body["data"][0]["reason"] == "fast growth"


def test_no_run_yet_gives_an_empty_listing(world: World, client: AppClient) -> None:
    body = _get(client, issue(world, "program_admin"), "/api/v1/stars")
    assert body == {"run": None, "data": [], "count": 0, "limit": 50, "offset": 0}
