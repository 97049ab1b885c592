"""End-to-end delivery to the push double: VAPID JWT verified, payload decrypted, 410/429/5xx/redirects, no resend."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from retention import push_store
from retention.config import RetentionConfig
from retention.delivery import PushSender, backoff, deliver_due, parse_retry_after
from retention.models import CampaignIn, Variant
from retention.planner import create_campaign, enqueue_message
from retention.vapid_keys import application_server_key, load_vapid
from tests.push_double import PushDouble
from tests.push_subscriptions import subscribe

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)


class Clock:
    """A settable clock for the sender."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def config(double):
    return RetentionConfig(test_origins=(double.origin,), quiet_hours=(0, 0), cap_per_day=100, cap_per_week=100, max_attempts=3)


@pytest.fixture
def clock():
    return Clock(NOW)


@pytest.fixture
def sender(vapid, config, clock):
    s = PushSender(vapid, config, clock=clock)
    yield s
    s.close()


def message(database, config, user_id=1, dedupe="m1", trigger="test", campaign=None, context=None) -> int:
    with database.write() as db:
        return enqueue_message(db, user_id=user_id, trigger=trigger, dedupe=dedupe, context=context or {}, campaign=campaign, now=NOW, config=config)


def test_delivery_is_signed_encrypted_and_carries_ttl_urgency_topic(fresh_db, double, config, sender, clock):
    sid, sub = subscribe(fresh_db, double, 1)
    with fresh_db.write() as db:
        campaign = create_campaign(db, CampaignIn(name="Cart", trigger="cart_abandoned", variants=[Variant(name="A", template_key="cart_abandoned"), Variant(name="B", template_key="cart_abandoned")], urgency="high", ttl=3600, topic="cart-offer"))
    mid = message(fresh_db, config, trigger="cart_abandoned", campaign=campaign, context={"items": 2})
    report = deliver_due(fresh_db, sender)
    assert (1, 1) == (report.sent, report.accepted)
    [got] = double.for_subscription(sub)
    assert 201 == got.status and got.problem is None
    assert double.origin == got.claims["aud"]
    assert got.claims["exp"] > NOW.timestamp()
    assert ("3600", "high", "cart-offer") == (got.headers["ttl"], got.headers["urgency"], got.headers["topic"])
    payload = json.loads(got.payload)
    assert (mid, "Your cart is waiting", "/cart") == (payload["messageId"], payload["title"], payload["url"])
    assert "2 item(s)" in payload["body"]
    assert ["accepted"] == [r["state"] for r in push_store.outbox_rows(fresh_db.read())]


def test_one_vapid_signer_makes_fresh_claims_for_each_push_service(fresh_db, vapid, clock):
    with PushDouble(application_server_key(vapid)) as one, PushDouble(application_server_key(vapid)) as two:
        cfg = RetentionConfig(test_origins=(one.origin, two.origin), quiet_hours=(0, 0))
        first = subscribe(fresh_db, one, 1)[1]
        second = subscribe(fresh_db, two, 2)[1]
        message(fresh_db, cfg, user_id=1)
        message(fresh_db, cfg, user_id=2)
        s = PushSender(vapid, cfg, clock=clock)
        assert 2 == deliver_due(fresh_db, s).accepted
        s.close()
        # Each double checked the JWT's aud against its own origin.
        assert (one.origin, two.origin) == (one.for_subscription(first)[0].claims["aud"], two.for_subscription(second)[0].claims["aud"])


def test_a_wrong_vapid_key_is_refused_by_the_double(fresh_db, config, clock, tmp_path):
    other = load_vapid(tmp_path / "other")
    with PushDouble(application_server_key(load_vapid(tmp_path / "right"))) as d:
        cfg = RetentionConfig(test_origins=(d.origin,), quiet_hours=(0, 0))
        _, sub = subscribe(fresh_db, d, 1)
        message(fresh_db, cfg)
        s = PushSender(other, cfg, clock=clock)
        report = deliver_due(fresh_db, s)
        s.close()
    assert (1, 0, 1) == (report.sent, report.accepted, report.rejected)
    assert "unexpected VAPID key" == d.for_subscription(sub)[0].problem


@pytest.mark.parametrize("status", [404, 410])
def test_gone_subscriptions_are_deleted(fresh_db, double, config, sender, status):
    sid, sub = subscribe(fresh_db, double, 1)
    double.respond(sub, status)
    message(fresh_db, config)
    report = deliver_due(fresh_db, sender)
    assert 1 == report.gone
    assert push_store.get_subscription(fresh_db.read(), sid) is None
    assert ["gone"] == [r["state"] for r in push_store.outbox_rows(fresh_db.read())]


def test_429_is_retried_after_retry_after(fresh_db, double, config, sender, clock):
    _, sub = subscribe(fresh_db, double, 1)
    double.respond(sub, 429, retry_after="120")
    message(fresh_db, config)
    assert 1 == deliver_due(fresh_db, sender).retried
    [row] = push_store.outbox_rows(fresh_db.read())
    assert ("pending", "2026-06-10T12:02:00.000000Z") == (row["state"], row["not_before"])
    clock.at = NOW + timedelta(seconds=60)
    assert 0 == deliver_due(fresh_db, sender).sent  # too early: nothing goes out
    clock.at = NOW + timedelta(seconds=121)
    assert 1 == deliver_due(fresh_db, sender).accepted
    assert [429, 201] == [r.status for r in double.for_subscription(sub)]


def test_5xx_backs_off_then_gives_up(fresh_db, double, config, sender, clock):
    _, sub = subscribe(fresh_db, double, 1)
    double.respond(sub, 503, times=5)
    message(fresh_db, config)
    deliver_due(fresh_db, sender)
    [row] = push_store.outbox_rows(fresh_db.read())
    assert "2026-06-10T12:00:30.000000Z" == row["not_before"]
    clock.at = NOW + timedelta(seconds=31)
    deliver_due(fresh_db, sender)
    clock.at = NOW + timedelta(hours=2)
    report = deliver_due(fresh_db, sender)
    assert 1 == report.failed  # max_attempts = 3
    assert "failed" == push_store.outbox_rows(fresh_db.read())[0]["state"]
    assert 3 == len(double.for_subscription(sub))


def test_retry_after_and_backoff_parsing():
    assert 120.0 == parse_retry_after("120", NOW)
    assert 90.0 == parse_retry_after("Wed, 10 Jun 2026 12:01:30 GMT", NOW)
    assert 0.0 == parse_retry_after("Wed, 10 Jun 2026 11:00:00 GMT", NOW)
    assert 86_400.0 == parse_retry_after("99999999", NOW)
    assert parse_retry_after("soon", NOW) is None
    assert [30.0, 60.0, 120.0, 3600.0] == [backoff(1), backoff(2), backoff(3), backoff(20)]


def test_redirects_are_never_followed(fresh_db, double, config, sender):
    _, sub = subscribe(fresh_db, double, 1)
    elsewhere = double.new_subscription()
    double.respond(sub, 307, location=elsewhere["endpoint"])
    message(fresh_db, config)
    report = deliver_due(fresh_db, sender)
    assert (1, 1) == (report.sent, report.rejected)
    assert [] == double.for_subscription(elsewhere)
    assert "rejected" == push_store.outbox_rows(fresh_db.read())[0]["state"]


def test_an_endpoint_no_longer_allowed_is_not_contacted(fresh_db, double, vapid, clock):
    _, sub = subscribe(fresh_db, double, 1)
    narrowed = RetentionConfig(quiet_hours=(0, 0))  # the test origin is no longer configured
    message(fresh_db, narrowed)
    s = PushSender(vapid, narrowed, clock=clock)
    report = deliver_due(fresh_db, s)
    s.close()
    assert 1 == report.rejected
    assert [] == double.for_subscription(sub)


def test_a_restart_never_sends_twice(fresh_db, double, config, sender, clock):
    _, sub = subscribe(fresh_db, double, 1)
    message(fresh_db, config, dedupe="a")
    message(fresh_db, config, dedupe="b")
    # A worker claims both rows and dies before sending anything.
    with fresh_db.write() as db:
        claimed = push_store.claim_due(db, "2026-06-10T12:00:00.000000Z", 10)
    assert 2 == len(claimed)
    message(fresh_db, config, dedupe="c")
    assert 1 == deliver_due(fresh_db, sender).accepted  # only the new one
    clock.at = NOW + timedelta(hours=1)
    report = deliver_due(fresh_db, sender)
    assert (0, 2) == (report.sent, report.lost)
    assert 1 == len(double.for_subscription(sub))
    assert 0 == deliver_due(fresh_db, sender).sent  # and delivered rows stay delivered
    assert ["lost", "lost", "accepted"] == [r["state"] for r in push_store.outbox_rows(fresh_db.read())]


def test_many_devices_are_served_by_the_pool(fresh_db, double, config, sender):
    subs = [subscribe(fresh_db, double, user)[1] for user in range(1, 41)]
    for user in range(1, 41):
        message(fresh_db, config, user_id=user)
    report = deliver_due(fresh_db, sender, batch=16)
    assert 40 == report.accepted
    assert all(1 == len(double.for_subscription(s)) for s in subs)


def test_a_message_fans_out_to_each_device_of_the_shopper(fresh_db, double, config, sender):
    phone = subscribe(fresh_db, double, 1, device_id=1)[1]
    laptop = subscribe(fresh_db, double, 1, device_id=2)[1]
    mid = message(fresh_db, config)
    deliver_due(fresh_db, sender)
    assert [mid, mid] == [json.loads(double.for_subscription(s)[0].payload)["messageId"] for s in (phone, laptop)]


def test_quiet_hours_defer_delivery(fresh_db, double, sender, clock):
    cfg = RetentionConfig(test_origins=(double.origin,), quiet_hours=(21, 9), default_time_zone="Asia/Tokyo")
    _, sub = subscribe(fresh_db, double, 1)
    message(fresh_db, cfg)  # 12:00 UTC = 21:00 in Tokyo: quiet
    assert 0 == deliver_due(fresh_db, sender).sent
    clock.at = datetime(2026, 6, 11, 0, 0, tzinfo=timezone.utc)  # 09:00 in Tokyo
    assert 1 == deliver_due(fresh_db, sender).accepted
