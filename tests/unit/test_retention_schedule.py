"""Frequency caps and quiet hours in the shopper's own time zone: messages are deferred, never dropped."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from retention.schedule import CAPS, QUIET_HOURS, after_quiet_hours, cap_release, in_quiet_hours, next_slot, slot_and_cause

UTC = timezone.utc
QUIET = (21, 9)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_quiet_hours_wrap_past_midnight():
    assert in_quiet_hours(datetime(2026, 1, 1, 23), QUIET)
    assert in_quiet_hours(datetime(2026, 1, 1, 3), QUIET)
    assert not in_quiet_hours(datetime(2026, 1, 1, 9), QUIET)
    assert not in_quiet_hours(datetime(2026, 1, 1, 20, 59), QUIET)
    assert in_quiet_hours(datetime(2026, 1, 1, 13), (12, 14))
    assert not in_quiet_hours(datetime(2026, 1, 1, 13), (0, 0))


def test_same_instant_is_quiet_in_one_zone_and_fine_in_another():
    at = utc(2026, 6, 1, 20, 0)  # 22:00 in Berlin (CEST), 13:00 in Los Angeles, 01:30 in Kolkata
    assert utc(2026, 6, 2, 7, 0) == after_quiet_hours(at, "Europe/Berlin", QUIET)  # 09:00 CEST
    assert at == after_quiet_hours(at, "America/Los_Angeles", QUIET)
    assert utc(2026, 6, 2, 3, 30) == after_quiet_hours(at, "Asia/Kolkata", QUIET)  # 09:00 IST (+05:30)


def test_quiet_hours_before_dawn_end_the_same_local_day():
    at = utc(2026, 1, 15, 2, 0)  # 03:00 in Berlin (CET)
    assert utc(2026, 1, 15, 8, 0) == after_quiet_hours(at, "Europe/Berlin", QUIET)


def test_quiet_hours_end_follows_daylight_saving_changes():
    # Night of the spring change in New York: 22:00 EST on 7 March, quiet ends 09:00 EDT on 8 March.
    at = utc(2026, 3, 8, 3, 0)
    end = after_quiet_hours(at, "America/New_York", QUIET)
    assert utc(2026, 3, 8, 13, 0) == end
    assert 9 == end.astimezone(ZoneInfo("America/New_York")).hour


def test_far_east_zone_crosses_the_date_line():
    at = utc(2026, 6, 1, 8, 0)  # 22:00 in Kiritimati (+14)
    end = after_quiet_hours(at, "Pacific/Kiritimati", QUIET)
    assert utc(2026, 6, 1, 19, 0) == end  # 09:00 local on 2 June


def test_cap_per_day_defers_to_when_the_oldest_leaves_the_window():
    sent = [utc(2026, 6, 1, 10), utc(2026, 6, 1, 12)]
    assert utc(2026, 6, 2, 10) == cap_release(sent, utc(2026, 6, 1, 15), per_day=2, per_week=10)
    assert utc(2026, 6, 1, 15) == cap_release(sent, utc(2026, 6, 1, 15), per_day=3, per_week=10)


def test_cap_counts_messages_already_deferred_into_the_future():
    scheduled = [utc(2026, 6, 1, 10), utc(2026, 6, 2, 9)]
    # One more at 2 June 08:00 would make three within 24 h of 1 June 10:00 .. 2 June 09:00.
    assert utc(2026, 6, 2, 10) <= cap_release(scheduled, utc(2026, 6, 1, 11), per_day=2, per_week=10)


def test_cap_per_week():
    sent = [utc(2026, 6, d, 12) for d in range(1, 6)]
    assert utc(2026, 6, 8, 12) == cap_release(sent, utc(2026, 6, 6, 12), per_day=2, per_week=5)


def test_next_slot_combines_caps_and_quiet_hours():
    sent = [utc(2026, 6, 1, 8), utc(2026, 6, 1, 9)]
    # Cap frees at 2 June 08:00 UTC = 10:00 Berlin: outside quiet hours.
    assert utc(2026, 6, 2, 8) == next_slot(utc(2026, 6, 1, 12), "Europe/Berlin", QUIET, sent, 2, 10)
    # In Honolulu (-10) 2 June 08:00 UTC is 22:00 local: deferred to 09:00 local = 19:00 UTC.
    assert utc(2026, 6, 2, 19) == next_slot(utc(2026, 6, 1, 12), "Pacific/Honolulu", QUIET, sent, 2, 10)


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney", "UTC"])
def test_every_slot_found_respects_the_rules(zone):
    scheduled: list[datetime] = []
    at = utc(2026, 3, 25, 0)
    for _ in range(12):
        slot = next_slot(at, zone, QUIET, scheduled, 2, 5)
        assert slot >= at
        assert not in_quiet_hours(slot.astimezone(ZoneInfo(zone)), QUIET)
        assert sum(1 for s in scheduled if abs(s - slot) < timedelta(days=1)) < 4
        scheduled.append(slot)
        window = [s for s in scheduled if slot - timedelta(days=1) < s <= slot]
        assert len(window) <= 2
        assert len([s for s in scheduled if slot - timedelta(days=7) < s <= slot]) <= 5
    assert 12 == len(scheduled)  # nothing was dropped


@pytest.mark.parametrize(("at", "sent", "expected"), [
    (utc(2026, 6, 1, 12), [], (utc(2026, 6, 1, 12), None)),                      # 14:00 in Berlin, nothing sent
    (utc(2026, 6, 1, 20), [], (utc(2026, 6, 2, 7), QUIET_HOURS)),                # 22:00 in Berlin: quiet
    (utc(2026, 6, 1, 12), [utc(2026, 6, 1, 10), utc(2026, 6, 1, 11)],            # cap of 2 a day full
     (utc(2026, 6, 2, 10), CAPS)),
    (utc(2026, 6, 1, 20), [utc(2026, 6, 1, 10), utc(2026, 6, 1, 11)],            # both: the cap is why not now
     (utc(2026, 6, 2, 10), CAPS)),
])
def test_slot_and_cause_says_why_a_message_waits(at, sent, expected):
    assert expected == slot_and_cause(at, "Europe/Berlin", QUIET, sent, 2, 10)
