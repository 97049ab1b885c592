"""Roles on /api/admin/...: per-operator API tokens carry their role, the admin token is owner-level, writes are audited."""

from __future__ import annotations

import pytest

from operators import service
from server.http.roles import PERMISSION
from tests.operator_support import token_headers

# (method, path, body) -> the roles allowed; others get 403.
ROUTES = [
    ("GET", "/api/admin/rewards", None, {"owner", "merchandiser"}),
    ("POST", "/api/admin/rewards", {"id": "r1", "name": "Coupon", "pointsCost": 100, "stock": 5, "kind": "coupon", "value": 500,
                                     "currency": "EUR"}, {"owner", "merchandiser"}),
    ("GET", "/api/admin/orders/1", None, {"owner", "support"}),
    ("GET", "/api/admin/returns", None, {"owner", "support"}),
    ("POST", "/api/admin/products", None, {"owner", "merchandiser"}),
    ("GET", "/api/admin/retention/offers", None, {"owner", "marketer"}),
    ("GET", "/api/admin/retention/campaigns", None, {"owner", "marketer"}),
    ("GET", "/api/admin/retention/templates", None, {"owner", "marketer"}),
    ("GET", "/api/admin/retention/segments", None, {"owner", "marketer"}),
    ("GET", "/api/admin/retention/scores", None, {"owner", "marketer"}),
    ("GET", "/api/admin/retention/report", None, {"owner", "marketer"}),
]
ROLES = ("owner", "merchandiser", "marketer", "support")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_its_routes(client, fresh_db, role):
    headers = token_headers(fresh_db, f"{role}@example.com", role)
    actual = {}
    for method, path, body, _ in ROUTES:
        response = client.request(method, path, headers=headers, **({"json": body} if body else {}))
        actual[(method, path)] = response.status_code == 403
    expected = {(method, path): role not in allowed for method, path, _, allowed in ROUTES}
    assert expected == actual


def test_a_forbidden_answer_is_a_problem_naming_the_permission(client, fresh_db):
    headers = token_headers(fresh_db, "s@example.com", "support")
    response = client.get("/api/admin/retention/campaigns", headers=headers)
    assert (403, "/problems/forbidden") == (response.status_code, response.json()["type"])
    assert "campaigns" in response.json()["detail"]


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer not-a-token", "Basic abc", "Bearer " + "x" * 43])
def test_no_or_unknown_token_is_401(client, header):
    response = client.get("/api/admin/rewards", headers={"Authorization": header} if header else {})
    assert 401 == response.status_code
    assert "Bearer" == response.headers["www-authenticate"]


def test_a_disabled_operators_token_stops_working(client, fresh_db):
    headers = token_headers(fresh_db, "m@example.com", "merchandiser")
    assert 200 == client.get("/api/admin/rewards", headers=headers).status_code
    service.disable_operator(fresh_db, "m@example.com")
    assert 401 == client.get("/api/admin/rewards", headers=headers).status_code


def test_an_expired_token_is_refused_and_removed(fresh_db):
    from operators.errors import NotSignedIn
    from tests.operator_support import POLICY, make_operator

    make_operator(fresh_db, "old@example.com", "owner", now=1_000_000)
    token = service.issue_token(fresh_db, "old@example.com", "cron", now=1_000_000)
    assert "owner" == service.authenticate_token(fresh_db, POLICY, token, now=1_000_100).role
    with pytest.raises(NotSignedIn):
        service.authenticate_token(fresh_db, POLICY, token, now=1_000_000 + POLICY.token_max_seconds + 1)
    with pytest.raises(NotSignedIn):
        service.authenticate_token(fresh_db, POLICY, token, now=1_000_100)


def test_the_admin_token_is_owner_level(client, admin_headers):
    for method, path, body, _ in ROUTES:
        response = client.request(method, path, headers=admin_headers, **({"json": body} if body else {}))
        assert 403 != response.status_code and 401 != response.status_code, (method, path)


def test_every_admin_route_declares_its_permission(client):
    undeclared = [
        f"{method} {route.path}"
        for route in client.app.routes
        if route.path.startswith("/api/admin")
        for method, handler in getattr(route, "route_handler_map", {}).items()
        if PERMISSION not in handler[0].opt
    ]
    assert [] == undeclared


def test_writes_are_audited_with_who_what_and_status(client, fresh_db):
    headers = token_headers(fresh_db, "merch@example.com", "merchandiser")
    body = {"id": "r9", "name": "Mug", "pointsCost": 100, "stock": 5, "kind": "coupon", "value": 300, "currency": "EUR"}
    assert 201 == client.post("/api/admin/rewards", json=body, headers=headers).status_code
    assert 409 == client.post("/api/admin/rewards", json=body, headers=headers).status_code
    assert 200 == client.get("/api/admin/rewards", headers=headers).status_code
    client.post("/api/admin/retention/offers", json={}, headers=headers)  # forbidden: audited too
    entries = [(e.actor, e.role, e.action, e.target, e.status)
               for e in service.audit_log(fresh_db) if e.action.startswith("POST")]
    assert [
        ("merch@example.com", "merchandiser", "POST /api/admin/retention/offers", "/api/admin/retention/offers", 403),
        ("merch@example.com", "merchandiser", "POST /api/admin/rewards", "/api/admin/rewards", 409),
        ("merch@example.com", "merchandiser", "POST /api/admin/rewards", "/api/admin/rewards", 201),
    ] == entries
    assert all(e.address for e in service.audit_log(fresh_db) if e.action.startswith("POST"))
