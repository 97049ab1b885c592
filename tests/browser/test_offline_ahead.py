"""Deeper offline in a real Chromium: browsing a category online saves its product pages ahead, within a byte
budget per category and in all (oldest out), so a product never opened shows offline; with Save-Data on,
nothing is saved ahead."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.app import create_app
from server.stores import open_database
from tests.browser_pages import page_in_new_context, wait_until
from tests.live_server import LiveServer
from tests.utils import add_product

pytestmark = pytest.mark.browser
WAIT_MS = 20_000
SW = (Path(__file__).resolve().parents[2] / "pwa" / "sw.js").read_text()
CATEGORY_BYTES = int(re.search(r"AHEAD_CATEGORY_BYTES = ([\d_]+)", SW)[1].replace("_", ""))
TOTAL_BYTES = int(re.search(r"AHEAD_TOTAL_BYTES = ([\d_]+)", SW)[1].replace("_", ""))
BULKY = [f"bulky-{n}" for n in range(5)]
PER_BULKY = 12
DESCRIPTION = 30_000  # a page of about 32 KB: a bulky category holds more than its budget


@pytest.fixture(scope="module")
def live_server(live_settings, demo_data_dir):
    """The demo shop plus five categories of big product pages (each category over its budget)."""
    shutil.copytree(demo_data_dir, live_settings.data_dir, dirs_exist_ok=True)
    database = open_database(live_settings)
    for category in BULKY:
        for i in range(PER_BULKY):
            words = " ".join(f"{category}{i}w{k}" for k in range(DESCRIPTION // 14))
            add_product(database, f"{category.upper()}-{i:02d}", name=f"Bulky {category} {i}", category=category,
                        description=words[:DESCRIPTION])
    with LiveServer(create_app(live_settings, database)) as server:
        yield server
    database.close()


def _controlled(page, live_server) -> None:
    page.goto(f"{live_server.url}/")
    page.wait_for_function("document.documentElement.dataset.app === 'ready'", timeout=WAIT_MS)
    page.wait_for_function("!!navigator.serviceWorker.controller", timeout=WAIT_MS)


def _browse(page, live_server, category: str) -> None:
    """Open a category page online and wait until the worker has saved ahead everything browsed so far."""
    page.goto(f"{live_server.url}/c/{category}")
    page.wait_for_load_state("load")
    page.evaluate("""() => new Promise((resolve) => {
      navigator.serviceWorker.addEventListener('message', (e) => { if (e.data.type === 'ahead-idle') resolve(); });
      navigator.serviceWorker.controller.postMessage({ type: 'AHEAD_IDLE' });
    })""")


def _saved(page) -> dict[str, list[tuple[str, int]]]:
    """What the worker saved ahead: per category, (path, bytes) in the order saved."""
    return page.evaluate("""async () => {
      const cache = await caches.open('lm-ahead-v1');
      const out = {};
      for (const request of await cache.keys()) {
        const r = await cache.match(request);
        const category = r.headers.get('x-lm-category');
        (out[category] = out[category] || []).push([new URL(request.url).pathname, Number(r.headers.get('x-lm-bytes'))]);
      }
      return out;
    }""")


def _demo_category(page) -> tuple[str, list[str]]:
    """A demo category with at least two products, and its product paths."""
    found = page.evaluate("""async () => {
      const items = (await (await fetch('/api/products?limit=100')).json()).items.filter((i) => !i.category.startsWith('bulky'));
      const by = {};
      for (const i of items) (by[i.category] = by[i.category] || []).push('/p/' + encodeURIComponent(i.id));
      return Object.entries(by).find(([, paths]) => paths.length >= 2);
    }""")
    return found[0], found[1]


def test_a_product_never_opened_shows_offline_after_its_category_was_browsed(browser, live_server):
    with page_in_new_context(browser) as page:
        _controlled(page, live_server)
        category, paths = _demo_category(page)
        _browse(page, live_server, category)
        assert sorted(paths) == sorted(p for p, _ in _saved(page)[f"/c/{category}"])
        page.context.set_offline(True)
        page.goto(f"{live_server.url}{paths[-1]}")
        expect(page.locator("main.product h1")).to_be_visible(timeout=WAIT_MS)
        assert "cache" == page.evaluate("document.querySelector('.note[data-kind=saved]') ? 'cache' : 'network'")


def test_with_save_data_on_nothing_is_saved_ahead(browser, live_server):
    with page_in_new_context(browser, extra_http_headers={"Save-Data": "on"}) as page:
        _controlled(page, live_server)
        category, _ = _demo_category(page)
        _browse(page, live_server, category)
        assert {} == _saved(page)
        page.context.set_extra_http_headers({})  # the same shopper with Save-Data off: now it does
        _browse(page, live_server, BULKY[0])
        assert [f"/c/{BULKY[0]}"] == list(_saved(page))


def test_the_budget_per_category_and_in_all_is_respected_oldest_out(browser, live_server):
    with page_in_new_context(browser) as page:
        _controlled(page, live_server)
        first_count = None
        for category in BULKY:
            _browse(page, live_server, category)
            pages = _saved(page)[f"/c/{category}"]
            assert 0 < len(pages) < PER_BULKY  # the category's budget stopped it
            assert sum(b for _, b in pages) <= CATEGORY_BYTES
            first_count = first_count or len(pages)
        saved = _saved(page)
        per_category = {c: sum(b for _, b in pages) for c, pages in saved.items()}
        assert all(bytes_ <= CATEGORY_BYTES for bytes_ in per_category.values())
        assert sum(per_category.values()) <= TOTAL_BYTES
        assert len(saved.get(f"/c/{BULKY[0]}", [])) < first_count  # the oldest pages went first
        assert first_count == len(saved[f"/c/{BULKY[-1]}"])


def test_the_shoppers_own_pages_open_offline_without_a_visit_and_every_order_page_shares_one_shell(browser, live_server):
    with page_in_new_context(browser) as page:
        _controlled(page, live_server)  # only the home page was ever opened
        wanted = ["/returns", "/orders", "/orders/1", "/cart", "/checkout"]
        wait_until(lambda: set(wanted) <= set(page.evaluate(
            "async () => (await (await caches.open('lm-pages-v1')).keys()).map((r) => new URL(r.url).pathname)")),
            "the worker to save the shells")
        page.context.set_offline(True)
        for path, mount in (("/returns", "#lm-returns"), ("/orders/7", "#lm-order"), ("/orders", "#lm-loyalty"),
                            ("/checkout", "#lm-checkout")):
            page.goto(f"{live_server.url}{path}")
            expect(page.locator(mount)).to_be_attached(timeout=WAIT_MS)  # the shell, not the offline page
            assert 0 == page.locator("#lm-saved-box").count(), path
