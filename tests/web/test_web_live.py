"""The real server: ``shopstar serve`` (uvicorn) in a subprocess, over real HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from appworld import PASSWORD, World, issue, serve


@pytest.mark.slow
def test_serve_answers_the_api_and_the_pages(world: World, tmp_path: Path) -> None:
    token = issue(world, "agency_admin", "read")
    with serve(world.db_url, tmp_path) as server:
        headers = {"Authorization": f"Bearer {token}"}
        listed = httpx.get(f"{server.url}/api/v1/creators", headers=headers)
        assert listed.status_code == 200
        assert [c["creator_id"] for c in listed.json()["data"]] == ["c1", "c2"]
        hidden = httpx.get(f"{server.url}/api/v1/creators/c3", headers=headers)
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"
        assert httpx.get(f"{server.url}/openapi.json").json()["info"]["title"] == "ShopStar API"

        with httpx.Client(base_url=server.url) as browser:
            form = browser.get("/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)
            assert csrf
            email = world.emails["shop_admin"]
            logged_in = browser.post(
                "/login", data={"email": email, "password": PASSWORD, "csrf": csrf.group(1)}
            )
            assert logged_in.status_code == 303
            home = browser.get("/")
            assert home.status_code == 200 and "Glow Beauty" in home.text
