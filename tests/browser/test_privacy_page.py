"""The privacy page: consents change on the device and reach the server; texts in the shopper's language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts import consents
from tests.browser.axe import serious_violations
from tests.browser_pages import PASSWORD, WAIT_MS, sign_up_in_page, wait_until

pytestmark = pytest.mark.browser


def test_a_consent_switched_on_and_the_browsers_zone_reach_the_server_and_the_page_is_accessible(
        browser, live_server, live_settings):
    from retention import audience_store
    from server.stores import open_database

    # Signed in, the PWA reports the browser's zone (pwa/timezone.js): an email-only shopper's quiet hours need it.
    context = browser.new_context(timezone_id="Asia/Shanghai")
    page = context.new_page()
    try:
        email = sign_up_in_page(page, live_server.url, "privacy").email
        page.goto(f"{live_server.url}/privacy")
        page.wait_for_selector("#lm-consent-offers:not([disabled])", timeout=WAIT_MS)
        expect(page.locator("#lm-privacy-status")).not_to_contain_text("Sign in", timeout=WAIT_MS)  # signed in
        assert [] == serious_violations(page)
        page.check("#lm-consent-offers")
        expect(page.locator("#lm-privacy-status")).to_contain_text("Saved.", timeout=WAIT_MS)
        database = open_database(live_settings)
        try:
            from accounts import service

            user_id = service.shopper_id(database.read(), email)
            wait_until(lambda: consents.has(database.read(), user_id, "offers"), "the offers consent on the server")
            assert not consents.has(database.read(), user_id, "analytics")
            assert "Asia/Shanghai" == wait_until(
                lambda: (audience_store.get_profile(database.read(), user_id) or {}).get("time_zone"),
                "the browser's zone on the server")
        finally:
            database.close()
        page.reload()
        page.wait_for_selector("#lm-consent-offers:not([disabled])", timeout=WAIT_MS)
        assert page.is_checked("#lm-consent-offers") and not page.is_checked("#lm-consent-analytics")
    finally:
        context.close()


def test_the_page_speaks_chinese_to_a_chinese_browser_and_passes_axe(browser, live_server):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/privacy")
        page.wait_for_load_state("load")
        assert "隐私与您的数据" == page.inner_text("h1")
        assert "zh-CN" == page.get_attribute("html", "lang")
        assert [] == serious_violations(page)
    finally:
        context.close()


def test_deleting_the_account_from_the_page_signs_out(browser, live_server):
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_up_in_page(page, live_server.url, "privacy")
        page.goto(f"{live_server.url}/privacy")
        page.wait_for_selector("#lm-delete-password:not([disabled])", timeout=WAIT_MS)
        page.fill("#lm-delete-password", PASSWORD)
        page.click("#lm-delete button[type=submit]")
        page.wait_for_function(
            "document.getElementById('lm-privacy-status').textContent.includes('deleted')", timeout=WAIT_MS)
        assert page.is_disabled("#lm-consent-offers")
    finally:
        context.close()
