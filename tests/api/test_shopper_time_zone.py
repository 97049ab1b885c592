"""`PUT /api/me/time-zone`: the browser's IANA zone, checked, sealed at rest, in the export; junk changes nothing."""

from __future__ import annotations

from retention import audience_store
from tests.utils import assert_problem, sign_up, stored_bytes


def zone_of(database, headers: dict) -> str | None:
    return (audience_store.get_profile(database.read(), int(headers["X-Test-User"])) or {}).get("time_zone")


def test_the_reported_zone_is_stored_sealed_and_exported(client, fresh_db):
    headers = sign_up(client)
    assert 204 == client.put("/api/me/time-zone", json={"timeZone": "Asia/Shanghai"}, headers=headers).status_code
    assert "Asia/Shanghai" == zone_of(fresh_db, headers)
    assert b"Asia/Shanghai" not in stored_bytes(fresh_db)  # the vault seals it like every personal value
    # Travelling: the latest report wins.
    assert 204 == client.put("/api/me/time-zone", json={"timeZone": "Europe/Berlin"}, headers=headers).status_code
    export = client.get("/api/me/export", headers=headers).json()
    assert "Europe/Berlin" == export["profile"]["timeZone"]


# One shopper for the table: each case is a request, the app and sign-up are the cost (zones.check_time_zone's own
# cases are in tests/unit/test_push_keys.py).
BAD = [
    ({"timeZone": "Mars/Olympus_Mons"}, 422),   # well-formed, but no such zone
    ({"timeZone": "localtime"}, 422),           # a file of the zone database, not a place
    ({"timeZone": "A" * 65}, 400),              # longer than any zone name
    ({"timeZone": 8}, 400),
    ({}, 400),
    ({"timeZone": "Asia/Tokyo", "locale": "ja"}, 400),  # unknown fields are refused, not ignored
]


def test_a_bad_zone_is_a_problem_and_changes_nothing(client, fresh_db):
    headers = sign_up(client)
    assert 204 == client.put("/api/me/time-zone", json={"timeZone": "Asia/Shanghai"}, headers=headers).status_code
    for body, status in BAD:
        answer = client.put("/api/me/time-zone", json=body, headers=headers)
        assert_problem(answer, status)
        if isinstance(body.get("timeZone"), str):
            assert body["timeZone"][:10] not in answer.text  # the value is personal: never echoed
        assert "Asia/Shanghai" == zone_of(fresh_db, headers), body


def test_reporting_a_zone_needs_a_signed_in_shopper(client):
    assert_problem(client.put("/api/me/time-zone", json={"timeZone": "Asia/Shanghai"}), 401)
