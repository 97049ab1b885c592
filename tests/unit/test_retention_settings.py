"""Retention settings: parsed from LASTMILE_* variables, bad values name their variable."""

from __future__ import annotations

import pytest

from server.settings import SettingsError, load_settings


def test_defaults():
    s = load_settings({})
    assert ((21, 9), 2, 5, 3600, ()) == (s.quiet_hours, s.push_cap_per_day, s.push_cap_per_week, s.cart_abandoned_after, s.push_test_origins)
    assert "*.notify.windows.com" in s.push_services


def test_values_are_read():
    s = load_settings({
        "LASTMILE_PUSH_TEST_ORIGINS": "http://127.0.0.1:8765, http://localhost:9000",
        "LASTMILE_PUSH_SERVICES": "fcm.googleapis.com",
        "LASTMILE_QUIET_HOURS": "22-7",
        "LASTMILE_VAPID_SUBJECT": "https://shop.example/contact",
        "LASTMILE_CART_ABANDONED_AFTER": "1800",
    })
    assert (("http://127.0.0.1:8765", "http://localhost:9000"), ("fcm.googleapis.com",), (22, 7)) == (s.push_test_origins, s.push_services, s.quiet_hours)
    assert ("https://shop.example/contact", 1800) == (s.vapid_subject, s.cart_abandoned_after)


@pytest.mark.parametrize(
    "name, value",
    [
        ("LASTMILE_QUIET_HOURS", "late"),
        ("LASTMILE_QUIET_HOURS", "21-25"),
        ("LASTMILE_VAPID_SUBJECT", "ops@example.com"),
        ("LASTMILE_PUSH_TEST_ORIGINS", "http://127.0.0.1:8765/path"),
        ("LASTMILE_PUSH_SERVICES", "evil.example/x"),
        ("LASTMILE_PUSH_CAP_PER_DAY", "0"),
        ("LASTMILE_PUSH_CONCURRENCY", "lots"),
        ("LASTMILE_VAPID_PRIVATE_KEY", "short"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
