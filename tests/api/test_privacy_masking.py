"""Operators see emails masked unless their role may reveal them (audited); logs carry no personal data."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

import pytest
from litestar.connection import ASGIConnection
from litestar.testing import TestClient

from accounts import store as accounts_store
from accounts.errors import RevealForbidden, RevealReasonRequired
from operators import service as operator_service
from retention import audience_store
from retention.delivery import deliver_due
from retention.planner import enqueue_message
from server.http.reveal import reveal_for
from server.push_runtime import push_runtime
from tests.loyalty_support import fill_cart, shopper
from tests.operator_support import token_headers
from tests.push_double import PushDouble
from tests.built_app import app_for
from tests.utils import add_product, assert_problem, sign_up, sync_push

EMAIL = "peter.parker@example.com"
BIRTHDAY = "1990-08-10"


def score_row(user_id: int) -> dict:
    return {"user_id": user_id, "recency": 5, "frequency": 4, "monetary": 3, "segment": "loyal", "days_since_activity": 2,
            "orders": 5, "revenue": 30000, "discounted_share": 0.2, "views": 3}


def test_admin_scores_show_masked_emails_and_an_audited_reveal(client, admin_headers, fresh_db):
    user_id = int(sign_up(client, email=EMAIL)["X-Test-User"])
    with fresh_db.write() as db:
        audience_store.save_scores(db, [score_row(user_id)], "2026-06-10T00:00:00.000000Z")
    assert "p***@example.com" == client.get(f"/api/admin/retention/scores/{user_id}", headers=admin_headers).json()["email"]
    listed = client.get("/api/admin/retention/scores", headers=admin_headers).json()
    assert ["p***@example.com"] == [s["email"] for s in listed]
    assert [] == accounts_store.reveals_of(fresh_db.read(), user_id)
    revealed = client.get("/api/admin/retention/scores", params={"reveal": "true", "reason": " ticket 4711 "},
                          headers=admin_headers).json()
    assert [EMAIL] == [s["email"] for s in revealed]
    [audit] = accounts_store.reveals_of(fresh_db.read(), user_id)
    assert ("owner", "admin-token", "GET /api/admin/retention/scores") == (audit["role"], audit["operator"], audit["route"])
    [line] = operator_service.audit_log(fresh_db, action_prefix="reveal ")
    assert ("reveal GET /api/admin/retention/scores", "personal data revealed; reason: ticket 4711", 200) == (
        line.action, line.detail, line.status)


@pytest.mark.parametrize("query, kind", [
    ({"reveal": "true"}, "reveal-reason-required"),
    ({"reveal": "true", "reason": "     "}, "reveal-reason-required"),
    ({"reveal": "true", "reason": "x"}, None),  # too short for the parameter itself
    ({"reveal": "true", "reason": "y" * 201}, None),
])
def test_a_reveal_without_a_fitting_reason_is_refused_and_reveals_nothing(client, admin_headers, fresh_db, query, kind):
    user_id = int(sign_up(client, email=EMAIL)["X-Test-User"])
    with fresh_db.write() as db:
        audience_store.save_scores(db, [score_row(user_id)], "2026-06-10T00:00:00.000000Z")
    for path in ("/api/admin/retention/scores", f"/api/admin/retention/scores/{user_id}"):
        answer = client.get(path, params=query, headers=admin_headers)
        body = assert_problem(answer, 400, "reason")
        assert kind is None or body["type"].endswith(kind)
        assert EMAIL not in answer.text and "p***" not in answer.text
    assert [] == accounts_store.reveals_of(fresh_db.read(), user_id)


def test_a_reveal_the_role_may_not_make_is_refused_and_audited(client, fresh_db):
    headers = token_headers(fresh_db, "marketer@example.com", "marketer")
    answer = client.get("/api/admin/retention/scores", params={"reveal": "true", "reason": "curious about it"},
                        headers=headers)
    assert assert_problem(answer, 403, "marketer")["type"].endswith("reveal-forbidden")
    [line] = operator_service.audit_log(fresh_db, action_prefix="reveal ")
    assert ("marketer", 403, "personal data revealed; reason: curious about it") == (line.role, line.status, line.detail)
    assert 200 == client.get("/api/admin/retention/scores", headers=headers).status_code  # masked reads stay open
    assert [] == operator_service.audit_log(fresh_db, action_prefix="GET ")  # and are no audit lines


def connection(operator: tuple[str, str] | None) -> ASGIConnection:
    scope = {"type": "http", "method": "GET", "path": "/api/admin/retention/scores", "query_string": b"", "headers": [],
             "server": ("testserver", 80), "scheme": "http", "root_path": "", "app": None,
             "state": {"operator": operator} if operator else {}}
    return ASGIConnection(scope)  # type: ignore[arg-type]


@pytest.mark.parametrize("role", ["owner", "support"])
def test_roles_that_may_reveal(role):
    assert role == reveal_for(connection((role, "op-1")), True, "ticket 12").role
    assert reveal_for(connection((role, "op-1")), False) is None
    with pytest.raises(RevealReasonRequired):
        reveal_for(connection((role, "op-1")), True)


@pytest.mark.parametrize("role", ["merchandiser", "marketer"])
def test_roles_that_see_masks_only(role):
    with pytest.raises(RevealForbidden, match=role):
        reveal_for(connection((role, "op-2")), True, "ticket 12")
    assert reveal_for(connection((role, "op-2")), False) is None


def test_no_log_line_carries_an_email_endpoint_or_birthday(settings, fresh_db, caplog):
    caplog.set_level(logging.DEBUG)
    with PushDouble(push_runtime(settings).public_key) as double:
        push_settings = settings.with_(push_test_origins=(double.origin,), quiet_hours=(0, 0))
        with TestClient(app_for(push_settings, fresh_db), raise_server_exceptions=False) as client:
            logging.getLogger().addHandler(caplog.handler)  # Litestar's logging set-up replaced the root handlers
            headers = sign_up(client, email=EMAIL)
            client.post("/api/auth/login", json={"email": EMAIL, "password": "wrong password"})
            client.post("/api/auth/login", json={"email": EMAIL, "password": "correct horse battery"})
            client.post("/api/auth/signup", json={"email": EMAIL, "password": "correct horse battery"})
            client.post("/api/auth/signup", json={"email": "x" * 70 + "@example.com", "password": "correct horse battery"})
            sub = double.new_subscription()
            body = {**sub, "consent": True, "timeZone": "Europe/Berlin", "locale": "en-GB"}
            assert 201 == client.post("/api/push/subscriptions", json=body, headers=headers).status_code
            bad = {**body, "endpoint": "https://evil.example.net/" + sub["endpoint"].rsplit("/", 1)[-1]}
            assert 422 == client.post("/api/push/subscriptions", json=bad, headers=headers).status_code
            zone = client.post("/api/push/subscriptions", json={**body, "timeZone": "Mars/" + BIRTHDAY}, headers=headers)
            assert 422 == zone.status_code and BIRTHDAY not in zone.text  # error bodies do not echo personal values
            mutations = [{"id": 1, "name": "prefs.set", "args": {"name": "birthday", "value": BIRTHDAY}, "at": 1},
                         {"id": 2, "name": "prefs.set", "args": {"name": "bad name!", "value": BIRTHDAY}, "at": 2}]
            client.post("/api/sync/push", headers=headers, json={"clientId": "logs-client-1", "mutations": mutations})
            double.respond(sub, 500)
            user_id = int(headers["X-Test-User"])
            config = push_runtime(push_settings).config
            now = datetime.now(timezone.utc)
            with fresh_db.write() as db:
                enqueue_message(db, user_id=user_id, trigger="test", dedupe="logs", context={}, campaign=None, now=now,
                                config=config)
            sender = push_runtime(push_settings).sender()
            try:
                deliver_due(fresh_db, sender, now=now)
            finally:
                sender.close()
    text = caplog.text.lower()
    assert "/api/auth/login" in text and "/api/sync/push" in text  # the capture saw the flow
    token = sub["endpoint"].rsplit("/", 1)[-1].lower()
    assert [] == [v for v in ("peter.parker", "peter", token, BIRTHDAY, "europe/berlin") if v in text]


HOME = {"id": "home", "name": "Ana Lima", "line1": "1 Harbour Road", "city": "Lisbon", "country": "PT",
        "line2": "", "region": "", "postcode": "1100-001", "phone": "+351 21 000 0034"}


def test_an_orders_delivery_address_is_masked_for_operators_until_revealed_with_a_reason(client, admin_headers,
                                                                                          fresh_db):
    add_product(fresh_db, "MUG", price=1_250, stock=5)
    headers, user = shopper(client, "ana@example.com")
    sync_push(client, headers, f"client-device-{user}", ("address.put", HOME))
    fill_cart(fresh_db, user, {"MUG": 1})
    order = client.post("/api/orders", headers={**headers, "Idempotency-Key": "k1"},
                        json={"addressId": "home", "delivery": "standard",
                              "payment": {"method": "card", "token": "tok_test_approve"}}).json()
    path = f"/api/admin/orders/{order['id']}"
    got = client.get(path, headers=admin_headers)
    assert 200 == got.status_code, (order, got.text)
    masked = got.json()["address"]
    assert {"name": "A***", "line1": "1***", "postcode": "11***", "phone": "***34", "city": "Lisbon"} == {
        k: masked[k] for k in ("name", "line1", "postcode", "phone", "city")}
    shipped = client.post(f"{path}/status", headers=admin_headers, json={"status": "fulfilled"}).json()
    assert masked == shipped["address"]  # a write's answer is masked too
    assert_problem(client.get(path, params={"reveal": "true"}, headers=admin_headers), 400, "reason")
    revealed = client.get(path, params={"reveal": "true", "reason": "carrier lost the parcel"}, headers=admin_headers)
    assert HOME == {k: v for k, v in revealed.json()["address"].items()}
    lines = [(e.action, e.detail, e.status) for e in operator_service.audit_log(fresh_db, action_prefix="reveal ")]
    assert [("reveal GET /api/admin/orders/{order_id}", "personal data revealed; reason: carrier lost the parcel", 200),
            ("reveal GET /api/admin/orders/{order_id}", "personal data revealed; reason: ", 400)] == lines
