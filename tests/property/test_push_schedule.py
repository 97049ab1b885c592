"""Property: whatever came before, the slot found respects quiet hours and both caps, and is never earlier."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retention.schedule import in_quiet_hours, next_slot

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham", "America/St_Johns"]
BASE = datetime(2026, 3, 1, tzinfo=timezone.utc)


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.integers(0, 23),
    end=st.integers(0, 23),
    offsets=st.lists(st.integers(0, 14 * 24 * 60), max_size=12),
    at=st.integers(0, 14 * 24 * 60),
    per_day=st.integers(1, 3),
    per_week=st.integers(3, 8),
)
def test_slot_respects_every_rule(zone, start, end, offsets, at, per_day, per_week):
    scheduled: list[datetime] = []
    for minutes in offsets:  # build a history the way the planner would
        scheduled.append(next_slot(BASE + timedelta(minutes=minutes), zone, (start, end), scheduled, per_day, per_week))
    when = BASE + timedelta(minutes=at)
    slot = next_slot(when, zone, (start, end), scheduled, per_day, per_week)
    assert slot >= when
    assert not in_quiet_hours(slot.astimezone(ZoneInfo(zone)), (start, end))
    for window, cap in ((timedelta(days=1), per_day), (timedelta(days=7), per_week)):
        for t in scheduled + [slot]:
            inside = [s for s in scheduled + [slot] if t <= s < t + window]
            assert len(inside) <= cap
