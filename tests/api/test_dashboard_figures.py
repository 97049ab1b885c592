"""The dashboard's order figures from known orders: per day orders, revenue, AOV, buyers, returning buyers,
the window's repurchase rate and the monthly cohorts."""

from __future__ import annotations

from datetime import datetime, timezone

from accounts import store as accounts_store
from clock import iso
from insights.dashboard import collect
from loyalty.demo import DemoLine, DemoOrder, seed_history
from retention import campaign_store
from retention.models import OfferIn
from retention.offers import OFFER_ID_PREFIX, create_offer
from retention.tracking import report

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+00:00")


def test_order_figures_day_by_day_repurchase_and_cohorts(fresh_db):
    with fresh_db.write() as db:
        ada = accounts_store.create_user(db, "ada@example.com", "!", int(at("2026-04-01").timestamp()))
        bo = accounts_store.create_user(db, "bo@example.com", "!", int(at("2026-06-01").timestamp()))
        seed_history(db, ada, [DemoOrder(at("2026-04-20"), (DemoLine("A", "A", 1, 800),)),
                               DemoOrder(at("2026-06-01"), (DemoLine("A", "A", 1, 1000),)),
                               DemoOrder(at("2026-06-05"), (DemoLine("B", "B", 2, 1500),))], NOW)
        seed_history(db, bo, [DemoOrder(at("2026-06-05"), (DemoLine("C", "C", 1, 2000),)),
                              DemoOrder(at("2026-06-07"), (DemoLine("C", "C", 1, 2000),), status="cancelled")], NOW)
    d = collect(fresh_db, NOW, 30)
    row = {day: (o, r, a, b, p) for day, o, r, a, b, p in
           zip(d.days, d.orders, d.revenue, d.aov, d.buyers, d.returning_percent) if o or b}
    assert {"2026-06-01": (1, 1000, 1000, 1, 100.0),  # ada had ordered in April: a returning buyer
            "2026-06-05": (2, 5000, 2500, 2, 50.0)} == row  # bo's first order; the cancelled one counts nowhere
    assert 0.5 == d.repurchase_rate  # ada ordered twice in the window, bo once
    cohorts = {month: (size, shares) for month, size, shares in d.cohorts}
    assert (1, [1.0, 0.0, 1.0]) == cohorts["2026-04"]  # ada: April, not May, June again
    assert (1, [1.0]) == cohorts["2026-06"]


def test_push_roi_counts_only_coupons_a_message_brought(fresh_db):
    with fresh_db.write() as db:
        shopper = accounts_store.create_user(db, "cy@example.com", "!", int(at("2026-05-01").timestamp()))
        offer = create_offer(db, OfferIn(code="TYPED10", title="Typed in", kind="percent", value=10,
                                         expires_at="2026-12-31T00:00:00Z", budget=10**9), at("2026-05-01"))
        [made] = seed_history(db, shopper, [DemoOrder(at("2026-06-02"), (DemoLine("A", "A", 1, 5000),), discount=500,
                                                      code="TYPED10", offer_id=f"{OFFER_ID_PREFIX}{offer.id}")], NOW)
        campaign_store.grant_offer(db, shopper, offer.id, None, iso(at("2026-06-02")))  # no message brought it
        campaign_store.redeem(db, shopper, offer.id, str(made.order_id), 500, 4500, iso(at("2026-06-02")))
        campaign_store.add_message(db, {"user_id": shopper, "trigger": "churn_risk", "dedupe": "churn:1",
                                        "campaign_id": 0, "variant": "", "offer_id": None,
                                        "due_at": iso(at("2026-06-08")), "created_at": iso(at("2026-06-08"))})
    d = collect(fresh_db, NOW, 30)
    assert (0, 0) == (d.revenue_from_push, d.discount_from_push)
    assert [(0, 0)] == [(r.redeemed, r.discount) for r in report(fresh_db.read())]
