"""The console over HTTP: sign-in with TOTP, every page for its roles, 403 without the right, CSRF, masking, audit."""

from __future__ import annotations

import re

import pytest

from operators import service
from tests.operator_support import PASSWORD, code, console_sign_in, csrf_of, make_operator
from tests.utils import sign_up

PAGES = {
    "/admin": {"owner", "merchandiser", "marketer", "support"},
    "/admin/catalog": {"owner", "merchandiser"},
    "/admin/orders": {"owner", "support"},
    "/admin/returns": {"owner", "support"},
    "/admin/shoppers": {"owner", "support"},
    "/admin/rewards": {"owner", "merchandiser"},
    "/admin/campaigns": {"owner", "marketer"},
    "/admin/push": {"owner", "marketer"},
    "/admin/audit": {"owner"},
}


def test_pages_need_a_session(client):
    answer = client.get("/admin/orders", follow_redirects=False)
    assert (303, "/admin/signin?next=/admin/orders") == (answer.status_code, answer.headers["location"])


def test_the_sign_in_form_asks_for_username_password_and_code(client):
    html = client.get("/admin/signin").text
    assert [] == [value for value in ("username", "current-password", "one-time-code") if f'autocomplete="{value}"' not in html]


def test_a_wrong_code_is_refused_and_audited(client, fresh_db):
    make_operator(fresh_db, "o@example.com", "owner")
    page = client.get("/admin/signin")
    answer = client.post("/admin/signin", data={"csrf": csrf_of(page.text), "email": "o@example.com",
                                                "password": PASSWORD, "code": "000000"})
    assert 401 == answer.status_code
    assert ["signin.failed"] == [e.action for e in service.audit_log(fresh_db) if e.action.startswith("signin")]


def test_sign_in_without_its_token_is_refused(client, fresh_db):
    uri = make_operator(fresh_db, "o@example.com", "owner")
    answer = client.post("/admin/signin", data={"csrf": "forged", "email": "o@example.com", "password": PASSWORD,
                                                "code": code(uri)}, follow_redirects=False)
    assert 403 == answer.status_code


@pytest.mark.parametrize("role", ["owner", "merchandiser", "marketer", "support"])
def test_each_role_opens_only_its_pages(client, fresh_db, role):
    console_sign_in(client, fresh_db, f"{role}@example.com", role)
    actual = {path: client.get(path).status_code for path in PAGES}
    assert {path: 200 if role in roles else 403 for path, roles in PAGES.items()} == actual


def test_a_form_without_the_csrf_token_changes_nothing(client, fresh_db):
    console_sign_in(client, fresh_db, "m@example.com", "merchandiser")
    body = {"id": "mug", "name": "Mug", "kind": "coupon", "pointsCost": "100", "stock": "3", "value": "500",
            "currency": "EUR"}
    assert 403 == client.post("/admin/rewards", data=body, follow_redirects=False).status_code
    assert 403 == client.post("/admin/rewards", data={**body, "csrf": "x" * 43}, follow_redirects=False).status_code
    assert "mug" not in client.get("/admin/rewards").text
    refused = [e for e in service.audit_log(fresh_db) if e.action == "POST /admin/rewards"]
    assert [403, 403] == [e.status for e in refused]


def test_a_write_lands_in_the_audit_log(client, fresh_db):
    csrf = console_sign_in(client, fresh_db, "m@example.com", "merchandiser")
    body = {"csrf": csrf, "id": "mug", "name": "Mug", "kind": "coupon", "pointsCost": "100", "stock": "3",
            "value": "500", "currency": "EUR"}
    answer = client.post("/admin/rewards", data=body, follow_redirects=False)
    assert 303 == answer.status_code, answer.text
    assert "Mug" in client.get("/admin/rewards").text
    [entry] = [e for e in service.audit_log(fresh_db) if e.action == "POST /admin/rewards"]
    assert ("m@example.com", "merchandiser", 303, "reward mug") == (entry.actor, entry.role, entry.status, entry.detail)


def test_support_sees_masked_emails_and_a_reveal_is_audited(client, fresh_db):
    sign_up(client, email="jane.doe@example.com")
    csrf = console_sign_in(client, fresh_db, "s@example.com", "support")
    page = client.get("/admin/shoppers", params={"q": "jane.doe@example.com"})
    assert 200 == page.status_code
    assert "j***@example.com" == re.search(r"data-email>([^<]+)<", page.text).group(1)
    uid = re.search(r"/admin/shoppers/(\d+)/reveal", page.text).group(1)
    assert 422 == client.post(f"/admin/shoppers/{uid}/reveal", data={"csrf": csrf, "reason": "x"}).status_code
    shown = client.post(f"/admin/shoppers/{uid}/reveal", data={"csrf": csrf, "reason": "ticket 4711: wrong address"})
    assert (200, "jane.doe@example.com") == (shown.status_code, re.search(r"data-email>([^<]+)<", shown.text).group(1))
    details = [e.detail for e in service.audit_log(fresh_db) if e.action.endswith("/reveal")]
    assert f"shopper {uid} email revealed; reason: ticket 4711: wrong address" == details[0]


def test_the_console_speaks_chinese_when_asked(client, fresh_db):
    console_sign_in(client, fresh_db, "o@example.com", "owner")
    assert '<html lang="zh-CN">' in client.get("/admin", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    assert "仪表盘" in client.get("/admin?lang=zh-CN").text
