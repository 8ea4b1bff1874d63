"""Headless Chromium (Playwright): each demo role logs in, sees its home page, logs out."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from appworld import SCREENSHOTS, World, chromium, serve
from shopstar.accounts.demo import seed_demo_users
from shopstar.db import make_engine, make_sessionmaker

# what each demo role's home page must say, and what it must not
EXPECTED = {
    "program-admin": ("program", "Program team", "Creators", None),
    "program-manager": ("program", "Program team", "Your roster", None),
    "agency-admin": ("agency", "Alpha Agency", "Creators who authorised you", "@c3"),
    "shop-admin": ("shop", "Glow Beauty", "Your products", "@c1"),
    "creator": ("creator", "@c1", "Agencies you authorised", "@c2"),
}


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_each_demo_role_logs_in_sees_its_home_and_logs_out(world: World, tmp_path: Path) -> None:
    engine = make_engine(world.db_url)
    with make_sessionmaker(engine).begin() as session:
        logins = seed_demo_users(session)
    engine.dispose()

    with serve(world.db_url, tmp_path) as server, chromium() as browser:
        for demo in logins:
            kind, org, section, hidden = EXPECTED[demo.role]
            page = browser.new_page()
            page.goto(f"{server.url}/")
            expect(page).to_have_url(f"{server.url}/login?next=/")
            page.fill("input[name=email]", demo.email)
            page.fill("input[name=password]", demo.password)
            page.click("button[type=submit]")
            expect(page).to_have_url(f"{server.url}/")
            expect(page.get_by_test_id("kind")).to_have_text(kind)
            expect(page.get_by_test_id("org")).to_have_text(org)
            expect(page.locator("main")).to_contain_text(section)
            if hidden:
                expect(page.locator("main")).not_to_contain_text(hidden)
            assert page.evaluate("getComputedStyle(document.body).margin") == "0px"  # CSS
            page.screenshot(path=SCREENSHOTS / f"home-{demo.role}.png", full_page=True)
            page.get_by_test_id("logout").click()
            expect(page).to_have_url(f"{server.url}/login")
            page.goto(f"{server.url}/")
            expect(page).to_have_url(f"{server.url}/login?next=/")
            page.close()
    assert sorted(p.name for p in SCREENSHOTS.glob("home-*.png")) >= sorted(
        f"home-{d.role}.png" for d in logins
    )
