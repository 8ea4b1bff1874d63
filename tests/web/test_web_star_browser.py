"""Headless Chromium: the program manager opens Stars from the nav, switches category and sees
the ranked creators with their explanation (a real ``shopstar serve``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from web_scored_market import publish_into, scored_market

from appworld import PASSWORD, SCREENSHOTS, World, chromium, serve


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_manager_switches_category_on_the_stars_page(world: World, tmp_path: Path) -> None:
    publish_into(world.db_url, scored_market())
    with serve(world.db_url, tmp_path) as server, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{server.url}/login")
        page.fill("input[name=email]", world.emails["manager"])
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.get_by_test_id("nav-stars").click()
        expect(page).to_have_url(f"{server.url}/stars")
        expect(page.get_by_test_id("category")).to_have_value("beauty")
        ranks = page.locator("[data-testid=rows] td.rank")
        expect(ranks).to_have_text(["1", "2", "3", "4"])
        expect(page.get_by_test_id("why-c1")).to_contain_text("order lines vs")
        page.screenshot(path=SCREENSHOTS / "stars-beauty.png", full_page=True)

        page.get_by_test_id("category").select_option("home")
        page.get_by_test_id("show").click()
        expect(page).to_have_url(f"{server.url}/stars?category=home")
        expect(page.locator("[data-testid^=row-]")).to_have_count(2)
        expect(page.get_by_test_id("row-c4")).to_contain_text("@c4")
        expect(page.get_by_test_id("why-c4")).to_contain_text("x the sales expected")
        page.screenshot(path=SCREENSHOTS / "stars-home.png", full_page=True)

        for tab in ("rising", "trends"):
            page.get_by_test_id(f"tab-{tab}").click()
            expect(page.get_by_test_id(tab)).to_be_visible()
            page.screenshot(path=SCREENSHOTS / f"{tab}.png", full_page=True)
