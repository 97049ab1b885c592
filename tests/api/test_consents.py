"""Consents per purpose: synced to every device, last decision wins, and retention targets only shoppers who agreed."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from litestar.testing import TestClient

from accounts import consents
from retention import audience_store, push_store
from retention.facts import collect
from retention.run import run_retention
from server.app import create_app
from server.push_runtime import push_runtime
from tests.push_double import PushDouble
from tests.built_app import app_for
from tests.utils import add_product, log_in, sign_up


def push(client, headers, client_id: str, *mutations: tuple[str, dict, int]) -> dict:
    """Push (name, args, at) mutations numbered from 1 by one client; the answer."""
    body = {"clientId": client_id, "mutations": [
        {"id": i, "name": name, "args": args, "at": at} for i, (name, args, at) in enumerate(mutations, 1)]}
    response = client.post("/api/sync/push", headers=headers, json=body)
    assert 200 == response.status_code, response.text
    return response.json()


def view_of(client, headers, client_id: str) -> dict:
    pulled = client.post("/api/sync/pull", headers=headers, json={"clientId": client_id}).json()
    return {op["key"]: op.get("value") for op in pulled["patch"] if "key" in op}


def test_a_consent_given_on_one_device_shows_on_every_device_with_its_time(client):
    phone = sign_up(client)
    laptop = log_in(client)
    now = int(time.time() * 1000)
    answer = push(client, phone, "consent-phone-1", ("consent.set", {"purpose": "offers", "granted": True}, now - 5000),
                  ("consent.set", {"purpose": "analytics", "granted": True}, now - 4000))
    assert [] == answer["errors"]
    assert {"analytics": {"granted": True, "at": now - 4000}, "offers": {"granted": True, "at": now - 5000}} == view_of(
        client, laptop, "consent-laptop-1")["consents"]
    # The laptop withdraws later; the phone's delayed, older "yes" does not undo that.
    push(client, laptop, "consent-laptop-1", ("consent.set", {"purpose": "offers", "granted": False}, now - 1000))
    push(client, phone, "consent-phone-2", ("consent.set", {"purpose": "offers", "granted": True}, now - 3000))
    assert {"granted": False, "at": now - 1000} == view_of(client, phone, "consent-phone-3")["consents"]["offers"]


@pytest.mark.parametrize("args", [{"purpose": "spam", "granted": True}, {"purpose": "offers"}, {"purpose": "offers", "granted": "yes"}])
def test_bad_consent_mutations_are_rejected_and_change_nothing(client, args):
    headers = sign_up(client)
    answer = push(client, headers, "consent-bad-1", ("consent.set", args, int(time.time() * 1000)))
    assert [1] == [e["id"] for e in answer["errors"]]
    assert "consents" not in view_of(client, headers, "consent-bad-2")


def test_subscribing_to_push_records_consent_to_notifications(settings, fresh_db):
    with PushDouble(push_runtime(settings).public_key) as double:
        with TestClient(create_app(settings.with_(push_test_origins=(double.origin,)), fresh_db)) as client:
            headers = sign_up(client)
            body = {**double.new_subscription(), "consent": True, "timeZone": "Europe/Berlin"}
            assert 201 == client.post("/api/push/subscriptions", json=body, headers=headers).status_code
            assert {"notifications"} == set(view_of(client, headers, "consent-push-1")["consents"])
            assert consents.has(fresh_db.read(), int(headers["X-Test-User"]), "notifications")


def test_only_shoppers_who_agreed_get_segments_and_campaign_messages(settings, fresh_db):
    """Three shoppers abandon a cart: the one who agreed to everything gets the message; the one who refused
    offers gets a segment but no message; the one who refused analytics is not even scored."""
    add_product(fresh_db, "MUG-1")
    long_ago = int(time.time() * 1000) - 3 * 3600 * 1000
    with PushDouble(push_runtime(settings).public_key) as double:
        push_settings = settings.with_(push_test_origins=(double.origin,), quiet_hours=(0, 0))
        with TestClient(app_for(push_settings, fresh_db)) as client:
            shoppers = {}
            for name, agreed in [("all", ("offers", "analytics")), ("no-offers", ("analytics",)), ("no-analytics", ("offers",))]:
                headers = sign_up(client, email=f"{name}@example.com")
                sub = double.new_subscription()
                assert 201 == client.post("/api/push/subscriptions", json={**sub, "consent": True}, headers=headers).status_code
                push(client, headers, f"consent-{name}-1", ("cart.add", {"sku": "MUG-1"}, long_ago),
                     *[("consent.set", {"purpose": p, "granted": True}, long_ago) for p in agreed])
                shoppers[name] = (int(headers["X-Test-User"]), sub)
            runtime = push_runtime(push_settings)
            sender = runtime.sender()
            try:
                result = run_retention(fresh_db, runtime.config, datetime.now(timezone.utc), collect, sender=sender,
                                       after_commit=None)
            finally:
                sender.close()
            db = fresh_db.read()
            scored = {name: audience_store.get_scores(db, uid) is not None for name, (uid, _) in shoppers.items()}
            subscribed = all(push_store.user_subscriptions(db, uid) for uid, _ in shoppers.values())
        got = {name: len(double.for_subscription(sub)) for name, (_, sub) in shoppers.items()}
    assert {"cart_abandoned": 1} == result.messages
    assert {"all": 1, "no-offers": 0, "no-analytics": 0} == got
    assert {"all": True, "no-offers": True, "no-analytics": False} == scored
    assert subscribed  # every one agreed to notifications by subscribing


@pytest.mark.parametrize("language, heading", [("en-GB,en;q=0.9", "Privacy and your data"), ("zh-CN,zh;q=0.9", "隐私与您的数据")])
def test_the_privacy_page_is_in_the_shoppers_language(client, language, heading):
    response = client.get("/privacy", headers={"Accept-Language": language})
    assert 200 == response.status_code and "Accept-Language" in response.headers["vary"]
    assert f"<h1>{heading}</h1>" in response.text
    assert all(f'id="lm-consent-{p}"' in response.text for p in consents.PURPOSES)
