"""Every shop page holds on a phone: no horizontal overflow from 320 to 430 px, signed in or out, in en and zh-CN,
with every header item there (the secondary ones in the menu), including the notifications opt-in and the
unsynced count that once widened the signed-in header to 414-511 px."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

from tests.browser_pages import listed_products, page_in_new_context, sign_up_in_page, sync_ready, wrong_on_each_page


pytestmark = pytest.mark.browser
WIDTHS = (320, 390, 430)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WAIT_MS = 30_000  # the machine is shared: under load a page may take a while to start its features
# Always in the bar itself / in the menu whatever the state / in the menu by state.
BAR = (".brand", "#lm-q", "#lm-cart-link", ".lm-menu > summary")
MENU = ("#lm-points-link", "#lm-mall-link", "#lm-orders-link", "#lm-privacy-link")
SIGNED_OUT = ("#lm-signin-link",)
SIGNED_IN = ("#lm-signout", "#lm-sync-status", "#lm-push-optin")

UNSYNCED = "Number(document.querySelector('#lm-sync-status')?.dataset.pending) > 0"
BADGE = ("document.querySelector('#lm-menu-badge').textContent"
         " === document.querySelector('#lm-sync-status').dataset.pending")
# What the sync client and the header hold, for a failure message.
STATE = """() => ({
  pending: document.querySelector('#lm-sync-status')?.dataset.pending,
  badge: document.querySelector('#lm-menu-badge')?.textContent,
  queued: window.lastmileSync?.pending.map((m) => `${m.id}:${m.name}`),
  signedIn: window.lastmileSync?.signedIn,
})"""
# The page's width against the viewport's, and each named element's box (null when it is not rendered).
MEASURE = """(selectors) => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  boxes: Object.fromEntries(selectors.map((s) => {
    const node = document.querySelector(s);
    const r = node && node.getClientRects().length ? node.getBoundingClientRect() : null;
    return [s, r && { left: Math.floor(r.left), right: Math.ceil(r.right), width: Math.round(r.width) }];
  })),
})"""


@pytest.fixture(scope="module")
def shop_paths(live_server) -> list[str]:
    """Every kind of page a shopper is served, the error pages and a search included."""
    item = listed_products(live_server, limit=5)[0]
    word = item["name"].split()[0]
    return ["/", f"/c/{item['category']}", f"/p/{item['id']}", f"/?q={urllib.parse.quote(word)}", "/cart", "/signin",
            "/points", "/mall", "/orders", "/checkout", "/orders/1", "/returns", "/offline", "/privacy", "/unsubscribe",
            "/p/NO-SUCH-THING", "/no/such/page", "/?q=" + "long " * 50,
            "/?cursor=forged"]


def _signed_in_with_a_change_waiting(browser, live_server, sku: str, locale: str):
    """A phone signed in whose cart change cannot reach the server (no push can start): the header shows the
    unsynced count on every page, and the notifications opt-in (permission not asked yet)."""
    context = browser.new_context(**PHONE, locale=locale)
    page = context.new_page()
    sign_up_in_page(page, live_server.url, "phone", timeout=WAIT_MS)
    # Nothing can push: tabs and the service worker take turns on one Web Lock (pwa/sync-store.js PUSH_LOCK),
    # and a page of the context holds it for the context's life. (Failing the pushes with a context route is
    # not enough: the worker's Background Sync requests are not routed, and once in a few runs they got through.)
    holder = context.new_page()
    holder.goto(f"{live_server.url}/offline")
    holder.evaluate("""() => new Promise((held) => {
      navigator.locks.request("lastmile-push", () => { held(); return new Promise(() => {}); });
    })""")
    page.goto(f"{live_server.url}/p/{sku}")
    sync_ready(page, WAIT_MS)
    page.click("[data-action=cart-add]")
    page.wait_for_function(UNSYNCED, timeout=WAIT_MS)
    page.close()
    return context


def _wait_for_the_unsynced_count(page, path: str) -> None:
    """Wait until the header and the menu's badge show the waiting change; on a timeout, say what the page had."""
    try:
        page.wait_for_function(UNSYNCED + " && " + BADGE, timeout=WAIT_MS)
    except PlaywrightTimeout:
        state = page.evaluate(STATE)
        raise AssertionError(f"{path}: the unsynced count never showed; the page had {state}") from None


def _overflow(page, selectors, width: int) -> list[str]:
    """What is wrong at this width: the page wider than the screen, or a named element missing or off screen."""
    page.set_viewport_size({"width": width, "height": 844})
    facts = page.evaluate(MEASURE, list(selectors))
    wrong = []
    if facts["scrollWidth"] > facts["innerWidth"]:
        wrong.append(f"{width}px: page is {facts['scrollWidth']}px wide")
    for selector, box in facts["boxes"].items():
        if box is None:
            wrong.append(f"{width}px: {selector} not shown")
        elif box["left"] < 0 or box["right"] > width:
            wrong.append(f"{width}px: {selector} spans {box['left']}..{box['right']}")
    return wrong


def _check_page(page, state_items) -> list[str]:
    """Every width with the menu closed (the bar) and open (the bar and the menu's items)."""
    wrong = []
    for width in WIDTHS:
        wrong += _overflow(page, BAR, width)
        search = page.evaluate("document.querySelector('#lm-q').getBoundingClientRect().width")
        if search < width * 0.6:
            wrong.append(f"{width}px: the search box collapsed to {search:.0f}px")
        page.click(".lm-menu > summary")
        wrong += _overflow(page, BAR + MENU + state_items, width)
        page.keyboard.press("Escape")
        if page.evaluate("document.querySelector('.lm-menu').open"):
            wrong.append(f"{width}px: Escape left the menu open")
    return wrong


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_every_page_fits_a_phone_with_every_header_item(browser, live_server, shop_paths, signed_in, locale):
    sku = shop_paths[2].removeprefix("/p/")
    context = (_signed_in_with_a_change_waiting(browser, live_server, sku, locale) if signed_in
               else browser.new_context(**PHONE, locale=locale))

    def check(page, path: str) -> list[str]:
        page.wait_for_function("document.documentElement.dataset.app === 'ready'", timeout=WAIT_MS)
        if signed_in:
            # At least the cart change (product pages also queue a recent.view), on the closed menu too.
            _wait_for_the_unsynced_count(page, path)
            page.wait_for_selector("#lm-push-optin", state="attached", timeout=WAIT_MS)
        return _check_page(page, SIGNED_IN if signed_in else SIGNED_OUT)

    try:
        assert {} == wrong_on_each_page(context, live_server.url, shop_paths, check)
    finally:
        context.close()


def test_the_menu_works_from_the_keyboard_and_shows_inline_on_a_wide_screen(browser, live_server):
    with page_in_new_context(browser, **PHONE) as page:
        page.goto(f"{live_server.url}/")
        page.wait_for_function("document.documentElement.dataset.app === 'ready'", timeout=WAIT_MS)
        expect(page.locator("#lm-signin-link")).to_be_hidden()
        page.focus(".lm-menu > summary")
        page.keyboard.press("Enter")
        expect(page.locator("#lm-signin-link")).to_be_visible()
        page.keyboard.press("Tab")
        assert "lm-signin-link" == page.evaluate("document.activeElement.id")
        page.keyboard.press("Escape")
        expect(page.locator("#lm-signin-link")).to_be_hidden()
        assert "SUMMARY" == page.evaluate("document.activeElement.tagName")
        page.click(".lm-menu > summary")
        page.click("main h1")  # a tap elsewhere closes it
        expect(page.locator("#lm-signin-link")).to_be_hidden()

        page.set_viewport_size({"width": 1280, "height": 800})
        expect(page.locator("#lm-signin-link")).to_be_visible()
        expect(page.locator(".lm-menu > summary")).to_be_hidden()
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_without_script_the_header_still_has_search_cart_and_a_menu_that_opens(browser, live_server):
    with page_in_new_context(browser, **PHONE, java_script_enabled=False) as page:
        page.goto(f"{live_server.url}/")
        expect(page.locator("#lm-cart-link")).to_have_attribute("href", "/cart")
        page.click(".lm-menu > summary")
        for selector in SIGNED_OUT + MENU:
            expect(page.locator(selector)).to_be_visible()
        page.fill("#lm-q", "tea")
        page.press("#lm-q", "Enter")
        page.wait_for_url("**/?q=tea")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
