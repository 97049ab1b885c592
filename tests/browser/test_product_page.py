"""The weak-network product page and the PWA in Debian's Chromium, with Slow 3G emulated by CDP.

Behaviour only, never time: what the first response carries, what precedes the first paint, who answers a
warm visit, what shows offline, how an update is taken. Emulation is applied to the service worker too
(bench/netem.py), since throttling a page does not slow its worker's own fetches.
"""

from __future__ import annotations

import re

import pytest

from bench.netem import OFFLINE, SLOW_3G, NetworkEmulator
from tests.browser_pages import listed_products

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

PAINT_FACTS = """() => new Promise((resolve) => {
  const lcp = [];
  new PerformanceObserver((list) => lcp.push(...list.getEntries())).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => {
    const last = lcp.at(-1);
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const resources = performance.getEntriesByType("resource");
    resolve({
      fcp: fcp ? fcp.startTime : null,
      lcpUrl: last ? last.url : null,
      lcpInMain: !!(last && last.element && last.element.closest("main")),
      blocking: resources.filter((r) => r.renderBlockingStatus === "blocking").map((r) => r.name),
      // responses that arrived before the product painted (its paint waited for nothing but the document)
      arrivedBeforeProduct: resources.filter((r) => !last || r.responseEnd <= last.startTime).map((r) => r.name),
      documentBytes: performance.getEntriesByType("navigation")[0].transferSize,
    });
  }, 200);
})"""

CACHED = "(url) => caches.open('lm-pages-v1').then((c) => c.match(url, {ignoreVary: true})).then(Boolean)"


@pytest.fixture(scope="module")
def products(live_server) -> list[dict]:
    """The demo products as the API lists them."""
    return listed_products(live_server, limit=20)


def _wait_until_controlled_and_saved(page, url: str) -> None:
    page.wait_for_function("document.documentElement.dataset.app === 'ready'")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.wait_for_function(CACHED, arg=url)


def test_cold_slow_3g_visit_shows_the_product_from_the_first_response(browser, live_server, products):
    product = products[0]
    context = browser.new_context(service_workers="block", **PHONE)  # a first visit: no worker yet
    page = context.new_page()
    net = NetworkEmulator(browser, page)
    net.apply(SLOW_3G)
    try:
        response = page.goto(f"{live_server.url}/p/{product['id']}", wait_until="load")
        html = response.text()
        expected = (f"<h1>{product['name']}</h1>", "€", 'class="stock', "within 7 days of delivery", "<style>")
        assert [] == [text for text in expected if text not in html]
        # the first image is in the document itself (inline data URI), its placeholder too when it has one
        if product["image"] and product["image"]["variants"]:
            assert re.search(r'<figure class="hero"[^>]*><img src="data:image/(webp|avif|jpeg);base64,', html)
        if product["image"] and product["image"]["placeholder"]:
            assert product["image"]["placeholder"] in html
        facts = page.evaluate(PAINT_FACTS)
        assert [] == facts["blocking"]
        assert [] == facts["arrivedBeforeProduct"]
        assert facts["lcpInMain"]
        assert facts["lcpUrl"] == "" or facts["lcpUrl"].startswith("data:")  # no second round trip for it
        assert facts["documentBytes"] <= 30_000
    finally:
        net.close()
        context.close()


def test_warm_visit_is_answered_by_the_service_worker_and_seen_products_work_offline(browser, live_server, products):
    seen, unseen = products[1], products[2]
    seen_url = f"{live_server.url}/p/{seen['id']}"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    net = None
    try:
        page.goto(seen_url)
        _wait_until_controlled_and_saved(page, seen_url)
        page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'PING'})")
        # the worker loaded the worker-side scripts of the sync client and push (importScripts)
        assert "object" == context.service_workers[0].evaluate("typeof self.LastmileSyncStore")
        net = NetworkEmulator(browser, page)
        net.apply(SLOW_3G, workers=OFFLINE)  # the worker cannot reach the network at all
        before = len(live_server.requests)

        response = page.goto(seen_url)
        assert response.from_service_worker
        assert seen["name"] == page.inner_text("h1")
        assert "Saved copy" in page.inner_text(".note[data-kind=saved]")
        assert page.get_attribute(".note[data-kind=saved] time", "datetime")
        assert [] == [r for r in live_server.requests[before:] if r.startswith(("GET /p/", "GET /static/"))]

        context.set_offline(True)
        net.apply(OFFLINE)
        page.goto(seen_url)
        assert seen["name"] == page.inner_text("h1")

        page.goto(f"{live_server.url}/p/{unseen['id']}")
        assert "You are offline" == page.inner_text("h1")
        page.wait_for_selector(f"#lm-saved a[href='/p/{seen['id']}']")
    finally:
        if net is not None:
            net.close()
        context.close()


def test_the_offline_page_offers_only_saved_pages_by_their_names(browser, live_server, products):
    seen, unseen = products[5], products[6]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/p/{seen['id']}")
        _wait_until_controlled_and_saved(page, f"{live_server.url}/p/{seen['id']}")
        context.set_offline(True)
        page.goto(f"{live_server.url}/p/{unseen['id']}")
        assert "You are offline" == page.inner_text("h1")
        page.wait_for_selector("#lm-saved a")
        assert [[f"/p/{seen['id']}", seen["name"]]] == page.eval_on_selector_all(
            "#lm-saved a", "links => links.map((a) => [a.getAttribute('href'), a.textContent])")
        assert "All products" not in page.inner_text("body")  # the home page was never saved on this device

        context.set_offline(False)
        page.goto(f"{live_server.url}/")
        page.wait_for_function(CACHED, arg=f"{live_server.url}/")
        context.set_offline(True)
        page.goto(f"{live_server.url}/p/{unseen['id']}")
        page.wait_for_selector("#lm-saved a[href='/']")
        assert [["/", "All products"], [f"/p/{seen['id']}", seen["name"]]] == page.eval_on_selector_all(
            "#lm-saved a", "links => links.map((a) => [a.getAttribute('href'), a.textContent])")
    finally:
        context.close()


def test_listing_leads_to_products_and_back_to_their_category(browser, live_server, products):
    context = browser.new_context(service_workers="block", **PHONE)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        cards = page.locator(".grid a")
        assert len(products) == cards.count()
        name = cards.nth(3).locator("b").inner_text()
        cards.nth(3).click()
        page.wait_for_url(re.compile(r"/p/"))
        assert name == page.inner_text("h1")
        page.locator(".crumbs a").nth(1).click()
        page.wait_for_url(re.compile(r"/c/"))
        current = page.locator(".cats a[aria-current]").inner_text()
        assert current == page.inner_text("main h1")
    finally:
        context.close()


def test_an_update_waits_for_the_shopper_and_never_mixes_versions(browser, live_server, products, tmp_path, monkeypatch):
    from server.pages import shop as page_routes
    from server.pages.assets import PWA_DIR, build_bundle, bundle_for

    url = f"{live_server.url}/p/{products[3]['id']}"
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        page.goto(url)
        _wait_until_controlled_and_saved(page, url)
        old_app = bundle_for().shell.app_js_url
        assert old_app == page.get_attribute("script[type=module]", "src")

        for path in PWA_DIR.iterdir():
            (tmp_path / path.name).write_bytes(path.read_bytes())
        (tmp_path / "app.js").write_text((tmp_path / "app.js").read_text() + "\n// next release\n")
        new = build_bundle(tmp_path)
        monkeypatch.setattr(page_routes, "bundle_for", lambda: new)

        page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
        page.wait_for_selector(".note[data-kind=update] button")
        # the new worker waits: this page keeps the old worker and the old shell cache is still there
        shells = page.evaluate("caches.keys().then((keys) => keys.filter((k) => k.startsWith('lm-shell-')))")
        assert {f"lm-shell-{bundle_for().version}", f"lm-shell-{new.version}"} == set(shells)
        assert page.evaluate("navigator.serviceWorker.controller.scriptURL").endswith("/sw.js")

        with page.expect_navigation():
            page.click(".note[data-kind=update] button")
        page.wait_for_function("document.documentElement.dataset.app === 'ready'")
        assert new.shell.app_js_url == page.get_attribute("script[type=module]", "src")
        shells = page.evaluate("caches.keys().then((keys) => keys.filter((k) => k.startsWith('lm-shell-')))")
        assert [f"lm-shell-{new.version}"] == shells
    finally:
        context.close()
