"""Helper shared by the browser tests that buy something: check a signed-in page's cart out through the PWA."""

from __future__ import annotations

import re

HOME = "{id: 'home', name: 'Test Shopper', line1: '1 Test Street', city: 'Lisbon', country: 'PT'}"


def check_out(page, live_server, *, payment: str = "card", wait_ms: int = 15_000) -> int:
    """From /cart through /checkout (an address saved first if the book is empty, standard delivery, the review
    step) to the placed order's page; its id."""
    if not page.evaluate("window.lastmileSync.entries('addresses/').length"):
        page.evaluate(f"window.lastmileSync.mutate('address.put', {HOME})")
    page.goto(f"{live_server.url}/cart")
    page.click("#lm-checkout-link", timeout=wait_ms)
    page.wait_for_function("document.documentElement.dataset.checkout === 'ready'", timeout=wait_ms)
    page.wait_for_selector("#lm-address-list input[type=radio]:checked", timeout=wait_ms)
    page.check(f"#lm-pay-{payment}")
    page.click("#lm-review")
    page.wait_for_selector("#lm-checkout-review:not([hidden])", timeout=wait_ms)
    page.click("#lm-place-order")
    page.wait_for_url(re.compile(r".*/orders/\d+$"), timeout=wait_ms)
    return int(page.url.rsplit("/", 1)[1])
