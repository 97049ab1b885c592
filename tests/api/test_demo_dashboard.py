"""The demo seed gives every dashboard chart believable figures, made through the rooms' own functions."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from insights.dashboard import collect
from retention import campaign_store
from server.cli.catalog import seed_demo_data
from server.cli.verify import discrepancies
from tests.utils import add_product

CATEGORIES = ("coffee", "tea", "kitchen", "toys", "apparel", "pets")


@pytest.fixture
def db_kind() -> str:
    """SQLite only: `make serve` seeds SQLite, every store the seed writes through has its PostgreSQL tests, and
    the seed's thousands of statements cost ten seconds of round trips there (the suite is over its budget)."""
    return "sqlite"


@pytest.fixture
def seeded(fresh_db, settings, capsys):
    """A small demo (a plain catalog instead of the photo pipeline), seeded as `lastmile seed-demo` does."""
    for i in range(18):
        add_product(fresh_db, f"DEMO-{i:03d}", category=CATEGORIES[i % len(CATEGORIES)], price=500 + 700 * (i % 9),
                    stock=400)
    now = datetime.now(timezone.utc)
    seed_demo_data(settings, fresh_db, now, shoppers=120, seed=7)
    return now, capsys.readouterr().out


def test_every_dashboard_chart_has_data_after_the_demo_seed(fresh_db, seeded):
    now, out = seeded
    d = collect(fresh_db, now, 90)
    charts = {
        "orders": d.orders, "revenue": d.revenue, "aov": d.aov, "buyers": d.buyers,
        "points issued": d.points_issued, "points redeemed": d.points_redeemed, "points expired": d.points_expired,
        "segments": list(d.segments.values()),
        "funnel": [d.funnel[k] for k in ("sent", "shown", "clicked", "redeemed")],
        "api requests": d.api_requests, "api errors": d.api_error_percent, "api latency": d.api_latency_ms,
        "sync errors": d.sync_error_percent,
        "active shoppers and devices": [n for pair in d.active.values() for n in pair],
        "active shoppers per day": d.active_shoppers, "active devices per day": d.active_devices,
        "returning buyers per day": d.returning_percent,
    }
    assert [] == [name for name, values in charts.items() if not any(v > 0 for v in values)]
    # Every stage of the funnel holds something, each no larger than the one before.
    funnel = [d.funnel[k] for k in ("sent", "accepted", "shown", "clicked", "redeemed")]
    assert all(n > 0 for n in funnel) and funnel == sorted(funnel, reverse=True)
    assert d.revenue_from_push > 0 and d.discount_from_push > 0
    assert 0 < d.active["1d"][1] <= d.active["7d"][1] <= d.active["30d"][1] <= d.devices
    # Shoppers come back day after day: every day of the window has someone, never more shoppers than devices.
    assert all(0 < s <= n for s, n in zip(d.active_shoppers[:-1], d.active_devices[:-1]))
    # Redemptions and expiry are spread over the window, not heaped on the seed's day.
    assert 10 <= sum(1 for v in d.points_redeemed if v) and 5 <= sum(1 for v in d.points_expired if v)
    assert 0 == d.points_redeemed[-1] or sum(d.points_redeemed[:-1]) > d.points_redeemed[-1]
    assert "redeemed" in out and "a push campaign" in out
    assert [] == discrepancies(fresh_db)  # `lastmile verify`: the books, stock and outbox all agree
    # The holiday trigger has a calendar to fire on: the demo's three holidays, each on its next date.
    calendar = campaign_store.list_holidays(fresh_db.read())
    assert {"618", "double11", "spring_festival"} == {h["key"] for h in calendar}
    assert all(h["date"] >= now.date().isoformat() for h in calendar) and "holiday calendar: " in out
