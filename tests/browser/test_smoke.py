"""The browser toolchain itself: Debian's Chromium reaches the live server and reads the catalog."""

import json

import pytest

pytestmark = pytest.mark.browser


def test_chromium_reads_the_catalog_from_the_live_server(browser, live_server):
    page = browser.new_page()
    response = page.goto(f"{live_server.url}/api/products?limit=5")
    assert 200 == response.status
    body = json.loads(page.inner_text("body"))
    assert 5 == len(body["items"])
    assert body["nextCursor"]
    page.close()
