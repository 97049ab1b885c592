"""Helpers browser tests share for driving the PWA's pages."""

from __future__ import annotations

import uuid

WAIT_MS = 15_000
PASSWORD = "correct horse battery staple"


def sign_up_in_page(page, base_url: str, prefix: str = "shopper", password: str = PASSWORD) -> str:
    """Create a shopper on the /signin page (as a person would) and wait until signed in; their email."""
    email = f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{base_url}/signin")
    page.wait_for_function("document.documentElement.dataset.sync === 'ready'", timeout=WAIT_MS)
    page.fill("#lm-signin-form input[name=email]", email)
    page.fill("#lm-signin-form input[name=password]", password)
    page.click("#lm-signin-form button[value=signup]")
    page.wait_for_selector("#lm-signed-in", timeout=WAIT_MS)
    return email
