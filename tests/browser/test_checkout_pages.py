"""Checkout in a real Chromium: an address added to the synced book, delivery and payment chosen, a declined card,
the review step, Place order, then the order's timeline following the operators' moves live; offline, Place order
is refused with a message while the cart stays editable; the pages pass axe-core."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser_pages import WAIT_MS, api, in_stock_sku, page_in_new_context, sign_up_in_page
from tests.utils import ADMIN_TOKEN

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sku(live_server) -> str:
    return in_stock_sku(live_server)


def open_checkout(page, live_server) -> None:
    page.goto(f"{live_server.url}/cart")
    page.click("#lm-checkout-link", timeout=WAIT_MS)
    page.wait_for_url("**/checkout")
    page.wait_for_function("document.documentElement.dataset.checkout === 'ready'", timeout=WAIT_MS)


def test_checkout_with_a_review_step_then_the_timeline_follows_the_operator(browser, live_server, sku):
    with page_in_new_context(browser, viewport={"width": 390, "height": 844}) as page:
        token = sign_up_in_page(page, live_server.url, "buyer").token
        page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(sku)}, qty: 2}})")
        open_checkout(page, live_server)

        # The address book is empty: add an address (a sync mutation), which is then chosen.
        expect(page.locator("#lm-address-none")).to_be_visible(timeout=WAIT_MS)
        page.click("#lm-address-add")
        form = page.locator("#lm-address-form")
        for name, value in {"name": "Mei Chen", "line1": "88 Century Avenue", "city": "Shanghai", "postcode": "200120",
                            "country": "cn", "phone": "+86 21 5555 0000"}.items():
            form.locator(f"input[name={name}]").fill(value)
        form.locator("button[type=submit]").click()
        expect(page.locator("#lm-address-list input[type=radio]:checked")).to_have_count(1, timeout=WAIT_MS)
        assert "Mei Chen" in page.inner_text("#lm-address-list")

        # Delivery options come priced by the server; express is chosen.
        expect(page.locator("[data-delivery=express] label")).to_contain_text("—", timeout=WAIT_MS)
        page.check("#lm-delivery-express")
        quote = api(live_server, "POST", "/api/checkout/quote", {"delivery": "express"}, token)

        # A declined test card: nothing is ordered, the shopper is told and can choose again.
        page.select_option("#lm-card-token", "tok_test_decline")
        page.wait_for_function("document.querySelector('[data-delivery=express] input').checked", timeout=WAIT_MS)
        page.click("#lm-review")
        expect(page.locator("#lm-checkout-review")).to_be_visible(timeout=WAIT_MS)
        page.click("#lm-place-order")
        expect(page.locator("#lm-checkout-message")).to_contain_text("declined", timeout=WAIT_MS)
        assert [] == api(live_server, "GET", "/api/orders", token=token)["items"]

        # The review step shows lines, address, delivery, payment, points and the total before placing.
        page.select_option("#lm-card-token", "tok_test_approve")
        page.click("#lm-review")
        review = page.locator("#lm-checkout-review")
        expect(review).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("#lm-review-lines li")).to_have_count(1)
        expect(page.locator(f"#lm-review-lines li[data-sku='{sku}']")).to_contain_text("× 2")
        expect(review).to_contain_text("Mei Chen")
        expect(review).to_contain_text("Delivery: Express")
        expect(page.locator("#lm-review-payment")).to_contain_text("Card")
        expect(page.locator("#lm-review-points")).to_contain_text(str(quote["pointsToEarn"]))
        shown_total = page.inner_text("#lm-review-total")
        assert shown_total.strip()
        assert [] == serious_violations(page)

        page.click("#lm-place-order")
        page.wait_for_url("**/orders/*", timeout=WAIT_MS)
        page.wait_for_function("document.documentElement.dataset.checkout === 'ready'", timeout=WAIT_MS)
        orders = api(live_server, "GET", "/api/orders", token=token)["items"]
        assert 1 == len(orders)
        order_id = orders[0]["id"]
        assert page.url.endswith(f"/orders/{order_id}")
        assert quote["total"] == orders[0]["total"]
        timeline = page.locator("#lm-timeline")
        expect(timeline.locator("li[data-step=paid]")).to_have_attribute("data-done", "true", timeout=WAIT_MS)
        expect(timeline.locator("li[data-step=shipped]")).to_have_attribute("data-done", "false")
        expect(page.locator("#lm-order-total")).to_have_text(shown_total, timeout=WAIT_MS)
        expect(page.locator("#lm-order-details")).to_contain_text("Mei Chen")
        expect(page.locator("#lm-order-details")).to_contain_text("Delivery: Express")
        expect(page.locator("#lm-order-details")).to_contain_text("Pay by: Card")
        # The totals read as rows: each amount on its label's line, at the right (as on the review step).
        # (both boxes in one evaluation: the page redraws the order on each view change, so a node located for one
        # measurement can be detached before the next, and bounding_box() then answers None)
        label, amount = page.evaluate("""() => ["dt", "dd"].map((tag) => {
          const r = document.querySelector(`#lm-order-details dl ${tag}.lm-total`).getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width };
        })""")
        assert abs(label["y"] - amount["y"]) < 2 and amount["x"] > label["x"] + label["width"], (label, amount)
        assert [] == serious_violations(page)

        # Operators move the order; the open page follows through the poke, with no reload.
        api(live_server, "POST", f"/api/admin/orders/{order_id}/status", {"status": "fulfilled"}, ADMIN_TOKEN)
        expect(timeline.locator("li[data-step=shipped]")).to_have_attribute("data-done", "true", timeout=WAIT_MS)
        expect(timeline.locator("li[data-step=shipped] time")).to_be_visible()
        api(live_server, "POST", f"/api/admin/orders/{order_id}/delivered", {}, ADMIN_TOKEN)
        expect(timeline.locator("li[data-step=delivered]")).to_have_attribute("data-done", "true", timeout=WAIT_MS)

        # The orders list links to the order.
        page.goto(f"{live_server.url}/orders")
        page.click(f"#lm-orders li[data-order='{order_id}'] a", timeout=WAIT_MS)
        page.wait_for_url(f"**/orders/{order_id}")


def test_offline_place_order_is_refused_with_a_message_and_the_cart_stays_editable(browser, live_server, sku):
    with page_in_new_context(browser) as page:
        sign_up_in_page(page, live_server.url, "buyer")
        page.evaluate(
            "window.lastmileSync.mutate('address.put', {id: 'home', name: 'Ana Lima', line1: '1 Harbour Road',"
            " city: 'Lisbon', country: 'PT'})"
        )
        page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(sku)}, qty: 1}})")
        open_checkout(page, live_server)
        expect(page.locator("[data-delivery=standard] label")).to_contain_text("—", timeout=WAIT_MS)
        page.click("#lm-review")
        expect(page.locator("#lm-place-order")).to_be_enabled(timeout=WAIT_MS)

        page.context.set_offline(True)
        page.evaluate("window.dispatchEvent(new Event('offline'))")
        expect(page.locator("#lm-place-order")).to_be_disabled(timeout=WAIT_MS)
        message = page.locator("#lm-checkout-offline")
        expect(message).to_be_visible()
        expect(message).to_contain_text("offline")
        page.locator("#lm-place-order").click(force=True)             # a click on the disabled button does nothing
        assert 1 == page.evaluate("window.lastmileSync.cartCount()")

        # The cart is still editable offline: the change waits in the queue.
        page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(sku)}, qty: 1}})")
        expect(page.locator("#lm-cart-count")).to_have_text("2", timeout=WAIT_MS)
        assert page.evaluate("window.lastmileSync.pending.length") >= 1

        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        expect(message).to_be_hidden(timeout=WAIT_MS)
        expect(page.locator("#lm-place-order")).to_be_enabled(timeout=WAIT_MS)
        expect(page.locator(f"#lm-review-lines li[data-sku='{sku}']")).to_contain_text("× 2", timeout=WAIT_MS)


def test_in_chinese_a_pickup_order_names_its_point_on_review_and_order_and_passes_axe(browser, live_server, sku):
    with page_in_new_context(browser, locale="zh-CN", viewport={"width": 390, "height": 844}) as page:
        token = sign_up_in_page(page, live_server.url, "buyer").token
        page.evaluate(f"window.lastmileSync.mutate('cart.add', {{sku: {json.dumps(sku)}, qty: 1}})")
        open_checkout(page, live_server)
        page.click("#lm-address-add")
        expect(page.locator("#lm-address-form")).to_be_visible()
        assert "收货地址" in page.inner_text("#lm-checkout")
        assert [] == serious_violations(page)
        page.click("#lm-address-form button[type=button]")  # cancel: the address comes from another device
        page.evaluate("window.lastmileSync.mutate('address.put', {id: 'home', name: 'Ana Lima', line1: '1 Harbour Road',"
                      " city: 'Lisbon', country: 'PT'})")

        # Pickup: the shop's points are listed, none chosen for the shopper; the review step waits for one.
        page.check("#lm-delivery-pickup")
        points = page.locator("#lm-pickup-points input[type=radio]")
        expect(points).to_have_count(3, timeout=WAIT_MS)
        assert 0 == page.locator("#lm-pickup-points input:checked").count()
        page.click("#lm-review")
        expect(page.locator("#lm-checkout-message")).to_contain_text("请选择一个取件的自提点", timeout=WAIT_MS)
        page.check("#lm-pickup-eur-university")
        page.click("#lm-review")
        expect(page.locator("#lm-review-pickup")).to_contain_text("大学图书馆自提柜", timeout=WAIT_MS)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert [] == serious_violations(page)

        page.click("#lm-place-order")
        page.wait_for_url("**/orders/*", timeout=WAIT_MS)
        (order,) = api(live_server, "GET", "/api/orders", token=token)["items"]
        assert "eur-university" == api(live_server, "GET", f"/api/orders/{order['id']}", token=token)["pickupPoint"]
        expect(page.locator("#lm-order-pickup")).to_contain_text("校园路 5 号", timeout=WAIT_MS)
        assert [] == serious_violations(page)
