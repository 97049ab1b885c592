"""Push over HTTP: the key, subscriptions per device (ownership, validation, consent), events, coupons at checkout."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from litestar.testing import TestClient

from retention import audience_store, campaign_store
from retention.delivery import deliver_due
from retention.models import CampaignIn, OfferIn, Variant
from retention.offers import create_offer
from retention.planner import create_campaign, enqueue_message
from retention.receipts import receipt_for
from server.push_runtime import push_runtime
from sync import store as sync_store
from tests.loyalty_support import fill_cart
from tests.push_double import PushDouble
from tests.built_app import app_for
from tests.utils import add_product, assert_problem, log_in, sign_up, waits_for_shopper_lock


@pytest.fixture
def double(settings):
    with PushDouble(push_runtime(settings).public_key) as d:
        yield d


@pytest.fixture
def push_settings(settings, double):
    return settings.with_(push_test_origins=(double.origin,), quiet_hours=(0, 0))


@pytest.fixture
def api(push_settings, fresh_db):
    with TestClient(app_for(push_settings, fresh_db)) as test_client:
        yield test_client


def body(sub: dict, **extra) -> dict:
    return {**sub, "consent": True, "timeZone": "Europe/Berlin", "locale": "de-DE", **extra}


def test_the_key_is_the_vapid_public_key_and_cacheable(api, push_settings):
    response = api.get("/api/push/key")
    assert 200 == response.status_code
    assert push_runtime(push_settings).public_key == response.json()["publicKey"]
    assert 304 == api.get("/api/push/key", headers={"If-None-Match": response.headers["etag"]}).status_code


def test_subscribe_list_and_unsubscribe_per_device(api, double, fresh_db):
    phone = sign_up(api, "a@example.com")
    laptop = log_in(api, "a@example.com")
    sub = double.new_subscription()
    created = api.post("/api/push/subscriptions", json=body(sub), headers=phone)
    assert 201 == created.status_code, created.text
    got = created.json()
    assert (int(phone["X-Test-Device"]), "127.0.0.1") == (got["deviceId"], got["service"])
    api.post("/api/push/subscriptions", json=body(double.new_subscription()), headers=laptop)
    assert 2 == len(api.get("/api/push/subscriptions", headers=phone).json())
    # The same device subscribing again (keys rotated) replaces its old subscription.
    api.post("/api/push/subscriptions", json=body(double.new_subscription()), headers=phone)
    assert 2 == len(api.get("/api/push/subscriptions", headers=phone).json())
    profile = audience_store.get_profile(fresh_db.read(), int(phone["X-Test-User"]))
    assert ("Europe/Berlin", "de-DE") == (profile["time_zone"], profile["locale"])
    ids = [s["id"] for s in api.get("/api/push/subscriptions", headers=phone).json()]
    assert 204 == api.delete(f"/api/push/subscriptions/{ids[0]}", headers=phone).status_code
    assert 404 == api.delete(f"/api/push/subscriptions/{ids[0]}", headers=phone).status_code


def test_a_subscribe_authenticated_before_the_erasure_stores_nothing_after_it(api, double, fresh_db, push_settings):
    """The request's token was checked, then the account was erased (devices, consents and subscriptions gone)
    before the subscribe took the shopper's lock: a 401, not the device's foreign key failing (500), and nothing
    stored for the erased account."""
    import msgspec

    from accounts import service as accounts_service
    from accounts.errors import NotAuthenticated
    from retention import push_store
    from retention import service as retention_service
    from retention.models import NewSubscription

    phone = sign_up(api, "gone@example.com")
    user, device = int(phone["X-Test-User"]), int(phone["X-Test-Device"])
    with fresh_db.write() as db:  # delete_account's erasure
        sync_store.erase_user(db, user)
        retention_service.erase_shopper(db, user)
        accounts_service.erase(db, user)
    sub = msgspec.convert(body(double.new_subscription()), NewSubscription)
    with pytest.raises(NotAuthenticated):
        retention_service.subscribe(fresh_db, push_runtime(push_settings).config, user, device, sub,
                                    datetime.now(timezone.utc))
    db = fresh_db.read()
    assert [] == push_store.user_subscriptions(db, user)
    assert audience_store.get_profile(db, user) is None
    assert 0 == db.execute("SELECT count(*) FROM sync_view WHERE user_id = ?", [user]).fetchone()[0]


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_subscribing_waits_for_the_shoppers_other_writers(api, double, fresh_db, push_settings):
    """Subscribing records the notifications consent last-writer-wins and counts the shopper's subscriptions (read,
    then write): a sync push on another server holding the shopper's lock goes first."""
    import msgspec

    from retention import service as retention_service
    from retention.models import NewSubscription

    phone = sign_up(api, "a@example.com")
    user, device = int(phone["X-Test-User"]), int(phone["X-Test-Device"])
    sub = msgspec.convert(body(double.new_subscription()), NewSubscription)
    config = push_runtime(push_settings).config
    waits_for_shopper_lock(push_settings.database_url, user, lambda: retention_service.subscribe(
        fresh_db, config, user, device, sub, datetime.now(timezone.utc)))
    assert 1 == len(api.get("/api/push/subscriptions", headers=phone).json())


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_one_endpoint_subscribed_by_several_shoppers_at_once_is_stored_once(api, double, fresh_db, push_settings):
    """A browser signed in as several shoppers subscribes for each at once on several servers: each either takes or
    moves the endpoint or is told to try again (409); none fails on the endpoint's unique index (500)."""
    import threading

    import msgspec

    from retention import push_store
    from retention import service as retention_service
    from retention.errors import EndpointTaken
    from retention.models import NewSubscription
    from server.postgres import PostgresDatabase
    from tests.utils import start_and_join

    shoppers = [sign_up(api, f"s{n}@example.com") for n in range(4)]
    sub = msgspec.convert(body(double.new_subscription()), NewSubscription)
    config = push_runtime(push_settings).config
    servers = [PostgresDatabase(push_settings.database_url, max_size=1) for _ in shoppers]
    barrier = threading.Barrier(len(servers))
    outcomes = []

    def subscribe(database, headers) -> None:
        barrier.wait()
        try:
            retention_service.subscribe(database, config, int(headers["X-Test-User"]), int(headers["X-Test-Device"]),
                                        sub, datetime.now(timezone.utc))
            outcomes.append("stored")
        except EndpointTaken:
            outcomes.append("taken")
        except Exception as exc:  # the unique index's error: what the test must never see
            outcomes.append(type(exc).__name__)

    start_and_join([threading.Thread(target=subscribe, args=(d, h)) for d, h in zip(servers, shoppers)])
    for database in servers:
        database.close()
    assert {"stored"} <= set(outcomes) <= {"stored", "taken"}, outcomes
    assert push_store.subscription_id_for(fresh_db.read(), sub.endpoint) is not None


def test_another_shoppers_subscription_is_not_found(api, double):
    alice = sign_up(api, "alice@example.com")
    bob = sign_up(api, "bob@example.com")
    sid = api.post("/api/push/subscriptions", json=body(double.new_subscription()), headers=alice).json()["id"]
    assert_problem(api.delete(f"/api/push/subscriptions/{sid}", headers=bob), 404, "subscription")
    assert [] == api.get("/api/push/subscriptions", headers=bob).json()
    assert 1 == len(api.get("/api/push/subscriptions", headers=alice).json())


def test_subscriptions_need_a_shopper(api, double):
    assert 401 == api.post("/api/push/subscriptions", json=body(double.new_subscription())).status_code
    assert 401 == api.get("/api/push/subscriptions").status_code
    assert 401 == api.delete("/api/push/subscriptions/1").status_code


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/x",
        "https://127.0.0.1/push",
        "https://localhost:8000/push",
        "https://10.0.0.8/push",
        "https://192.168.0.10/push",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/push",
        "https://[fe80::1]/push",
        "https://user@fcm.googleapis.com/x",
        "https://evil.example/push",
        "http://127.0.0.1:9/push",
    ],
)
def test_ssrf_endpoints_are_refused(api, double, endpoint):
    headers = sign_up(api, "a@example.com")
    sub = double.new_subscription()
    response = api.post("/api/push/subscriptions", json=body({**sub, "endpoint": endpoint}), headers=headers)
    assert_problem(response, 422, "push")
    assert [] == api.get("/api/push/subscriptions", headers=headers).json()


BAD_SUBSCRIPTIONS = {
    "short-p256dh": lambda sub: body({**sub, "keys": {**sub["keys"], "p256dh": "AAAA"}}),
    "short-auth": lambda sub: body({**sub, "keys": {**sub["keys"], "auth": "AAAA"}}),
    "no-consent": lambda sub: body(sub, consent=False),
    "unknown-time-zone": lambda sub: body(sub, timeZone="Mars/Base"),
    "endpoint-only": lambda sub: {"endpoint": sub["endpoint"]},
    "long-endpoint": lambda sub: body({**sub, "endpoint": "https://fcm.googleapis.com/" + "x" * 3000}),
}


@pytest.mark.parametrize("make", BAD_SUBSCRIPTIONS.values(), ids=BAD_SUBSCRIPTIONS.keys())
def test_bad_keys_consent_and_sizes_are_4xx(api, double, make):
    headers = sign_up(api, "a@example.com")
    case = make(double.new_subscription())
    response = api.post("/api/push/subscriptions", json=case, headers=headers)
    assert response.status_code in (400, 413, 422), (case, response.status_code)


def test_a_subscription_body_past_the_limit_is_413(api):
    headers = sign_up(api, "a@example.com")
    big = api.post("/api/push/subscriptions", content=b"{" + b" " * 20_000 + b"}", headers={**headers, "Content-Type": "application/json"})
    assert 413 == big.status_code


def test_events_from_the_service_worker_and_the_shopper(api, double, fresh_db, push_settings):
    alice = sign_up(api, "alice@example.com")
    bob = sign_up(api, "bob@example.com")
    uid = int(alice["X-Test-User"])
    api.post("/api/push/subscriptions", json=body(double.new_subscription()), headers=alice)
    runtime = push_runtime(push_settings)
    with fresh_db.write() as db:
        mid = enqueue_message(db, user_id=uid, trigger="test", dedupe="t", context={}, campaign=None,
                              now=datetime.now(timezone.utc), config=runtime.config)
    sender = runtime.sender()
    deliver_due(fresh_db, sender)
    sender.close()
    [got] = double.received
    payload = json.loads(got.payload)
    assert receipt_for(runtime.config.receipt_key, mid) == payload["receipt"]
    # The service worker reports with the receipt and no token.
    shown = api.post("/api/events", json={"events": [{"type": "notification.shown", "messageId": mid, "receipt": payload["receipt"]}]})
    assert {"recorded": 1, "ignored": 0} == shown.json()
    forged = api.post("/api/events", json={"events": [{"type": "notification.clicked", "messageId": mid, "receipt": "AAAAAAAAAAAAAAAAAAAAAA"}]})
    assert {"recorded": 0, "ignored": 1} == forged.json()
    assert {"recorded": 0, "ignored": 1} == api.post("/api/events", json={"events": [{"type": "notification.clicked", "messageId": mid}]}, headers=bob).json()
    assert {"recorded": 1, "ignored": 0} == api.post("/api/events", json={"events": [{"type": "notification.clicked", "messageId": mid}]}, headers=alice).json()
    assert {"recorded": 2, "ignored": 0} == api.post("/api/events", json={"events": [{"type": "product.viewed", "sku": "A"}] * 2}, headers=alice).json()
    views = api.app.state.database.read().execute("SELECT sku, views FROM retention_product_views").fetchall()
    assert [("A", 2)] == [tuple(r) for r in views]  # the browse history per product
    assert 401 == api.post("/api/events", json={"events": []}, headers={"Authorization": "Bearer nope"}).status_code
    too_many = api.post("/api/events", json={"events": [{"type": "product.viewed", "sku": "A"}] * 51}, headers=alice)
    assert 400 == too_many.status_code
    assert 400 == api.post("/api/events", json={"events": [{"type": "whatever"}]}, headers=alice).status_code


def test_a_signed_out_device_gets_no_more_pushes(api, double):
    phone = sign_up(api, "a@example.com")
    laptop = log_in(api, "a@example.com")
    api.post("/api/push/subscriptions", json=body(double.new_subscription()), headers=phone)
    api.post("/api/push/subscriptions", json=body(double.new_subscription()), headers=laptop)
    assert 204 == api.post("/api/auth/logout", headers=laptop).status_code
    assert [int(phone["X-Test-Device"])] == [s["deviceId"] for s in api.get("/api/push/subscriptions", headers=phone).json()]


def test_retention_coupons_at_checkout_and_roi(api, double, fresh_db, admin_headers, push_settings):
    add_product(fresh_db, "MUG", price=2_000, stock=50)
    headers = sign_up(api, "a@example.com")
    uid = int(headers["X-Test-User"])
    with fresh_db.write() as db:
        offer = create_offer(db, OfferIn(code="BACK20", title="20% back", kind="percent", value=20, expires_at="2099-01-01T00:00:00Z", budget=100_000), datetime.now(timezone.utc))
        campaign = create_campaign(db, CampaignIn(name="Win back", trigger="segment", segment="regular", variants=[Variant(name="A", template_key="segment", offer_id=offer.id), Variant(name="B", template_key="segment", offer_id=offer.id)]))
        enqueue_message(db, user_id=uid, trigger="segment", dedupe=f"campaign:{campaign.id}", context={}, campaign=campaign,
                        now=datetime.now(timezone.utc), config=push_runtime(push_settings).config)
    fill_cart(fresh_db, uid, {"MUG": 2})
    order = api.post("/api/orders", headers={**headers, "Idempotency-Key": "k1"}, json={"code": "BACK20"})
    assert 201 == order.status_code, order.text
    assert (4_000, 800, 3_200) == (order.json()["subtotal"], order.json()["discount"], order.json()["total"])
    fill_cart(fresh_db, uid, {"MUG": 1})
    again = api.post("/api/orders", headers={**headers, "Idempotency-Key": "k2"}, json={"code": "BACK20"})
    assert_problem(again, 422, "used already")
    other = sign_up(api, "b@example.com")
    fill_cart(fresh_db, int(other["X-Test-User"]), {"MUG": 1})
    assert_problem(api.post("/api/orders", headers={**other, "Idempotency-Key": "k3"}, json={"code": "BACK20"}), 422, "not offered")
    row = campaign_store.get_offer(fresh_db.read(), offer.id)
    assert (800, 1) == (row["spent"], row["redemptions"])
    assert "BACK20" == sync_store.get_view(fresh_db.read(), uid, "offers/")[f"offers/{offer.id}"]["code"]
    [line] = [r for r in api.get("/api/admin/retention/report", headers=admin_headers).json() if r["campaignId"] == campaign.id]
    assert (1, 1, 0, 0, None) == (line["messages"], line["redeemed"], line["revenue"], line["discount"], line["roi"])
    paid = api.post(f"/api/admin/orders/{order.json()['id']}/status", headers=admin_headers, json={"status": "paid"})
    assert 200 == paid.status_code, paid.text
    [line] = [r for r in api.get("/api/admin/retention/report", headers=admin_headers).json() if r["campaignId"] == campaign.id]
    assert (3_200, 800, 4.0, 1.0) == (line["revenue"], line["discount"], line["roi"], line["conversion"])
