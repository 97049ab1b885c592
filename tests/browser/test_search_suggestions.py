"""Search suggestions in the header's search box: typed, chosen with the keyboard or a tap, in en and zh-CN, an
accessible combobox, and the plain search form offline."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import expect

from tests.browser.axe import serious_violations
from tests.browser_pages import listed_products, page_in_new_context

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
WAIT_MS = 15_000


@pytest.fixture(scope="module")
def product(live_server) -> dict:
    """A product, the first few letters of its name's first word as a shopper would start typing it, and the
    letter after them."""
    item = listed_products(live_server, limit=5)[0]
    word = item["name"].split()[0].lower()
    return {**item, "typed": word[:4], "next": word[4:5] or " "}


def _open_home(page, live_server):
    page.goto(f"{live_server.url}/")
    page.wait_for_function("document.documentElement.dataset.app === 'ready'", timeout=WAIT_MS)


def _type(page, text: str) -> None:
    page.click("#lm-q")
    page.keyboard.type(text, delay=40)


def test_typing_offers_suggestions_and_the_keyboard_chooses_a_product(browser, live_server, product):
    with page_in_new_context(browser, **PHONE) as page:
        _open_home(page, live_server)
        box = page.locator("#lm-q")
        expect(box).to_have_attribute("role", "combobox")
        expect(box).to_have_attribute("aria-expanded", "false")
        _type(page, product["typed"])
        listbox = page.locator("#lm-suggest[role=listbox]")
        expect(listbox).to_be_visible(timeout=WAIT_MS)
        expect(box).to_have_attribute("aria-expanded", "true")
        expect(box).to_have_attribute("aria-controls", "lm-suggest")
        wanted = listbox.locator(f"[role=option][data-sku='{product['id']}']")
        expect(wanted).to_have_text(f"{product['name']}Product")
        assert [] == serious_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

        # Down to the product: aria-activedescendant follows, aria-selected marks it.
        options = listbox.locator("[role=option]")
        index = [options.nth(i).get_attribute("data-sku") for i in range(options.count())].index(product["id"])
        for _ in range(index + 1):
            page.keyboard.press("ArrowDown")
        option_id = wanted.get_attribute("id")
        expect(box).to_have_attribute("aria-activedescendant", option_id)
        expect(wanted).to_have_attribute("aria-selected", "true")
        page.keyboard.press("Escape")
        expect(listbox).to_be_hidden()
        expect(box).to_have_attribute("aria-expanded", "false")
        assert None is box.get_attribute("aria-activedescendant")

        page.keyboard.type(product["next"], delay=40)  # one more letter: the list is back
        expect(wanted).to_be_visible(timeout=WAIT_MS)
        index = [options.nth(i).get_attribute("data-sku") for i in range(options.count())].index(product["id"])
        for _ in range(index + 1):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/p/{urllib.parse.quote(product['id'])}", timeout=WAIT_MS)
        expect(page.locator("main h1")).to_have_text(product["name"])


def test_tapping_a_word_suggestion_searches_for_it(browser, live_server, product):
    with page_in_new_context(browser, **PHONE) as page:
        _open_home(page, live_server)
        _type(page, product["typed"])
        term = page.locator("#lm-suggest [role=option]:not([data-sku])").first
        expect(term).to_be_visible(timeout=WAIT_MS)
        word = term.inner_text()
        assert word.startswith(product["typed"])
        term.click()
        page.wait_for_url(f"**/?q={urllib.parse.quote_plus(word)}", timeout=WAIT_MS)
        expect(page.locator("#lm-q")).to_have_value(word)


def test_suggestions_speak_chinese_on_a_chinese_page(browser, live_server, product):
    with page_in_new_context(browser, **PHONE, locale="zh-CN") as page:
        _open_home(page, live_server)
        _type(page, product["typed"])
        listbox = page.locator("#lm-suggest")
        expect(listbox).to_have_attribute("aria-label", "搜索建议", timeout=WAIT_MS)
        expect(listbox.locator(f"[data-sku='{product['id']}'] .kind")).to_have_text("商品", timeout=WAIT_MS)
        expect(page.locator("#lm-suggest-status")).to_contain_text("条建议")


def test_offline_the_box_is_the_plain_search_form(browser, live_server, product):
    with page_in_new_context(browser, **PHONE) as page:
        _open_home(page, live_server)
        asked = []
        page.on("request", lambda request: asked.append(request.url) if "/suggest" in request.url else None)
        page.wait_for_function("!!navigator.serviceWorker.controller", timeout=WAIT_MS)  # it answers offline
        page.context.set_offline(True)
        _type(page, product["typed"])
        page.wait_for_timeout(800)  # well past the debounce: nothing was asked, nothing is shown
        expect(page.locator("#lm-suggest")).to_be_hidden()
        expect(page.locator("#lm-q")).to_have_attribute("aria-expanded", "false")
        assert [] == asked
        page.keyboard.press("Enter")  # the form submits as it would without script; the worker answers
        page.wait_for_url(f"**/?q={product['typed']}", timeout=WAIT_MS)
        expect(page.locator("html")).to_have_attribute("data-page", "offline")
