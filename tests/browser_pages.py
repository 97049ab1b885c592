"""Helpers browser tests share for driving the PWA's pages and calling the live server beside them."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from contextlib import contextmanager
from typing import Callable, Iterator, NamedTuple

from playwright.sync_api import expect

WAIT_MS = 15_000
PASSWORD = "correct horse battery staple"


def api(live_server, method: str, path: str, body: dict | None = None, token: str | None = None,
        headers: dict[str, str] | None = None) -> dict:
    """One JSON request to the live server from the test itself (not through a browser, so never offline)."""
    sent = {"content-type": "application/json", "accept": "application/json", **(headers or {})}
    if token:
        sent["authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(live_server.url + path, data=data, method=method, headers=sent)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


@contextmanager
def page_in_new_context(browser, **options) -> Iterator:
    """A page in a browser context of its own (its own storage, service worker, cookies; ``options`` as
    ``browser.new_context`` takes them), closed with its context on the way out."""
    context = browser.new_context(**options)
    try:
        yield context.new_page()
    finally:
        context.close()


def wrong_on_each_page(context, base_url: str, paths: list[str], check: Callable) -> dict[str, list]:
    """Open each path in a page of its own in ``context`` and run ``check(page, path)``: what it found wrong, by
    path (pages with nothing wrong left out, so a test asserts ``{} == ...`` and sees every bad page at once)."""
    found = {}
    for path in paths:
        page = context.new_page()
        page.goto(f"{base_url}{path}")
        wrong = check(page, path)
        if wrong:
            found[path] = wrong
        page.close()
    return found


def listed_products(live_server, limit: int = 50) -> list[dict]:
    """The first page of the catalog listing (summaries in id order)."""
    return api(live_server, "GET", f"/api/products?limit={limit}")["items"]


def in_stock_sku(live_server) -> str:
    """The first listed product that is in stock."""
    return next(item["id"] for item in listed_products(live_server) if item["availability"] == "in_stock")


def sync_ready(page, timeout: int = WAIT_MS) -> None:
    """Wait until the page's sync client has started."""
    page.wait_for_function("document.documentElement.dataset.sync === 'ready'", timeout=timeout)


def new_email(prefix: str = "shopper") -> str:
    """An address no test has used."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def sign_in_page(page, base_url: str, email: str, *, create: bool = False, timeout: int = WAIT_MS) -> str:
    """Sign up (``create``) or sign in on the /signin page as a person would, until the page says who is signed
    in; the device's token, read back from the client."""
    page.goto(f"{base_url}/signin")
    sync_ready(page, timeout)
    page.fill("#lm-signin-form input[name=email]", email)
    page.fill("#lm-signin-form input[name=password]", PASSWORD)
    page.click("#lm-signin-form button[value=signup]" if create else "#lm-signin-form button[value=login]")
    expect(page.locator("#lm-signed-in")).to_contain_text(email, timeout=timeout)
    return page.evaluate("window.lastmileSync.session.token")


class Shopper(NamedTuple):
    """A shopper signed up in a page: their email and that device's token."""

    email: str
    token: str


def sign_up_in_page(page, base_url: str, prefix: str = "shopper", timeout: int = WAIT_MS) -> Shopper:
    """Create a new shopper on the /signin page and wait until signed in."""
    email = new_email(prefix)
    return Shopper(email, sign_in_page(page, base_url, email, create=True, timeout=timeout))


def wait_until(predicate, what: str, seconds: float = WAIT_MS / 1000):
    """Poll ``predicate`` (something outside the page, e.g. the server's state) until it gives a true value;
    that value."""
    deadline = time.monotonic() + seconds
    while not (found := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
    return found
