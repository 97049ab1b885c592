"""Hostile input found by probing a running server: every case is a 4xx problem that says what was wrong, never a 500."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Iterator

import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from litestar.testing import TestClient

from accounts import vault
from accounts.service import LOGIN_ATTEMPT
from server.http.body import MAX_DEPTH
from server.settings import Settings
from server.stores import open_database
from tests.built_app import app_for
from tests.utils import ADMIN_TOKEN, TEST_SCRYPT_N, assert_problem, sign_up

JSON = {"Content-Type": "application/json"}
MSGPACK = {"Content-Type": "application/msgpack"}
HUGE = "9" * 30
PAST_INT64 = str(2**63)


def deep_list(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def deep_object(levels: int) -> bytes:
    return b'{"a":' * levels + b"1" + b"}" * levels


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[TestClient]:
    """One app for the whole module: every request here is refused and changes nothing."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("hostile") / "var", admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N)
    database = open_database(settings)
    with TestClient(app_for(settings, database)) as test_client:
        yield test_client
    database.close()


@pytest.fixture(scope="module")
def shopper(client) -> dict[str, str]:
    return sign_up(client)


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/signup", "/api/events"])
@pytest.mark.parametrize("body", [deep_list(2000), deep_object(2000), deep_list(MAX_DEPTH + 1)], ids=["list", "object", "limit+1"])
def test_deeply_nested_json_without_a_token_is_a_400(client, path, body):
    body_ = assert_problem(client.post(path, content=body, headers=JSON), 400, f"deeper than {MAX_DEPTH} levels")
    assert "/problems/bad-body" == body_["type"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/sync/push", b'{"clientId":"abcdefgh1","mutations":[{"id":1,"name":"prefs.set","args":' + deep_list(3000) + b"}]}"),
        ("/api/sync/pull", deep_list(1500)),
        ("/api/loyalty/reviews", deep_list(3000)),
        ("/api/push/subscriptions", deep_list(2000)),
    ],
    ids=["push-args", "pull", "review", "subscription"],
)
def test_deeply_nested_json_with_a_token_is_a_400(client, shopper, path, body):
    assert_problem(client.post(path, content=body, headers={**shopper, **JSON}), 400, "deeper than")


@pytest.mark.parametrize("path", ["/api/admin/retention/offers", "/api/admin/rewards"])
def test_deeply_nested_admin_json_is_a_400(client, admin_headers, path):
    assert_problem(client.post(path, content=deep_list(4000), headers={**admin_headers, **JSON}), 400, "deeper than")


def test_deeply_nested_product_import_is_a_400(client, admin_headers):
    response = client.post("/api/admin/products", content=deep_list(4000), headers=admin_headers)
    assert_problem(response, 400, "deeper than")


def test_nesting_up_to_the_limit_is_decoded_as_usual(client, shopper):
    value = msgspec.json.decode(deep_list(MAX_DEPTH - 4))  # inside a push: body, mutations, mutation, args
    push = {"clientId": "abcdefgh1", "mutations": [{"id": 1, "name": "prefs.set", "args": {"name": "deep", "value": value}}]}
    response = client.post("/api/sync/push", json=push, headers=shopper)
    assert 200 == response.status_code, response.text


def test_deeply_nested_msgpack_is_a_400(client, shopper):
    args = msgspec.Raw(b"\x91" * 3000 + b"\xc0")  # [[[...[nil]...]]]
    body = msgspec.msgpack.encode({"clientId": "abcdefgh1", "mutations": [{"id": 1, "name": "prefs.set", "args": args}]})
    assert_problem(client.post("/api/sync/push", content=body, headers={**shopper, **MSGPACK}), 400, "deeper than")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/auth/login", b'{"email":"a@example.com","password":1' + b"0" * 30 + b',"deviceName":"d"}'),
        ("/api/events", b'{"events":[{"kind":"shown","messageId":' + PAST_INT64.encode() + b"}]}"),
        ("/api/events", b'{"events":[{"kind":"shown","messageId":-' + HUGE.encode() + b"}]}"),
    ],
)
def test_integers_past_64_bits_in_a_body_are_a_400(client, path, body):
    assert_problem(client.post(path, content=body, headers=JSON), 400, "outside the 64-bit range")


def test_integers_past_64_bits_in_msgpack_are_a_400(client, shopper):
    body = msgspec.msgpack.encode({"clientId": "abcdefgh1", "cookie": 2**64 - 1})
    assert_problem(client.post("/api/sync/pull", content=body, headers={**shopper, **MSGPACK}), 400, "64-bit")


def test_long_digit_runs_in_strings_and_fractions_are_not_integers(client):
    body = b'{"events":[{"kind":"shown","receipt":"' + HUGE.encode() + b'","messageId":1.' + HUGE.encode() + b"}]}"
    response = client.post("/api/events", content=body, headers=JSON)
    assert "outside the 64-bit range" not in response.text


@pytest.mark.parametrize(
    ("escape", "half"),
    [(rb"\ud800", "high half without its low half"), (rb"\udc00", "low half without its high half"),
     (rb"\ud800\ud800", "high half without its low half"), (rb"a\udbff", "high half")],
)
@pytest.mark.parametrize("path", ["/api/events", "/api/auth/login"])
def test_a_lone_surrogate_is_named_as_such(client, path, escape, half):
    body = b'{"events":[{"kind":"' + escape + b'"}],"email":"x"}'
    body_ = assert_problem(client.post(path, content=body, headers=JSON), 400, "lone UTF-16 surrogate", half)
    assert "truncated" not in body_["detail"]


def test_a_lone_surrogate_in_a_sync_push_is_named_as_such(client, shopper):
    body = rb'{"clientId":"abcdefgh1","mutations":[{"id":1,"name":"prefs.set","args":{"name":"\ud800","value":1}}]}'
    assert_problem(client.post("/api/sync/push", content=body, headers={**shopper, **JSON}), 400, "lone UTF-16 surrogate")


def test_a_surrogate_pair_and_an_escaped_backslash_are_fine(client, shopper):
    body = rb'{"clientId":"abcdefgh1","mutations":[{"id":1,"name":"prefs.set","args":{"name":"emoji","value":"\ud83d\ude00 \\ud800"}}]}'
    response = client.post("/api/sync/push", content=body, headers={**shopper, **JSON})
    assert 200 == response.status_code, response.text


@pytest.mark.parametrize("id_", [HUGE, PAST_INT64, "0"])
@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/api/devices/{}"), ("DELETE", "/api/push/subscriptions/{}"), ("GET", "/api/orders/{}")],
)
def test_shopper_path_ids_past_64_bits_are_a_400(client, shopper, method, path, id_):
    assert_problem(client.request(method, path.format(id_), headers=shopper), 400, "Expected `int`")


@pytest.mark.parametrize("id_", [HUGE, PAST_INT64])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/admin/retention/offers/{}", None),
        ("GET", "/api/admin/retention/campaigns/{}", None),
        ("PUT", "/api/admin/retention/campaigns/{}/active", {"active": True}),
        ("GET", "/api/admin/retention/scores/{}", None),
        ("DELETE", "/api/admin/retention/templates/{}", None),
        ("GET", "/api/admin/orders/{}", None),
        ("POST", "/api/admin/orders/{}/status", {"status": "paid"}),
        ("GET", "/api/admin/retention/scores?after={}", None),
    ],
)
def test_admin_path_and_query_ids_past_64_bits_are_a_400(client, admin_headers, method, path, body, id_):
    response = client.request(method, path.format(id_), json=body, headers=admin_headers)
    assert_problem(response, 400, "Expected `int`")


def test_the_largest_64_bit_id_is_an_ordinary_404(client, shopper, admin_headers):
    assert 404 == client.delete(f"/api/devices/{2**63 - 1}", headers=shopper).status_code
    assert 404 == client.get(f"/api/admin/retention/offers/{2**63 - 1}", headers=admin_headers).status_code


def browser_subscription(endpoint: str) -> dict:
    """What a browser posts: its endpoint, a fresh P-256 key and auth secret, consent."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    b64 = lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"=").decode()  # noqa: E731
    return {"endpoint": endpoint, "keys": {"p256dh": b64(point), "auth": b64(os.urandom(16))}, "consent": True}


def test_push_endpoint_cannot_be_moved_to_another_shopper_with_other_keys(client, shopper):
    endpoint = "https://fcm.googleapis.com/fcm/send/hostile-move-1"
    browser = browser_subscription(endpoint)
    first = client.post("/api/push/subscriptions", json=browser, headers=shopper)
    assert 201 == first.status_code, first.text
    thief = sign_up(client, email="thief@example.com")
    taken = client.post("/api/push/subscriptions", json=browser_subscription(endpoint), headers=thief)
    assert_problem(taken, 409, "already registered with other keys")
    assert [first.json()["id"]] == [s["id"] for s in client.get("/api/push/subscriptions", headers=shopper).json()]
    assert [] == client.get("/api/push/subscriptions", headers=thief).json()
    # The same browser (same keys) signed in as someone else moves with its shopper: that is the one legit move.
    moved = client.post("/api/push/subscriptions", json=browser, headers=thief)
    assert (201, first.json()["id"]) == (moved.status_code, moved.json()["id"])
    assert [] == client.get("/api/push/subscriptions", headers=shopper).json()


def test_login_attempt_keys_are_keyed_hashes_not_plain_ones(client):
    email = "nobody-here@example.com"
    response = client.post("/api/auth/login", json={"email": email, "password": "wrong password!", "deviceName": "d"})
    assert 401 == response.status_code
    stored = {r["key_hash"] for r in client.app.state["database"].read().query("SELECT key_hash FROM login_attempts")}
    plain = {hashlib.sha256(f"{k}:{v}".encode()).hexdigest() for k, v in (("account", email), ("address", "testclient"))}
    assert set() == stored & plain
    assert vault.blind_index(LOGIN_ATTEMPT, f"account:{email}") in stored
