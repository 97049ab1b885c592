"""Returns and reviews in a real Chromium: a return asked for offline from /returns is pushed once the device is back
and its status follows the operator's moves; a product page loads its reviews only after first paint, and a shopper
whose order was delivered publishes one there. Both pass axe-core with their content drawn."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser_pages import WAIT_MS, api, in_stock_sku, page_in_new_context, sign_up_in_page
from tests.utils import ADMIN_TOKEN

pytestmark = pytest.mark.browser


def delivered_order(page, live_server) -> tuple[str, int, str]:
    """Sign a shopper up in the page, check out one product through the API and deliver it: (token, order, sku)."""
    token = sign_up_in_page(page, live_server.url, "returns").token
    sku = in_stock_sku(live_server)
    page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(sku)}, qty: 1}})")
    page.wait_for_function("window.lastmileSync.pending.length === 0", timeout=WAIT_MS)
    order = api(live_server, "POST", "/api/orders", {}, token=token, headers={"idempotency-key": uuid.uuid4().hex})
    for status in ("paid", "fulfilled"):
        api(live_server, "POST", f"/api/admin/orders/{order['id']}/status", {"status": status}, token=ADMIN_TOKEN)
    api(live_server, "POST", f"/api/admin/orders/{order['id']}/delivered", {}, token=ADMIN_TOKEN)  # the carrier's word
    return token, order["id"], sku


def test_a_return_asked_for_offline_is_applied_once_back_online_and_follows_the_operator(browser, live_server):
    with page_in_new_context(browser) as page:
        token, order_id, sku = delivered_order(page, live_server)
        page.goto(f"{live_server.url}/returns")
        page.wait_for_function("document.documentElement.dataset.returns === 'ready'", timeout=WAIT_MS)
        form = page.locator(f"#lm-returnable form[data-order='{order_id}']")
        expect(form).to_be_visible(timeout=WAIT_MS)
        expect(form).to_contain_text("Return shipping")
        assert [] == serious_violations(page)

        page.context.set_offline(True)
        form.locator("button[type=submit]").click()
        expect(page.locator("#lm-returns-waiting")).to_be_visible(timeout=WAIT_MS)
        listed = api(live_server, "GET", "/api/admin/returns", token=ADMIN_TOKEN)["items"]
        assert [] == [item for item in listed if item["return"]["orderId"] == order_id]  # still on the device

        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        item = page.locator("#lm-return-list li[data-return]")
        expect(item).to_contain_text(f"order #{order_id}", timeout=WAIT_MS)
        expect(item.locator(".lm-status")).to_have_text("requested", timeout=WAIT_MS)
        expect(page.locator("#lm-returns-waiting")).to_have_count(0, timeout=WAIT_MS)
        mine = [i for i in api(live_server, "GET", "/api/admin/returns", token=ADMIN_TOKEN)["items"]
                if i["return"]["orderId"] == order_id]
        assert [[sku]] == [[line["sku"] for line in i["return"]["lines"]] for i in mine]  # applied once

        return_id = mine[0]["return"]["id"]
        api(live_server, "POST", f"/api/admin/returns/{return_id}/status", {"status": "approved"}, token=ADMIN_TOKEN)
        expect(item.locator(".lm-status")).to_have_text("approved", timeout=WAIT_MS)  # poked, pulled, drawn
        assert [] == serious_violations(page)


def test_the_product_page_loads_reviews_after_first_paint_and_a_buyer_publishes_one(browser, live_server):
    with page_in_new_context(browser) as page:
        _, _, sku = delivered_order(page, live_server)
        review_requests = []
        page.on("request", lambda r: review_requests.append(r.url) if "/api/" in r.url and "/reviews" in r.url else None)
        response = page.goto(f"{live_server.url}/p/{sku}")
        assert "lm-reviews" not in response.text() and "/reviews" not in response.text()  # first flight unchanged
        page.wait_for_function("document.documentElement.dataset.reviews !== undefined", timeout=WAIT_MS)
        page.locator("#lm-reviews").scroll_into_view_if_needed()
        expect(page.locator("#lm-rating")).not_to_have_text("Loading reviews…", timeout=WAIT_MS)
        assert [f"/api/products/{sku}/reviews?limit=10"] == [url.removeprefix(live_server.url) for url in review_requests]

        form = page.locator("#lm-review-form")
        expect(form).to_be_visible(timeout=WAIT_MS)
        form.locator("select[name=rating]").select_option("4")
        form.locator("textarea[name=text]").fill("Arrived quickly and tastes right.")
        form.locator("input[name=displayName]").fill("Mei")
        form.locator("button[type=submit]").click()
        expect(page.locator("#lm-review-status")).to_contain_text("published", timeout=WAIT_MS)
        first = page.locator("#lm-review-list li").first
        expect(first).to_contain_text("Arrived quickly and tastes right.")
        expect(first).to_contain_text("Mei")
        assert [] == serious_violations(page)

        page.reload()
        page.locator("#lm-reviews").scroll_into_view_if_needed()
        expect(page.locator("#lm-rating")).to_contain_text("Rated 4.0 out of 5", timeout=WAIT_MS)
        assert "@" not in page.inner_text("#lm-review-list")
        # Back later, the form holds the review so far, to rewrite.
        expect(page.locator("#lm-review-form textarea[name=text]")).to_have_value("Arrived quickly and tastes right.",
                                                                                 timeout=WAIT_MS)

        # A product never delivered to this shopper offers no form, and says why.
        other = next(i["id"] for i in api(live_server, "GET", "/api/products?limit=50")["items"] if i["id"] != sku)
        page.goto(f"{live_server.url}/p/{other}")
        page.locator("#lm-reviews").scroll_into_view_if_needed()
        expect(page.locator("#lm-review-not-yet")).to_have_text("You can review a product once it has been delivered "
                                                                 "to you.", timeout=WAIT_MS)
        assert 0 == page.locator("#lm-review-form").count()
