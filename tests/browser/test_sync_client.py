"""The PWA sync client in a real Chromium: offline changes survive a reload and reach the shopper's other
device through the poke; two tabs of one browser push every mutation exactly once."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import uuid

import pytest
from playwright.sync_api import expect

from catalog.money import format_price as money
from tests.browser_pages import (
    PASSWORD,
    WAIT_MS,
    api,
    in_stock_sku,
    listed_products,
    new_email,
    page_in_new_context,
    sign_in_page,
    sync_ready,
    wait_until,
)
from tests.checkout_pages import check_out
from tests.utils import ADMIN_TOKEN

pytestmark = pytest.mark.browser

def server_view(live_server, token: str) -> dict:
    """The shopper's view as the server holds it (a full pull by a client of the test's own)."""
    pulled = api(live_server, "POST", "/api/sync/pull", {"clientId": f"observer-{uuid.uuid4()}", "cookie": None}, token)
    return {op["key"]: op["value"] for op in pulled["patch"] if op["op"] == "put"}


def server_cart(live_server, token: str) -> dict[str, int]:
    return {v["sku"]: v["qty"] for k, v in server_view(live_server, token).items() if k.startswith("cart/")}


@pytest.fixture(scope="module")
def sku(live_server) -> str:
    return in_stock_sku(live_server)


def page_saved_by_service_worker(page) -> bool:
    return page.evaluate(
        "async () => !!navigator.serviceWorker.controller && !!(await caches.match(location.href, {ignoreVary: true}))"
    )


def test_offline_cart_change_survives_a_reload_and_reaches_the_other_device_through_the_poke(browser, live_server, sku):
    phone, laptop = browser.new_context(), browser.new_context()
    try:
        a, b = phone.new_page(), laptop.new_page()
        email = new_email("offline")
        token = sign_in_page(a, live_server.url, email, create=True)
        sign_in_page(b, live_server.url, email)

        a.goto(f"{live_server.url}/p/{sku}")
        sync_ready(a)
        wait_until(lambda: page_saved_by_service_worker(a), "the service worker to save the product page")
        b.goto(f"{live_server.url}/cart")
        sync_ready(b)
        expect(b.locator("#lm-cart-empty")).to_be_visible()
        b.wait_for_function("window.lastmileSync.source && window.lastmileSync.source.readyState === 1", timeout=WAIT_MS)
        b.evaluate("window.__notReloaded = true")

        phone.set_offline(True)
        a.click("[data-action=cart-add]")
        a.click("[data-action=cart-add]")
        expect(a.locator("#lm-in-cart")).to_have_attribute("data-qty", "2")
        expect(a.locator("#lm-sync-status")).to_have_attribute("data-pending", "2")

        a.reload()  # offline: the service worker serves the page; the cart comes back from IndexedDB
        sync_ready(a)
        expect(a.locator("#lm-in-cart")).to_have_attribute("data-qty", "2")
        expect(a.locator("#lm-sync-status")).to_have_attribute("data-pending", "2")
        expect(a.locator("#lm-cart-count")).to_have_text("2")
        assert {} == server_cart(live_server, token)  # nothing left the offline device

        phone.set_offline(False)
        line = b.locator(f"#lm-cart-lines li[data-sku='{sku}']")
        expect(line).to_have_attribute("data-qty", "2", timeout=WAIT_MS)
        assert b.evaluate("window.__notReloaded === true")
        expect(a.locator("#lm-sync-status")).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
        assert {sku: 2} == server_cart(live_server, token)

        # And back: the laptop sets the quantity; the phone follows without a reload.
        line.locator("[data-action=less]").click()
        expect(a.locator("#lm-in-cart")).to_have_attribute("data-qty", "1", timeout=WAIT_MS)
        wait_until(lambda: server_cart(live_server, token) == {sku: 1}, "the server to hold the laptop's change")
    finally:
        phone.close()
        laptop.close()


def test_two_tabs_push_each_mutation_exactly_once_and_share_one_poke_stream(browser, live_server, sku):
    context = browser.new_context()
    try:
        pushed: list[tuple[int, str]] = []

        def record(request) -> None:
            if request.method == "POST" and request.url.endswith("/api/sync/push"):
                pushed.extend((m["id"], m["name"]) for m in json.loads(request.post_data or "{}").get("mutations", []))

        context.on("request", record)
        first, second = context.new_page(), context.new_page()
        token = sign_in_page(first, live_server.url, new_email("tabs"), create=True)
        for tab in (first, second):
            tab.goto(f"{live_server.url}/p/{sku}")
            sync_ready(tab)

        adds = 8
        for i in range(adds):  # interleaved, without waiting: both tabs allocate ids and push at the same time
            (first if i % 2 == 0 else second).evaluate("document.querySelector('[data-action=cart-add]').click()")
        for tab in (first, second):
            expect(tab.locator("#lm-in-cart")).to_have_attribute("data-qty", str(adds), timeout=WAIT_MS)
            expect(tab.locator("#lm-sync-status")).to_have_attribute("data-pending", "0", timeout=WAIT_MS)

        assert {sku: adds} == server_cart(live_server, token)
        # Every id sent once, by one tab, none twice (the product view, recent.view, is a mutation too).
        assert list(range(1, len(pushed) + 1)) == sorted(i for i, _ in pushed)
        assert adds == sum(name == "cart.add" for _, name in pushed)

        # One poke stream for both tabs; a change from another device still reaches both without a reload.
        listening = "!!(window.lastmileSync.source && window.lastmileSync.source.readyState === 1)"
        wait_until(lambda: [first.evaluate(listening), second.evaluate(listening)].count(True) == 1, "one listening tab")
        leader, follower = (first, second) if first.evaluate(listening) else (second, first)
        other_device = {"clientId": f"tablet-{uuid.uuid4()}", "mutations": [{"id": 1, "name": "cart.setQty", "args": {"sku": sku, "qty": 3}}]}
        api(live_server, "POST", "/api/sync/push", other_device, token)
        for tab in (leader, follower):
            expect(tab.locator("#lm-in-cart")).to_have_attribute("data-qty", "3", timeout=WAIT_MS)
        leader.close()  # the lock, and the stream, pass to the other tab
        follower.wait_for_function(listening, timeout=WAIT_MS)
    finally:
        context.close()


def random_mutations(rng: random.Random, skus: list[str], count: int, now_ms: int) -> list[dict]:
    """A mixed, valid sequence of every mutation the client replays locally."""
    out = []
    for i in range(1, count + 1):
        sku = rng.choice(skus)
        name, args = rng.choice(
            [
                ("cart.add", {"sku": sku, "qty": rng.randint(1, 60)}),  # two big adds hit the cap of 99
                ("cart.add", {"sku": sku, "qty": 1}),
                ("cart.setQty", {"sku": sku, "qty": rng.randint(0, 5)}),
                ("cart.remove", {"sku": sku}),
                ("cart.clear", {}),
                ("wishlist.add", {"sku": sku}),
                ("wishlist.remove", {"sku": sku}),
                ("prefs.set", {"name": rng.choice(["lang", "saveData"]), "value": rng.choice(["en", "fr", True, 3, None])}),
                ("recent.view", {"sku": sku}),
                ("recent.view", {"sku": sku}),
                ("recent.clear", {}),
            ]
        )
        out.append({"id": i, "name": name, "args": args, "at": now_ms + i})
    return out


def test_local_mutators_mirror_the_servers_merge_rules(browser, live_server):
    items = listed_products(live_server)
    skus = [item["id"] for item in items if item["availability"] != "out_of_stock"][:3]
    page = browser.new_page()
    try:
        page.goto(f"{live_server.url}/signin")
        sync_ready(page)
        for seed in range(3):
            email = f"mirror-{seed}-{uuid.uuid4().hex[:8]}@example.com"
            token = api(live_server, "POST", "/api/auth/signup", {"email": email, "password": PASSWORD})["token"]
            mutations = random_mutations(random.Random(seed), skus, 40, int(time.time() * 1000))
            client_id = f"mirror-{uuid.uuid4()}"
            pushed = api(live_server, "POST", "/api/sync/push", {"clientId": client_id, "mutations": mutations}, token)
            assert {"lastMutationId": 40, "errors": []} == pushed
            local = page.evaluate(
                "(ms) => Object.fromEntries(window.lastmileSync.constructor.rebase(new Map(), ms))", mutations
            )
            assert server_view(live_server, token) == local
    finally:
        page.close()


def test_a_rejected_mutation_is_shown_to_the_shopper_and_rolled_back(browser, live_server, sku):
    with page_in_new_context(browser) as page:
        sign_in_page(page, live_server.url, new_email("errors"), create=True)
        page.goto(f"{live_server.url}/p/{sku}")
        sync_ready(page)
        page.evaluate("window.lastmileSync.mutate('cart.add', {sku: 'NO-SUCH-SKU', qty: 1})")
        error = page.locator("#lm-errors [data-code=unknown-sku]")
        expect(error).to_contain_text("NO-SUCH-SKU", timeout=WAIT_MS)
        expect(page.locator("#lm-cart-count")).to_have_text("0")  # the optimistic line is gone after the pull
        expect(page.locator("#lm-sync-status")).to_have_attribute("data-pending", "0")
        error.locator("button").click()
        expect(page.locator("#lm-errors")).to_have_count(0)
        page.reload()  # dismissed for good on this device
        sync_ready(page)
        expect(page.locator("#lm-errors")).to_have_count(0)


def test_background_sync_pushes_an_offline_change_after_the_tab_is_closed(browser, live_server, sku):
    context = browser.new_context()
    try:
        page = context.new_page()
        token = sign_in_page(page, live_server.url, new_email("bgsync"), create=True)
        page.goto(f"{live_server.url}/p/{sku}")
        sync_ready(page)
        assert page.evaluate("async () => 'sync' in (await navigator.serviceWorker.ready)")
        context.set_offline(True)
        page.click("[data-action=cart-add]")
        expect(page.locator("#lm-sync-status")).to_have_attribute("data-pending", "1")
        context.new_page()  # a blank tab keeps the browser context (and its service worker) alive
        page.close()  # no page of the shop is left to push
        assert {} == server_cart(live_server, token)
        context.set_offline(False)
        wait_until(lambda: server_cart(live_server, token) == {sku: 1}, "the service worker's Background Sync push")
    finally:
        context.close()


def test_a_cart_made_before_signing_in_joins_the_account_and_signing_out_forgets_it(browser, live_server, sku):
    with page_in_new_context(browser) as page:
        page.goto(f"{live_server.url}/p/{sku}")
        sync_ready(page)
        expect(page.locator("#lm-signin-link")).to_be_visible()
        page.click("[data-action=cart-add]")
        page.click("[data-action=wishlist]")
        expect(page.locator("#lm-cart-count")).to_have_text("1")
        expect(page.locator("[data-action=wishlist]")).to_have_attribute("aria-pressed", "true")

        email = new_email("anon")
        token = sign_in_page(page, live_server.url, email, create=True)
        wait_until(lambda: server_cart(live_server, token) == {sku: 1}, "the anonymous cart to reach the account")
        assert {"sku": sku} == {"sku": server_view(live_server, token)[f"wishlist/{sku}"]["sku"]}

        page.goto(f"{live_server.url}/cart")
        sync_ready(page)
        expect(page.locator(f"#lm-cart-lines li[data-sku='{sku}']")).to_have_attribute("data-qty", "1")
        page.click("#lm-signout")
        expect(page.locator("#lm-signin-link")).to_be_visible()
        expect(page.locator("#lm-cart-count")).to_have_text("0")
        expect(page.locator("#lm-cart-empty")).to_be_visible()
        assert 0 == page.evaluate("window.lastmileSync.view.size")

        other = sign_in_page(page, live_server.url, new_email("other"), create=True)
        assert {} == server_cart(live_server, other)  # nothing of the first shopper leaks into the second account
        with pytest.raises(urllib.error.HTTPError, match="401"):  # signing out revoked the device's token
            server_cart(live_server, token)
        again = api(live_server, "POST", "/api/auth/login", {"email": email, "password": PASSWORD})["token"]
        assert {sku: 1} == server_cart(live_server, again)


def test_checkout_from_the_cart_page_shows_on_the_orders_and_points_pages(browser, live_server, sku):
    with page_in_new_context(browser) as page:
        token = sign_in_page(page, live_server.url, new_email("orders"), create=True)
        page.goto(f"{live_server.url}/p/{sku}")
        sync_ready(page)
        page.click("[data-action=cart-add]")
        # Recorded first (data-pending was 0 before the click too): a page left before its IndexedDB write
        # commits loses the change, which CI's loaded machine once showed as an empty cart.
        expect(page.locator("#lm-in-cart")).to_have_attribute("data-qty", "1", timeout=WAIT_MS)
        expect(page.locator("#lm-sync-status")).to_have_attribute("data-pending", "0", timeout=WAIT_MS)
        page.goto(f"{live_server.url}/cart")
        sync_ready(page)
        expect(page.locator("#lm-cart-total")).to_contain_text("Total")
        order_id = check_out(page, live_server, payment="cod")  # pwa/checkout.js: the server empties the synced cart
        assert [f"orders/{order_id}"] == [k for k in server_view(live_server, token) if k.startswith("orders/")]
        page.goto(f"{live_server.url}/cart")
        sync_ready(page)
        expect(page.locator("#lm-cart-empty")).to_be_visible(timeout=WAIT_MS)

        page.goto(f"{live_server.url}/orders")
        sync_ready(page)
        row = page.locator(f"#lm-orders li[data-order='{order_id}']")
        expect(row).to_contain_text("Awaiting cash on delivery")  # its last step reached, in the shopper's words
        api(live_server, "POST", f"/api/admin/orders/{order_id}/status", {"status": "fulfilled"}, ADMIN_TOKEN)
        expect(row).to_contain_text("Shipped", timeout=WAIT_MS)  # through the poke, no reload; not yet delivered
        api(live_server, "POST", f"/api/admin/orders/{order_id}/delivered", {}, ADMIN_TOKEN)
        expect(row).to_contain_text("Delivered", timeout=WAIT_MS)

        page.goto(f"{live_server.url}/points")
        sync_ready(page)
        expect(page.locator("#lm-tier")).to_be_visible()


def test_an_offline_cart_names_and_prices_lines_it_has_seen_and_says_which_it_cannot(browser, live_server):
    items = listed_products(live_server)
    shown, never_shown = [item for item in items if item["availability"] != "out_of_stock"][:2]
    with page_in_new_context(browser) as page:
        for path in ("/cart", f"/p/{shown['id']}"):  # both saved by the worker; no product JSON fetched yet
            page.goto(f"{live_server.url}{path}")
            sync_ready(page)
            wait_until(lambda: page_saved_by_service_worker(page), f"the service worker to save {path}")
        page.context.set_offline(True)
        page.click("[data-action=cart-add]")
        expect(page.locator("#lm-in-cart")).to_have_attribute("data-qty", "1", timeout=WAIT_MS)  # recorded
        page.goto(f"{live_server.url}/cart")
        sync_ready(page)
        line = page.locator(f"#lm-cart-lines li[data-sku='{shown['id']}']")
        expect(line.locator(".name")).to_have_text(shown["name"])
        expect(line.locator(".line-total")).to_have_text(money(shown["price"], shown["currency"]))
        expect(page.locator("#lm-cart-total")).to_have_attribute("data-unpriced", "0")

        page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(never_shown['id'])}, qty: 2}})")
        other = page.locator(f"#lm-cart-lines li[data-sku='{never_shown['id']}']")
        expect(other.locator(".unpriced")).to_have_text("Name and price not available offline")
        expect(page.locator("#lm-cart-total")).to_have_attribute("data-unpriced", "2")
        expect(page.locator("#lm-cart-unpriced")).to_have_text(" + 2 item(s) whose price is not available offline")
        expect(page.locator("#lm-cart-total")).to_contain_text(money(shown["price"], shown["currency"]))
