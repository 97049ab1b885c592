"""Every shop page passes axe-core's WCAG 2 A/AA rules with no serious or critical violation, signed in or out."""

from __future__ import annotations

import pytest

from tests.browser.axe import serious_violations
from tests.browser_pages import WAIT_MS, listed_products, sign_up_in_page, wrong_on_each_page

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def shop_paths(live_server) -> list[str]:
    """One of each kind of page: home, a category, a product, the PWA's client pages, the offline page, the email's
    unsubscribe page (its bad-link page: the live server's keys are its own), and an address nothing is at."""
    item = listed_products(live_server, limit=5)[0]
    return ["/", f"/c/{item['category']}", f"/p/{item['id']}", "/cart", "/signin", "/points", "/mall",
            "/orders", "/returns", "/checkout", "/orders/1", "/offline", "/privacy", "/unsubscribe?token=0",
            "/no-such-page"]


def _settle(page) -> None:
    """Wait until every feature has started (pages without the sync client are ready at load), then open the
    header menu, so its items (sign in/out, the notifications opt-in, ...) are checked too."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "!document.querySelector('[data-lm-mount]') || document.documentElement.dataset.sync !== undefined",
        timeout=WAIT_MS,
    )
    page.wait_for_function("document.documentElement.dataset.app === 'ready'", timeout=WAIT_MS)
    page.evaluate("document.querySelector('header .lm-menu').open = true")


def _violations(page, path: str) -> list:
    _settle(page)
    return serious_violations(page)


def _signed_in_context(browser, live_server):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_up_in_page(page, live_server.url, "axe")
    page.close()
    return context


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_every_page_has_no_serious_accessibility_violation(browser, live_server, shop_paths, signed_in):
    context = _signed_in_context(browser, live_server) if signed_in else browser.new_context(**PHONE)
    try:
        assert {} == wrong_on_each_page(context, live_server.url, shop_paths, _violations)
    finally:
        context.close()


def test_the_checker_reports_a_page_that_breaks_the_rules(browser):
    """The check itself works: an image without a text alternative in a page without a language fails."""
    page = browser.new_page()
    try:
        page.set_content("<html><body><img src='data:,'><a href='#'></a></body></html>")
        assert {"image-alt", "link-name"} <= {violation["id"] for violation in serious_violations(page)}
    finally:
        page.close()


def test_a_zh_cn_browser_gets_every_page_in_chinese_and_still_passes(browser, live_server, shop_paths):
    context = browser.new_context(**PHONE, locale="zh-CN")
    try:
        found, langs = {}, {}
        for path in shop_paths:
            page = context.new_page()
            page.goto(f"{live_server.url}{path}")
            _settle(page)
            langs[path] = page.evaluate("document.documentElement.lang")
            violations = serious_violations(page)
            if violations:
                found[path] = violations
            if path.startswith("/p/"):
                # The PWA's own texts follow the page: the button the sync client draws is in Chinese too.
                page.wait_for_selector("[data-action=cart-add]", timeout=WAIT_MS)
                assert page.inner_text("[data-action=cart-add]") in ("加入购物车", "已售罄")
                assert "全部商品" in page.inner_text("nav.crumbs")
            page.close()
        assert {path: "zh-CN" for path in shop_paths} == langs
        assert {} == found
        # The footer's language link switches this device to English (cookie), and the page comes back in English.
        page = context.new_page()
        page.goto(f"{live_server.url}/cart")
        _settle(page)
        page.click("footer a[data-locale=en]")
        page.wait_for_function("document.documentElement.lang === 'en'", timeout=WAIT_MS)
        page.wait_for_selector("#lm-cart h1", timeout=WAIT_MS)
        assert "Your cart" == page.inner_text("#lm-cart h1")
        assert any(c["name"] == "lm_locale" and c["value"] == "en" for c in context.cookies())
    finally:
        context.close()


def test_the_retention_emails_html_passes_axe_in_both_languages(browser):
    # The HTML part as a mail client gets it (no live server: set_content), in each language the library speaks.
    from retention import template_library
    from retention.config import RetentionConfig
    from retention.email_channel import render
    from retention.templates import choose
    from server.push_runtime import email_text

    config = RetentionConfig(email=True, public_url="https://shop.example", email_text=email_text)
    page = browser.new_page()
    try:
        for locale in ("en", "zh-CN"):
            template = choose(template_library.built_in("cart_abandoned"), locale, "en")
            email = render(template, {"items": "2"}, config=config, unsubscribe_url="https://shop.example/unsubscribe?token=1.x")
            page.set_content(email.html)
            assert (locale, []) == (page.get_attribute("html", "lang"), serious_violations(page))
    finally:
        page.close()
