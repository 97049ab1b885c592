"""A whole retention run on a database: triggers once, campaigns and A/B, caps, offers and coupons, the report."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from accounts.consents import PURPOSES
from clock import parse
from retention import audience_store, campaign_store
from retention.campaigns import assign_variant
from retention.config import RetentionConfig
from retention.delivery import PushSender
from retention.errors import CouponRejected
from retention.models import CampaignIn, Event, EventBatch, OfferIn, TemplateIn, Variant
from retention.offers import check_coupon, create_offer, redeem_coupon
from retention.planner import create_campaign, save_template
from retention.run import run_retention
from retention.segments import ShopperFacts
from retention.tracking import format_report, record_events, report
from tests.push_subscriptions import subscribe
from tests.utils import waits_for_shopper_lock

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
AGREED = frozenset(PURPOSES)  # these shoppers agreed to every purpose (tests/api/test_consents.py covers refusals)


@pytest.fixture
def config(double):
    return RetentionConfig(test_origins=(double.origin,), quiet_hours=(0, 0), cap_per_day=10, cap_per_week=50)


@pytest.fixture
def sender(vapid, config):
    s = PushSender(vapid, config, clock=lambda: NOW)
    yield s
    s.close()


def provider_of(shoppers: list[ShopperFacts]):
    def provider(db, after, limit, now):
        return [f for f in sorted(shoppers, key=lambda f: f.user_id) if f.user_id > after][:limit]

    return provider


def everything(user_id: int) -> ShopperFacts:
    """A shopper for whom every trigger fires."""
    return ShopperFacts(
        user_id=user_id, last_activity=NOW - timedelta(days=120), cart=[("SKU-1", NOW - timedelta(days=120))],
        birthday="06-10", tier="gold", points_expiring=[(100, NOW + timedelta(days=3))], wishlist_prices={"SKU-2": 800},
        consents=AGREED,
    )


def test_every_trigger_fires_once_and_is_delivered(fresh_db, double, config, sender):
    _, sub = subscribe(fresh_db, double, 1)
    with fresh_db.write() as db:
        audience_store.set_price_baselines(db, 1, {"SKU-2": 1000})
    result = run_retention(fresh_db, config, NOW, provider_of([everything(1)]), sender=sender)
    expected = {"cart_abandoned", "churn_risk", "birthday", "points_expiring", "tier_up", "wishlist_price_drop"}
    assert {t: 1 for t in expected} == result.messages
    assert ({"churn_risk": 1}, 6) == (result.segments, result.delivery.accepted)
    titles = sorted(json.loads(r.payload)["title"] for r in double.for_subscription(sub))
    assert "Price drop" in titles and "Welcome to gold" in titles
    again = run_retention(fresh_db, config, NOW + timedelta(hours=1), provider_of([everything(1)]), sender=sender)
    assert ({}, 0) == (again.messages, again.delivery.sent)
    assert "churn_risk" == audience_store.get_scores(fresh_db.read(), 1)["segment"]


def test_caps_defer_the_rest_to_later_days(fresh_db, double, sender):
    capped = RetentionConfig(test_origins=(double.origin,), quiet_hours=(0, 0), cap_per_day=2, cap_per_week=5)
    subscribe(fresh_db, double, 1)
    with fresh_db.write() as db:
        audience_store.set_price_baselines(db, 1, {"SKU-2": 1000})
    result = run_retention(fresh_db, capped, NOW, provider_of([everything(1)]), sender=sender)
    assert 6 == sum(result.messages.values())  # nothing dropped
    assert 2 == result.delivery.accepted
    due = sorted(parse(r["due_at"]) for r in fresh_db.read().query("SELECT due_at FROM retention_messages"))
    assert [NOW, NOW, NOW + timedelta(days=1), NOW + timedelta(days=1), NOW + timedelta(days=2), NOW + timedelta(days=7)] == due


def offer(db, code="SAVE20", **kw) -> int:
    fields = dict(code=code, title="20% off", kind="percent", value=20, expires_at="2026-07-01T00:00:00Z", budget=10_000)
    fields.update(kw)
    return create_offer(db, OfferIn(**fields), NOW).id


def test_segment_campaign_ab_variants_offers_and_report(fresh_db, double, config, sender):
    with fresh_db.write() as db:
        save_template(db, TemplateIn(key="winback", locale="en", title="{discount} off for you", body="Use {code}", url="/offers"))
        save_template(db, TemplateIn(key="winback", locale="de", title="{discount} Rabatt", body="Code {code}", url="/offers"))
        a, b = offer(db, "BACK10", value=10), offer(db, "BACK25", value=25)
        campaign = create_campaign(db, CampaignIn(name="Win back", trigger="segment", segment="churn_risk", variants=[
            Variant(name="A", template_key="winback", offer_id=a), Variant(name="B", template_key="winback", offer_id=b)]))
    shoppers = [ShopperFacts(user_id=u, last_activity=NOW - timedelta(days=200), consents=AGREED) for u in range(1, 21)]
    subs = {u: subscribe(fresh_db, double, u)[1] for u in range(1, 21)}
    with fresh_db.write() as db:
        audience_store.upsert_profile(db, 2, "x", locale="de-DE")
    published = []
    result = run_retention(fresh_db, config, NOW, provider_of(shoppers), sender=sender,
                           publish=lambda db, user, view: published.append((user, view["code"])))
    assert {"churn_risk": 20} == result.segments
    assert 20 == result.messages["segment"]
    def offer_payload(u: int) -> dict:
        [found] = [p for p in (json.loads(r.payload) for r in double.for_subscription(subs[u])) if "offerId" in p]
        return found

    for u in range(1, 21):
        variant = assign_variant(campaign.id, u, campaign.variants)
        payload = offer_payload(u)
        code = "BACK10" if variant.name == "A" else "BACK25"
        assert (u, code) in published
        assert code in payload["body"]
    assert offer_payload(2)["title"].endswith("Rabatt")
    # Shopper 1 sees and clicks, then redeems at checkout.
    mid = offer_payload(1)["messageId"]
    with fresh_db.write() as db:
        assert 1 == record_events(db, 1, EventBatch(events=[Event(type="notification.clicked", message_id=mid)]), NOW).recorded
        assert 1 == record_events(db, 2, EventBatch(events=[Event(type="notification.shown", message_id=mid)]), NOW).ignored
        code = "BACK10" if assign_variant(campaign.id, 1, campaign.variants).name == "A" else "BACK25"
        _, discount = redeem_coupon(db, 1, code, 10_000, "EUR", NOW)
    rows = {(r.campaign_id, r.variant): r for r in report(fresh_db.read())}
    variant = assign_variant(campaign.id, 1, campaign.variants).name
    row = rows[(campaign.id, variant)]
    assert (1, 1, 1) == (row.shown, row.clicked, row.redeemed)
    assert row.messages == row.sent == row.accepted
    assert discount > 0
    assert (0, 0, None) == (row.revenue, row.discount, row.roi)  # no paid order yet (ROI: tests/api/test_push_routes.py)
    assert 20 == sum(r.messages for r in rows.values() if r.campaign_id == campaign.id)
    assert 20 == rows[(0, "")].messages  # the churn-risk trigger messages, outside any campaign
    assert "Win back" in format_report(list(rows.values()))


def test_coupon_rules(fresh_db):
    with fresh_db.write() as db:
        oid = offer(db, "TEN", kind="amount", value=1000, currency="EUR", min_order=2000, budget=1500)
        late = offer(db, "LATE", expires_at="2026-06-11T00:00:00Z")
        seg = offer(db, "LOYAL5", value=5, segment="loyal")
        campaign_store.grant_offer(db, 1, oid, None, "x")
        campaign_store.grant_offer(db, 2, oid, None, "x")
        campaign_store.grant_offer(db, 1, late, None, "x")
        assert check_coupon(db, 1, "NOPE", 5000, "EUR", NOW) is None  # not ours: other providers may know it
        with pytest.raises(CouponRejected):
            check_coupon(db, 3, "TEN", 5000, "EUR", NOW)  # never offered to shopper 3
        with pytest.raises(CouponRejected):
            check_coupon(db, 1, "TEN", 5000, "USD", NOW)
        with pytest.raises(CouponRejected):
            check_coupon(db, 1, "TEN", 1500, "EUR", NOW)  # below the minimum order
        with pytest.raises(CouponRejected):
            check_coupon(db, 1, "LATE", 5000, "EUR", NOW + timedelta(days=1))
        assert 1000 == redeem_coupon(db, 1, "ten", 5000, "EUR", NOW)[1]
        with pytest.raises(CouponRejected):
            redeem_coupon(db, 1, "TEN", 5000, "EUR", NOW)  # used already
        with pytest.raises(CouponRejected):
            redeem_coupon(db, 2, "TEN", 5000, "EUR", NOW)  # budget: 1000 of 1500 spent
        audience_store.save_scores(db, [{"user_id": 4, "recency": 5, "frequency": 5, "monetary": 5, "segment": "loyal", "days_since_activity": 1,
                                "orders": 9, "revenue": 1, "discounted_share": 0.0, "views": 0}], "x")
        assert 250 == check_coupon(db, 4, "LOYAL5", 5000, "EUR", NOW)[1]  # segment-wide offer
        with pytest.raises(CouponRejected):
            check_coupon(db, 1, "LOYAL5", 5000, "EUR", NOW)
    assert (1000, 1) == (campaign_store.get_offer(fresh_db.read(), oid)["spent"], campaign_store.get_offer(fresh_db.read(), oid)["redemptions"])


def test_shoppers_without_push_still_get_the_offer_in_their_view(fresh_db, config, sender):
    with fresh_db.write() as db:
        oid = offer(db)
        create_campaign(db, CampaignIn(name="Loyal", trigger="segment", segment="regular", variants=[Variant(name="A", template_key="segment", offer_id=oid), Variant(name="B", template_key="segment", offer_id=oid)]))
    published = []
    result = run_retention(fresh_db, config, NOW, provider_of([ShopperFacts(user_id=7, consents=AGREED)]), sender=sender,
                           publish=lambda db, user, view: published.append((user, view["id"])))
    assert ([(7, oid)], 0) == (published, result.delivery.sent)
    assert campaign_store.get_grant(fresh_db.read(), 7, oid) is not None


@pytest.mark.parametrize("db_kind", ["postgresql"])  # SQLite's one writer serialises them anyway
def test_a_shoppers_pass_waits_for_their_other_writers(fresh_db, config, settings):
    """A pass reads then writes the shopper's birthday pack, ledger, points row, profile and baselines, even when no
    message fires (so enqueue_message's lock is never taken): a checkout on another server holding the lock goes first."""
    from loyalty import store as loyalty_store
    from tests.loyalty_support import make_user

    user = make_user(fresh_db)
    facts = ShopperFacts(user_id=user, birthday="06-10", wishlist_prices={"SKU-2": 800}, consents=frozenset({"analytics"}))
    result = waits_for_shopper_lock(settings.database_url, user,
                                    lambda: run_retention(fresh_db, config, NOW, provider_of([facts])))
    assert (1, {}) == (result.shoppers, result.messages)
    assert loyalty_store.birthday_pack(fresh_db.read(), user, 2026) is not None


def test_the_offer_sentence_reads_in_the_messages_language(fresh_db, double, config, sender):
    """{offer} of the library's segment template: zh-CN shoppers read it in Chinese, en shoppers in English."""
    with fresh_db.write() as db:
        oid = offer(db, "THANKS5", value=5)
        create_campaign(db, CampaignIn(name="Thanks", trigger="segment", segment="churn_risk", variants=[
            Variant(name="A", template_key="segment", offer_id=oid), Variant(name="B", template_key="segment", offer_id=oid)]))
    subs = {u: subscribe(fresh_db, double, u)[1] for u in (1, 2)}
    with fresh_db.write() as db:
        audience_store.upsert_profile(db, 1, "x", locale="zh-CN")
        audience_store.upsert_profile(db, 2, "x", locale="en")
    shoppers = [ShopperFacts(user_id=u, last_activity=NOW - timedelta(days=200), consents=AGREED) for u in (1, 2)]
    run_retention(fresh_db, config, NOW, provider_of(shoppers), sender=sender)

    def body(u: int) -> str:
        [found] = [p for p in (json.loads(r.payload) for r in double.for_subscription(subs[u])) if "offerId" in p]
        return found["body"]

    assert "使用优惠码 THANKS5，享 5% 优惠。" in body(1) and " off)" not in body(1)
    assert "code THANKS5 (5% off)." in body(2)


def test_a_pass_over_facts_read_before_the_erasure_writes_nothing_for_the_erased_account(fresh_db, config):
    """The run reads a page of shoppers' facts, then takes each shopper's lock in turn: an account erased in between
    gets no scores, customer model, baselines, birthday pack or offer back from the stale facts."""
    import msgspec

    from accounts import service as accounts_service
    from loyalty import store as loyalty_store
    from sync import store as sync_store
    from tests.loyalty_support import make_user

    user = make_user(fresh_db)
    facts = msgspec.structs.replace(everything(1), user_id=user)  # read before the erasure: every consent, a birthday today
    with fresh_db.write() as db:  # delete_account's erasure, committed after the page was read
        sync_store.erase_user(db, user)
        accounts_service.erase(db, user)
    result = run_retention(fresh_db, config, NOW, provider_of([facts]))
    assert {} == result.messages
    db = fresh_db.read()
    assert audience_store.get_scores(db, user) is None
    assert {} == audience_store.price_baselines(db, user)
    assert loyalty_store.birthday_pack(db, user, 2026) is None
    assert 0 == db.execute("SELECT count(*) FROM sync_view WHERE user_id = ?", [user]).fetchone()[0]
    assert 0 == db.execute("SELECT count(*) FROM retention_customers WHERE user_id = ?", [user]).fetchone()[0]

