"""Recommendations in a real Chromium: a product viewed on one device shows under "Recently viewed" on the
shopper's other device; "Often bought together" shows below the product, drawn after load (no first-flight
byte); both pass axe-core."""

from __future__ import annotations

import json
import shutil
import urllib.request
from datetime import timedelta

import pytest
from playwright.sync_api import expect

import clock
from recs import service as recs_service
from server.app import create_app
from server.stores import open_database
from tests.browser.axe import serious_violations
from tests.browser_pages import WAIT_MS, new_email, page_in_new_context, sign_in_page, sign_up_in_page, sync_ready
from tests.live_server import LiveServer
from tests.loyalty_support import buy, make_user

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def catalog(live_settings, demo_data_dir) -> list[dict]:
    """The demo catalog's products (in stock first), in the module's own data dir."""
    shutil.copytree(demo_data_dir, live_settings.data_dir, dirs_exist_ok=True)
    database = open_database(live_settings)
    try:
        with database.snapshot() as db:
            rows = list(db.query("SELECT id, name, stock FROM products ORDER BY id"))
    finally:
        database.close()
    return sorted(rows, key=lambda r: r["stock"] <= 0)


@pytest.fixture(scope="module")
def live_server(live_settings, catalog):
    """The demo shop where two orders held the first two products together (the model refreshed)."""
    database = open_database(live_settings)
    first, second = catalog[0]["id"], catalog[1]["id"]
    for day in (1, 2):
        buy(database, make_user(database), {first: 1, second: 1}, clock.now() - timedelta(days=day))
    recs_service.refresh(database, clock.now())
    with LiveServer(create_app(live_settings, database)) as server:
        yield server
    database.close()


def test_a_product_viewed_on_the_phone_shows_under_recently_viewed_on_the_laptop(browser, live_server, catalog):
    phone, laptop = browser.new_context(), browser.new_context()
    try:
        a, b = phone.new_page(), laptop.new_page()
        email = new_email("recent")
        sign_in_page(a, live_server.url, email, create=True)
        sign_in_page(b, live_server.url, email)
        b.goto(f"{live_server.url}/")
        sync_ready(b)
        for product in (catalog[2], catalog[3]):
            a.goto(f"{live_server.url}/p/{product['id']}")
            a.wait_for_function("window.lastmileSync && window.lastmileSync.pending.length === 0"
                                " && window.lastmileSync.view.has('recent')", timeout=WAIT_MS)
        names = b.locator("#lm-recent li b")
        expect(names).to_have_text([catalog[3]["name"], catalog[2]["name"]], timeout=WAIT_MS)  # newest first, live
        assert [] == serious_violations(b)
        b.click("[data-action=recent-clear]")
        expect(b.locator("#lm-recent")).to_have_count(0, timeout=WAIT_MS)
        a.goto(f"{live_server.url}/")
        sync_ready(a)
        expect(a.locator("#lm-recent")).to_have_count(0, timeout=WAIT_MS)
    finally:
        phone.close()
        laptop.close()


def test_bought_together_shows_below_the_product_without_a_first_flight_byte(browser, live_server, catalog):
    first, second = catalog[0], catalog[1]
    with urllib.request.urlopen(f"{live_server.url}/p/{first['id']}", timeout=10) as response:
        html = response.read().decode()
    assert "lm-together" not in html and "bought-together" not in html
    with page_in_new_context(browser) as page:
        page.goto(f"{live_server.url}/p/{first['id']}")
        page.wait_for_load_state("load")
        page.mouse.wheel(0, 5000)
        together = page.locator("#lm-together")
        expect(together.locator("li b")).to_have_text([second["name"]], timeout=WAIT_MS)
        expect(together.locator("h2")).to_have_text("Often bought together")
        assert [] == serious_violations(page)


def test_the_home_page_shows_a_new_shopper_the_popular_products(browser, live_server, catalog):
    with page_in_new_context(browser) as page:
        sign_up_in_page(page, live_server.url, "new")
        page.goto(f"{live_server.url}/")
        section = page.locator("#lm-for-you")
        expect(section.locator("h2")).to_have_text("Popular right now", timeout=WAIT_MS)
        expect(section.locator("li b").first).to_have_text(catalog[0]["name"])
        assert [] == serious_violations(page)


def test_the_sections_speak_chinese_on_a_chinese_page(browser, live_server, catalog):
    with page_in_new_context(browser, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"}) as page:
        page.goto(f"{live_server.url}/p/{catalog[0]['id']}")
        page.mouse.wheel(0, 5000)
        expect(page.locator("#lm-together h2")).to_have_text("经常一起购买", timeout=WAIT_MS)


def test_texts_json_carries_the_recs_area(live_server):
    with urllib.request.urlopen(f"{live_server.url}/sw.js", timeout=10) as response:
        sw = response.read().decode()
    url = next(u["url"] for u in json.loads(sw.split("const PRECACHE = ", 1)[1].split(";\n", 1)[0]) if "/texts-en." in u["url"])
    with urllib.request.urlopen(f"{live_server.url}{url}", timeout=10) as response:
        texts = json.loads(response.read())
    assert "Recently viewed" == texts["recs.recent.heading"]
