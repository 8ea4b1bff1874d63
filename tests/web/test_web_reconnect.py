"""A PostgreSQL connection the server closed never reaches a client (no pre-ping round trip)."""

from __future__ import annotations

import asyncio
import time

import pytest
from sqlalchemy import Connection, text
from starlette.requests import Request

from appworld import AppClient, World, issue
from shopstar.db import make_engine
from shopstar.web.reads import run_read

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("world", ["postgresql"], indirect=True)]

PATHS = ("/api/v1/creators?limit=2", "/api/v1/creators/c1", "/api/v1/me", "/api/v1/shops")


def _terminate_other_backends(db_url: str) -> set[int]:
    """Terminate every other connection to the database (as a restart would), wait until they
    are gone and return their pids."""
    engine = make_engine(db_url, isolation_level="AUTOCOMMIT")  # pg_stat_activity is live
    try:
        with engine.connect() as conn:
            others = "datname = current_database() AND pid <> pg_backend_pid()"
            pids = set(conn.scalars(text(f"SELECT pid FROM pg_stat_activity WHERE {others}")))
            conn.execute(
                text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {others}")
            )
            deadline = time.monotonic() + 10
            while conn.scalar(text(f"SELECT count(*) FROM pg_stat_activity WHERE {others}")):
                assert time.monotonic() < deadline, "the backends did not exit"
                time.sleep(0.05)
    finally:
        engine.dispose()
    return pids


def _backends(db_url: str) -> set[int]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return set(
                conn.scalars(
                    text(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            )
    finally:
        engine.dispose()


def test_requests_after_the_backends_were_terminated_succeed(
    world: World, client: AppClient
) -> None:
    headers = {"Authorization": f"Bearer {issue(world, 'program_admin')}"}

    def write(n: int) -> None:  # writes go through a session: its engine pools a connection too
        body = {"description": f"take {n}"}
        response = client.request("PATCH", "/api/v1/shops/s1", headers=headers, json=body)
        assert response.status_code == 200, response.text

    for path in PATHS:
        assert client.request("GET", path, headers=headers).status_code == 200
    write(0)
    terminated = _terminate_other_backends(world.db_url)
    assert len(terminated) >= 2
    for n in range(2):
        for path in PATHS:
            response = client.request("GET", path, headers=headers)
            assert response.status_code == 200, (path, response.text)
        write(n + 1)
    assert _backends(world.db_url).isdisjoint(terminated)


def test_read_work_is_retried_once_when_its_connection_dies(
    world: World, client: AppClient
) -> None:
    pids: list[int] = []

    def work(conn: Connection) -> int:
        pids.append(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        if len(pids) == 1:  # the connection dies after the checkout, during the work
            conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        pid: int = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        return pid

    request = Request({"type": "http", "app": client.app})
    assert asyncio.run(run_read(request, work)) == pids[1] != pids[0]
    assert len(pids) == 2
