"""/admin/push: accepted, gone, throttled, and deferrals split by cause (caps or quiet hours), from delivery records."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from retention import campaign_store
from retention.config import RetentionConfig
from retention.delivery import PushSender, deliver_due
from retention.planner import enqueue_message
from retention.schedule import CAPS, QUIET_HOURS
from tests.operator_support import console_sign_in
from tests.push_subscriptions import subscribe


def zone_at(now: datetime, local_hour: int) -> str:
    """A fixed-offset zone whose wall clock shows ``local_hour`` at ``now``."""
    offset = next(o for o in (local_hour - now.hour + k for k in (-24, 0, 24)) if -12 <= o <= 14)
    return "Etc/GMT" + ("" if offset == 0 else f"{-offset:+d}")  # Etc/GMT-3 is UTC+3


def kpis(html: str) -> dict[str, int]:
    return {label: int(value) for value, label in re.findall(r'<li><span class="v">(\d+)</span>([^<]+)</li>', html)}


def test_the_push_page_splits_deferrals_by_cause_and_counts_throttled_deliveries(client, fresh_db, double, vapid):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    day = RetentionConfig(test_origins=(double.origin,), quiet_hours=(21, 9), cap_per_day=1, cap_per_week=5,
                          default_time_zone=zone_at(now, 13), max_attempts=3)
    night = RetentionConfig(test_origins=(double.origin,), quiet_hours=(21, 9), default_time_zone=zone_at(now, 23))
    _, throttled = subscribe(fresh_db, double, 1)
    _, gone = subscribe(fresh_db, double, 2)
    subscribe(fresh_db, double, 3)
    double.respond(throttled, 429, retry_after="60")
    double.respond(gone, 410)
    with fresh_db.write() as db:
        first = enqueue_message(db, user_id=1, trigger="test", dedupe="a", context={}, campaign=None, now=now, config=day)
        capped = enqueue_message(db, user_id=1, trigger="test", dedupe="b", context={}, campaign=None, now=now, config=day)
        enqueue_message(db, user_id=2, trigger="test", dedupe="a", context={}, campaign=None, now=now, config=day)
        quiet = enqueue_message(db, user_id=3, trigger="test", dedupe="a", context={}, campaign=None, now=now, config=night)
        causes = [campaign_store.get_message(db, m)["deferred_by"] for m in (first, capped, quiet)]
    assert [None, CAPS, QUIET_HOURS] == causes
    at = [now]
    sender = PushSender(vapid, day, clock=lambda: at[0])
    try:
        deliver_due(fresh_db, sender)  # first: 429; user 2: 410
        at[0] = now + timedelta(seconds=61)
        assert 1 == deliver_due(fresh_db, sender).accepted  # first, after its Retry-After
    finally:
        sender.close()
    console_sign_in(client, fresh_db, "marketer@example.com", "marketer")
    page = client.get("/admin/push")
    assert 200 == page.status_code
    figures = kpis(page.text)
    expected = {"accepted": 1, "gone (404/410)": 1, "throttled (429 at least once)": 1, "failed or rejected": 0,
                "deferred by frequency caps": 1, "deferred by quiet hours": 1, "deferred, still waiting": 2,
                "in the outbox": 2}
    assert expected == figures
    assert "Deferred pushes by cause" in page.text
    zh = client.get("/admin/push", headers={"Accept-Language": "zh-CN"}).text
    assert "因频次上限推迟" in zh and "因免打扰时段推迟" in zh
