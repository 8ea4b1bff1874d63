"""The creators list and detail: one statement for the token and one for the data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from appworld import AppClient, World, issue


def _statements(client: AppClient, token: str, path: str) -> tuple[Any, list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])  # the SQL text

    engine = client.app.state.read_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200, response.text
    return response.json(), seen


def test_a_page_and_its_count_are_one_statement(world: World, client: AppClient) -> None:
    token = issue(world, "agency_admin", "read")
    body, statements = _statements(client, token, "/api/v1/creators?limit=1")
    assert (body["count"], len(body["data"]), len(statements)) == (2, 1, 2)  # token, page
    detail, statements = _statements(client, token, "/api/v1/creators/c1")
    assert (detail["creator_id"], len(statements)) == ("c1", 2)


def test_a_page_past_the_end_still_counts(world: World, client: AppClient) -> None:
    token = issue(world, "program_admin", "read")
    past, _ = _statements(client, token, "/api/v1/creators?limit=2&offset=10")
    assert (past["data"], past["count"], past["offset"]) == ([], 4, 10)
    none, statements = _statements(client, token, "/api/v1/creators?region=nowhere")
    assert (none["data"], none["count"], len(statements)) == ([], 0, 2)
