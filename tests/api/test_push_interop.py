"""Delivery against an independent push service: npm's web-push-testing checks VAPID and decrypts every message."""

from __future__ import annotations

import json
import pytest
from litestar.testing import TestClient

from retention.config import RetentionConfig
from retention.delivery import PushSender
from retention.vapid_keys import load_vapid
from server.cli.main import main
from server.push_runtime import push_runtime
from tests.built_app import app_for
from tests.utils import point_cli_at, sign_up
from tests.web_push_testing import WebPushTesting


@pytest.fixture(scope="module")
def service():
    with WebPushTesting() as running:
        yield running


@pytest.fixture
def env(monkeypatch, settings, service):
    point_cli_at(monkeypatch, settings)
    monkeypatch.setenv("LASTMILE_PUSH_TEST_ORIGINS", service.origin)
    monkeypatch.setenv("LASTMILE_QUIET_HOURS", "0-0")
    return settings.with_(push_test_origins=(service.origin,), quiet_hours=(0, 0))


@pytest.fixture
def subscribed(env, fresh_db, service) -> dict:
    """A shopper whose device subscribed through the API with a subscription the service made for our key."""
    browser = service.subscribe(push_runtime(env).public_key)
    with TestClient(app_for(env, fresh_db)) as client:
        headers = sign_up(client, email="interop@example.com")
        body = {"endpoint": browser["endpoint"], "keys": browser["keys"], "consent": True, "timeZone": "UTC"}
        response = client.post("/api/push/subscriptions", json=body, headers=headers)
        assert 201 == response.status_code, response.text
    return browser


def test_push_test_is_accepted_verified_and_decrypted(subscribed, service, capsys):
    assert 0 == main(["push", "test", "--email", "interop@example.com"])
    assert "1 of 1 devices accepted; statuses {201: 1}" in capsys.readouterr().out
    [message] = service.messages(subscribed["clientHash"])
    assert "Test notification" == json.loads(message)["title"]


def test_an_expired_subscription_is_gone_and_deleted(subscribed, service, fresh_db, capsys):
    service.expire(subscribed["clientHash"])
    assert 1 == main(["push", "test", "--email", "interop@example.com"])
    assert "0 of 1 devices accepted; statuses {410: 1}; 1 gone" in capsys.readouterr().out
    assert 0 == fresh_db.read().execute("SELECT count(*) FROM push_subscriptions").fetchone()[0]


def test_a_message_signed_with_another_vapid_key_is_refused_by_the_service(env, service, tmp_path):
    browser = service.subscribe(push_runtime(env).public_key)
    impostor = PushSender(load_vapid(tmp_path / "other"), RetentionConfig(test_origins=(service.origin,)))
    row = {"id": 1, "subscription_id": 1, "endpoint": browser["endpoint"], "p256dh": browser["keys"]["p256dh"],
           "auth": browser["keys"]["auth"], "payload": b'{"title": "not ours"}', "ttl": 60, "urgency": "normal",
           "topic": None, "attempts": 0}
    try:
        outcome = impostor.send(row)
    finally:
        impostor.close()
    assert ("rejected", 400) == (outcome.state, outcome.status)
    assert [] == service.messages(browser["clientHash"])
