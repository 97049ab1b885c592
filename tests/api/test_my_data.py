"""The shopper's own data: the export holds all of it, opened; deletion (re-authenticated) erases it, keeps orders."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from litestar.testing import TestClient

from accounts import store as accounts_store
from accounts import totp, vault
from loyalty import store as loyalty_store
from retention import push_store
from server.app import create_app
from server.push_runtime import push_runtime
from tests.loyalty_support import place
from tests.push_double import PushDouble
from tests.utils import (BIRTHDAY, ZONE, add_product, log_in, plant_personal_data, stored_bytes, sync_push,
                         waits_for_shopper_lock)

PASSWORD = "correct horse battery"


@pytest.fixture
def shop(settings, fresh_db):
    """An app that accepts push subscriptions at a double, and the double."""
    with PushDouble(push_runtime(settings).public_key) as double:
        with TestClient(create_app(settings.with_(push_test_origins=(double.origin,)), fresh_db)) as client:
            yield client, double


def test_the_export_holds_all_the_shoppers_data_opened(shop, fresh_db):
    client, double = shop
    planted = plant_personal_data(client, double)
    headers = log_in(client, email="private.person@example.com")
    add_product(fresh_db, "MUG-1", price=1200)
    add_product(fresh_db, "LAMP-2", price=4500)
    order_id = place(fresh_db, int(headers["X-Test-User"]), {"MUG-1": 2}, datetime.now(timezone.utc))
    sync_push(client, headers, "export-client-1", ("wishlist.add", {"sku": "LAMP-2"}),
              ("consent.set", {"purpose": "offers", "granted": True}))
    response = client.get("/api/me/export", headers=headers)
    assert 200 == response.status_code and "no-store" in response.headers["cache-control"]
    data = response.json()
    assert "private.person@example.com" == data["account"]["email"]
    assert {"birthday": BIRTHDAY, "nickname": "Zebediah"} == data["prefs"]
    assert ["LAMP-2"] == [w["sku"] for w in data["wishlist"]]
    assert [order_id] == [o["id"] for o in data["orders"]] and data["orders"][0]["lines"]
    assert {"offers", "notifications"} == set(data["consents"])
    assert 2 == len(data["devices"])
    [sub] = data["pushSubscriptions"]
    assert sub["endpoint"].endswith(planted["endpoint"].decode()) and planted["auth"].decode() == sub["keys"]["auth"]
    assert ZONE == data["profile"]["timeZone"]
    assert isinstance(data["pointsLedger"], list)
    assert [f"orders/{order_id}"] == [k for k in data["view"] if k.startswith("orders/")]
    assert 401 == client.get("/api/me/export").status_code


def test_another_shopper_gets_only_their_own_export(shop):
    client, double = shop
    plant_personal_data(client, double)
    other = client.post("/api/auth/signup", json={"email": "other@example.com", "password": PASSWORD}).json()
    data = client.get("/api/me/export", headers={"Authorization": f"Bearer {other['token']}"}).json()
    assert ("other@example.com", {}, []) == (data["account"]["email"], data["prefs"], data["pushSubscriptions"])


def test_deleting_the_account_erases_personal_data_and_keeps_orders_anonymised(shop, fresh_db):
    client, double = shop
    planted = plant_personal_data(client, double)
    headers = log_in(client, email="private.person@example.com")
    user_id = int(headers["X-Test-User"])
    add_product(fresh_db, "MUG-1", price=1200)
    order_id = place(fresh_db, user_id, {"MUG-1": 1}, datetime.now(timezone.utc))
    assert 403 == client.request("DELETE", "/api/me", headers=headers, json={"password": "wrong password"}).status_code
    assert 200 == client.get("/api/me", headers=headers).status_code  # nothing changed
    assert 204 == client.request("DELETE", "/api/me", headers=headers, json={"password": PASSWORD}).status_code
    assert 401 == client.get("/api/me", headers=headers).status_code  # every device signed out
    assert 401 == client.post("/api/auth/login", json={"email": "private.person@example.com", "password": PASSWORD}).status_code
    db = fresh_db.read()
    assert [] == push_store.user_subscriptions(db, user_id)
    assert {} == accounts_store.consents_of(db, user_id)
    assert user_id == loyalty_store.get_order(db, order_id)["user_id"]  # kept for accounting, tied to no one
    # Not even a sealed copy is left to open: only the erased-account marker remains sealed as an email.
    emails = [vault.unseal_text("email", e) for (e,) in db.execute("SELECT email FROM users").fetchall()]
    assert [f"erased-{user_id}@erased.invalid"] == emails
    assert [] == [name for name, v in planted.items() if v in stored_bytes(fresh_db)]
    # The email is free again: a new account can take it.
    assert 201 == client.post("/api/auth/signup", json={"email": "private.person@example.com", "password": PASSWORD}).status_code


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_deleting_the_account_waits_for_the_shoppers_other_writers(shop, fresh_db, settings):
    """A sync push on another server holding the shopper's lock commits first, so the erasure sees (and removes)
    every row it wrote: none of it outlives the account."""
    from accounts.models import CurrentUser
    from server.http.auth import auth_policy
    from server.shopper_data import delete_account

    client, double = shop
    plant_personal_data(client, double)
    headers = log_in(client, email="private.person@example.com")
    current = CurrentUser(user_id=int(headers["X-Test-User"]), device_id=int(headers["X-Test-Device"]))
    waits_for_shopper_lock(settings.database_url, current.user_id,
                           lambda: delete_account(fresh_db, auth_policy(settings), current, PASSWORD, None))
    assert 401 == client.get("/api/me", headers=headers).status_code
    assert 0 == fresh_db.read().execute("SELECT count(*) FROM sync_view WHERE user_id = ?", [current.user_id]).fetchone()[0]


def test_a_push_authenticated_before_the_erasure_writes_nothing_after_it(fresh_db):
    """The request's token was checked, then the account was erased (every client and view row gone) before the
    push took the shopper's lock: the push binds no new client and writes none of the erased account's view."""
    import msgspec

    from accounts import service as accounts_service
    from accounts.policy import AuthPolicy
    from server.wiring import install
    from sync import engine
    from sync import store as sync_store
    from sync.errors import UnknownClient
    from sync.limits import SyncLimits
    from sync.models import Mutation, PushRequest
    from tests.utils import TEST_SCRYPT_N

    user_id = accounts_service.signup(fresh_db, AuthPolicy(scrypt_n=TEST_SCRYPT_N), "gone@example.com", PASSWORD,
                                      "phone", "10.0.0.1").user_id

    def push(mutation_id: int, value: str):
        request = PushRequest(client_id="phone-1", mutations=[Mutation(
            id=mutation_id, name="prefs.set", args=msgspec.Raw(msgspec.json.encode({"name": "nickname", "value": value})),
            at=int(time.time() * 1000))])
        return engine.push(fresh_db, user_id, request, SyncLimits(), install().mutators)

    assert 1 == push(1, "Zebediah").last_mutation_id
    with fresh_db.write() as db:  # delete_account's erasure
        sync_store.erase_user(db, user_id)
        accounts_service.erase(db, user_id)
    with pytest.raises(UnknownClient):
        push(2, "Still here")
    db = fresh_db.read()
    assert 0 == db.execute("SELECT count(*) FROM sync_view WHERE user_id = ?", [user_id]).fetchone()[0]
    assert 0 == db.execute("SELECT count(*) FROM sync_clients WHERE user_id = ?", [user_id]).fetchone()[0]


def test_deleting_an_account_with_2fa_needs_a_current_code(shop, fresh_db):
    client, _ = shop
    response = client.post("/api/auth/signup", json={"email": "two@example.com", "password": PASSWORD})
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    client.post("/api/auth/totp/enrol", headers=headers)
    secret = accounts_store.user_by_id(fresh_db.read(), response.json()["userId"])["totp_secret"]
    assert 204 == client.post("/api/auth/totp/confirm", json={"code": totp.code_at(secret, time.time())},
                              headers=headers).status_code
    assert 403 == client.request("DELETE", "/api/me", headers=headers, json={"password": PASSWORD}).status_code
    code = totp.code_at(secret, time.time() + 30)  # the next step's code (the current one was used to confirm)
    assert 204 == client.request("DELETE", "/api/me", headers=headers, json={"password": PASSWORD, "totp": code}).status_code
