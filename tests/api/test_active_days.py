"""Daily active shoppers and devices: each device's first use on a UTC day is recorded, exported, erased, pruned."""

from __future__ import annotations

from datetime import datetime, timezone

from accounts import report_store, service, store
from accounts.policy import AuthPolicy
from insights.dashboard import collect
from server.cli.main import main
from tests.utils import TEST_SCRYPT_N, point_cli_at

POLICY = AuthPolicy(scrypt_n=TEST_SCRYPT_N)
DAY = 86_400
MIDNIGHT = 1_780_000_000 // DAY * DAY  # a UTC midnight


def test_the_first_use_on_each_day_counts_once_and_erasure_forgets_it(fresh_db):
    session = service.signup(fresh_db, POLICY, "ada@example.com", "correct horse battery", "phone", "10.0.0.1",
                             now=MIDNIGHT + DAY - 30)  # signed in 30 s before midnight
    # Seconds later but on the next day: within the touch throttle, still the day's first use.
    service.authenticate(fresh_db, POLICY, session.token, now=MIDNIGHT + DAY + 5)
    service.authenticate(fresh_db, POLICY, session.token, now=MIDNIGHT + DAY + 10)
    service.authenticate(fresh_db, POLICY, session.token, now=MIDNIGHT + 3 * DAY)
    other = service.login(fresh_db, POLICY, "ada@example.com", "correct horse battery", "laptop", None, "10.0.0.1",
                          now=MIDNIGHT + 3 * DAY + 60)
    days = [MIDNIGHT // DAY, MIDNIGHT // DAY + 1, MIDNIGHT // DAY + 3]
    assert days == store.active_days_of(fresh_db.read(), session.user_id)
    assert [(days[0], 1, 1), (days[1], 1, 1), (days[2], 1, 2)] == [
        (r["day"], r["shoppers"], r["devices"]) for r in report_store.daily_active(fresh_db.read(), 0)]
    with fresh_db.snapshot() as db:
        exported = service.export(db, session.user_id)["activeDays"]
    assert [datetime.fromtimestamp(d * DAY, timezone.utc).date().isoformat() for d in days] == exported
    assert other.user_id == session.user_id
    with fresh_db.write() as db:
        assert service.erase(db, session.user_id)
    assert [] == report_store.daily_active(fresh_db.read(), 0)


def test_the_dashboard_draws_them_day_by_day_and_maintenance_prunes_old_days(fresh_db, settings, monkeypatch, capsys):
    now = datetime.now(timezone.utc)
    today = int(now.timestamp()) // DAY
    with fresh_db.write() as db:
        user_id = store.create_user(db, "bo@example.com", "!", today * DAY)
        service.add_demo_device(db, user_id, "phone", (today - 200) * DAY,
                                [(today - back) * DAY + 3600 for back in (150, 2, 1)])
    d = collect(fresh_db, now, 30)
    assert ([0] * 27 + [1, 1, 0], [0] * 27 + [1, 1, 0]) == (d.active_shoppers, d.active_devices)
    point_cli_at(monkeypatch, settings)
    assert 0 == main(["sync-maintenance"])
    assert [today - 2, today - 1] == store.active_days_of(fresh_db.read(), user_id)  # 150 days ago is gone
