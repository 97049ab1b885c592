"""Operator helpers shared by tests: create operators, make their TOTP codes, API-token headers."""

from __future__ import annotations

import base64
import re
import time
from urllib.parse import parse_qs, urlparse

from accounts import totp
from operators import service
from operators.policy import OperatorPolicy

PASSWORD = "operator password 123"
POLICY = OperatorPolicy(scrypt_n=2**10)


def secret_of(uri: str) -> bytes:
    """The TOTP secret inside an otpauth:// URI (what an authenticator app reads from the QR code)."""
    text = parse_qs(urlparse(uri).query)["secret"][0]
    return base64.b32decode(text + "=" * (-len(text) % 8))


def code(uri: str, now: float | None = None) -> str:
    """The current TOTP code for an otpauth:// URI."""
    return totp.code_at(secret_of(uri), time.time() if now is None else now)


def make_operator(database, email: str, role: str, now: float | None = None) -> str:
    """Create an operator with PASSWORD; their otpauth:// URI."""
    return service.add_operator(database, POLICY, email, role, PASSWORD, now=now).otpauth_uri


def token_headers(database, email: str, role: str) -> dict[str, str]:
    """A new operator of ``role`` and headers carrying their API token."""
    make_operator(database, email, role)
    return {"Authorization": f"Bearer {service.issue_token(database, email, 'tests')}"}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def console_sign_in(client, database, email: str, role: str) -> str:
    """Sign an operator of ``role`` in through the form; the session's CSRF token."""
    uri = make_operator(database, email, role)
    page = client.get("/admin/signin")
    assert 200 == page.status_code
    answer = client.post("/admin/signin", data={"csrf": csrf_of(page.text), "email": email, "password": PASSWORD,
                                                "code": code(uri), "next": "/admin"}, follow_redirects=False)
    assert 303 == answer.status_code, answer.text
    assert "/admin" == answer.headers["location"]
    set_cookie = answer.headers.get_list("set-cookie")
    assert any("lm_console=" in c and "httponly" in c.lower() and "samesite=strict" in c.lower() for c in set_cookie), set_cookie
    return csrf_of(client.get("/admin").text)
