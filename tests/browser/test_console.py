"""The console in Chromium: sign in with a TOTP code, every page renders (charts too) with no outside request and no
serious axe violation; a support operator gets 403 on campaigns and sees masked emails; CSRF-less posts are refused;
a marketer builds a campaign for one holiday of the calendar (and is refused one for a holiday on another trigger,
in English and in Chinese)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlparse

import pytest

from retention import campaign_store
from server.db import SqliteDatabase
from tests.browser.axe import serious_violations
from tests.browser_pages import api
from tests.operator_support import PASSWORD, code, make_operator

pytestmark = pytest.mark.browser
PAGES = ["/admin", "/admin/catalog", "/admin/orders", "/admin/returns", "/admin/shoppers", "/admin/rewards",
         "/admin/campaigns", "/admin/push", "/admin/audit"]


@pytest.fixture(scope="module")
def operators(live_server, live_settings) -> dict[str, str]:
    """An owner and a support operator in the live server's database: email -> otpauth URI."""
    database = SqliteDatabase(live_settings.database_path)
    try:
        return {email: make_operator(database, email, role)
                for email, role in (("owner@example.com", "owner"), ("support@example.com", "support"))}
    finally:
        database.close()


@contextmanager
def _guarded_page(browser) -> Iterator:
    """A page in a new context that aborts every request leaving 127.0.0.1; on the way out the context is closed
    and the block must have made no such request."""
    outside: list[str] = []
    # bypass_csp: axe is injected as an inline script, which the console's CSP rightly refuses.
    context = browser.new_context(bypass_csp=True)

    def route(r):
        if urlparse(r.request.url).hostname != "127.0.0.1":
            outside.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    try:
        yield context.new_page()
    finally:
        context.close()
    assert [] == outside


def _sign_in(page, live_server, email: str, uri: str) -> None:
    page.goto(f"{live_server.url}/admin/signin")
    page.fill("input[autocomplete=username]", email)
    page.fill("input[autocomplete=current-password]", PASSWORD)
    page.fill("input[autocomplete=one-time-code]", code(uri))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin")


def test_an_owner_signs_in_and_every_page_renders_clean(browser, live_server, operators):
    with _guarded_page(browser) as page:
        _sign_in(page, live_server, "owner@example.com", operators["owner@example.com"])
        found = {}
        for path in PAGES:
            answer = page.goto(f"{live_server.url}{path}")
            assert 200 == answer.status, path
            found[path] = serious_violations(page)
        assert {p: [] for p in PAGES} == found
        page.goto(f"{live_server.url}/admin")
        assert 13 == page.locator("figure[data-chart] svg").count()
        assert 13 == page.locator("figure[data-chart] details table").count()
        page.goto(f"{live_server.url}/admin?lang=zh-CN")  # the switch keeps the language in a cookie
        assert "zh-CN" == page.get_attribute("html", "lang")
        found_zh = {}
        for path in PAGES:
            page.goto(f"{live_server.url}{path}")
            found_zh[path] = ("zh-CN" == page.get_attribute("html", "lang"), serious_violations(page))
        assert {p: (True, []) for p in PAGES} == found_zh
        page.goto(f"{live_server.url}/admin?lang=en")
        # A write from the browser lands in the audit log.
        page.goto(f"{live_server.url}/admin/rewards")
        page.fill("#new-id", "browser-mug")
        page.fill("#new-name", "Browser mug")
        page.fill("#new-pointsCost", "300")
        page.fill("#new-stock", "4")
        page.fill("#new-value", "500")
        page.click("form.stack button[type=submit]")
        page.wait_for_url("**/admin/rewards?done=created")
        page.goto(f"{live_server.url}/admin/audit")
        assert page.locator("td", has_text="reward browser-mug").count() == 1
        # Client addresses are masked until shown with a reason; the page stays clean in both languages.
        assert 0 == page.locator("td", has_text="127.0.0.1").count()
        for lang in ("zh-CN", "en"):
            page.goto(f"{live_server.url}/admin/audit?lang={lang}")
            page.fill("#reason", "checking sign-ins")
            page.click("form[action='/admin/audit/reveal'] button[type=submit]")
            page.wait_for_selector("td:has-text('127.0.0.1')")
            assert (lang, []) == (page.get_attribute("html", "lang"), serious_violations(page))
        # A post without the CSRF token is refused and changes nothing.
        refused = page.request.post(f"{live_server.url}/admin/rewards",
                                    form={"id": "forged", "name": "x", "kind": "coupon", "pointsCost": "1", "stock": "1"})
        assert 403 == refused.status


def test_a_marketer_builds_a_campaign_for_one_holiday(browser, live_server, live_settings):
    database = SqliteDatabase(live_settings.database_path)
    try:
        # An operator of its own: the owner's TOTP code of this half-minute may be spent already (no replays).
        uri = make_operator(database, "marketer@example.com", "marketer")
        with database.write() as db:
            campaign_store.put_holiday(db, "double11", "Double 11", "2026-11-11", 5)
    finally:
        database.close()
    with _guarded_page(browser) as page:
        _sign_in(page, live_server, "marketer@example.com", uri)
        for lang, label in (("zh-CN", "节日（仅限节日日历触发）"), ("en", "Holiday (holiday calendar trigger only)")):
            page.goto(f"{live_server.url}/admin/campaigns?lang={lang}")
            assert (label, []) == (page.locator("label[for=c-holiday]").inner_text(), serious_violations(page))

        def build(name: str, trigger: str) -> None:
            page.goto(f"{live_server.url}/admin/campaigns")
            page.fill("#c-name", name)
            page.select_option("#c-trigger", trigger)
            page.select_option("#c-holiday", "double11")
            page.fill("#A-template", "holiday")
            page.fill("#c-holdout", "10")
            page.click("form[action='/admin/campaigns'][method=post] button[type=submit]")

        build("Browser Double 11", "holiday")
        page.wait_for_url("**/admin/campaigns?done=created")
        row = page.locator("tr", has_text="Browser Double 11")
        assert 1 == row.locator("td", has_text="Double 11 (double11)").count()
        build("Browser churn on Double 11", "churn_risk")
        assert "holiday" in page.locator("[role=alert]").inner_text()
        assert [] == serious_violations(page)
        page.goto(f"{live_server.url}/admin/campaigns")
        assert 0 == page.locator("tr", has_text="Browser churn on Double 11").count()
        # In Chinese the holiday's name and the refusal's reason are Chinese, and the refusal page passes axe too.
        page.goto(f"{live_server.url}/admin/campaigns?lang=zh-CN")
        assert 1 == page.locator("tr", has_text="Browser Double 11").locator("td", has_text="双十一 (double11)").count()
        build("Browser churn on Double 11", "churn_risk")
        assert ("未保存：只有节日日历触发条件才能选择节日。", []) == (page.locator("[role=alert]").inner_text(),
                                                              serious_violations(page))


def test_support_gets_403_on_campaigns_and_masked_emails(browser, live_server, operators):
    api(live_server, "POST", "/api/auth/signup", {"email": "masked.shopper@example.com", "password": "correct horse battery"})
    with _guarded_page(browser) as page:
        _sign_in(page, live_server, "support@example.com", operators["support@example.com"])
        assert 403 == page.goto(f"{live_server.url}/admin/campaigns").status
        assert [] == serious_violations(page)
        assert 0 == page.locator("nav a[href='/admin/campaigns']").count()
        page.goto(f"{live_server.url}/admin/shoppers?q=masked.shopper@example.com")
        assert "m***@example.com" == page.locator("[data-email]").inner_text()
        assert [] == serious_violations(page)
        page.fill("#reason", "ticket 4711: wrong address")
        page.click("form[action$='/reveal'] button[type=submit]")
        page.wait_for_selector("[data-email]:has-text('masked.shopper@example.com')")
        assert [] == serious_violations(page)


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_the_sign_in_page_and_its_error_pass_axe(browser, live_server, operators, lang):
    with _guarded_page(browser) as page:
        page.goto(f"{live_server.url}/admin/signin?lang={lang}")
        assert lang == page.get_attribute("html", "lang")
        assert [] == serious_violations(page)
        page.fill("input[autocomplete=username]", "owner@example.com")
        page.fill("input[autocomplete=current-password]", "not the password")
        page.fill("input[autocomplete=one-time-code]", "000000")
        page.click("button[type=submit]")
        page.wait_for_selector("[role=alert]")
        assert [] == serious_violations(page)
