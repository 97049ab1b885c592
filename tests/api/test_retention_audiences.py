"""Campaign audiences as rules (checked on save, sized before activation), the customer model and segment table,
the holiday calendar, and the template library in en and zh-CN."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import msgspec
import pytest

from accounts import consents
from clock import iso
from retention import audience_store, campaign_store, email_store, push_store
from retention.config import RetentionConfig
from retention.models import TRIGGERS, CampaignIn, Variant
from retention.planner import create_campaign
from retention.run import run_retention
from retention.segments import ShopperFacts
from retention.customers import History, OrderFact
from retention.demo_calendar import seed_holidays
from server.push_runtime import retention_config
from sync import consent
from tests.loyalty_support import make_user
from tests.push_subscriptions import subscribe
from tests.utils import assert_problem

NOW = datetime(2026, 6, 17, 4, 0, tzinfo=timezone.utc)
EVERYTHING = frozenset(consents.PURPOSES)
CONFIG = RetentionConfig(quiet_hours=(0, 0), cap_per_day=50, cap_per_week=50)


def provider_of(shoppers: list[ShopperFacts]):
    def provider(db, after, limit, now):
        return [f for f in sorted(shoppers, key=lambda f: f.user_id) if f.user_id > after][:limit]

    return provider


def regular(user_id: int, orders: int, days_apart: int = 10, **extra) -> ShopperFacts:
    history = History(orders=[OrderFact(paid_at=NOW - timedelta(days=2 + days_apart * i), total=3_000)
                              for i in range(orders)], categories_bought={"tea": 3}, last_activity=NOW)
    return ShopperFacts(user_id=user_id, last_activity=NOW, orders=orders, revenue=3_000 * orders,
                        last_order_at=NOW - timedelta(days=2) if orders else None, history=history,
                        consents=EVERYTHING, **extra)


def test_bad_conditions_are_refused_on_save_naming_the_condition(client, admin_headers):
    campaign = {"name": "Gold tea lovers", "trigger": "segment", "holdout": 10,
                "variants": [{"name": "A", "templateKey": "segment.loyal"}],
                "conditions": {"all": [{"field": "tier", "op": "gte", "value": "gold"},
                                       {"any": [{"field": "tags", "op": "has", "value": "affinity-tea"},
                                                {"field": "cart_value", "op": "gt", "value": 20_000}]}]}}
    made = client.post("/api/admin/retention/campaigns", json=campaign, headers=admin_headers)
    assert 201 == made.status_code, made.text
    assert campaign["conditions"] == made.json()["conditions"]
    bad = {**campaign, "conditions": {"all": [{"field": "tier", "op": "gte", "value": "gold"},
                                              {"any": [{"field": "cart_value", "op": "gt", "value": "lots"}]}]}}
    problem = assert_problem(client.post("/api/admin/retention/campaigns", json=bad, headers=admin_headers), 422)
    assert "conditions.all[1].any[0]: cart_value takes a whole number" in problem["detail"]
    unknown = {**campaign, "conditions": {"field": "shoe_size", "op": "eq", "value": 42}}
    assert_problem(client.post("/api/admin/retention/campaigns", json=unknown, headers=admin_headers), 422, "shoe_size")
    typo = {**campaign, "conditions": {"feild": "tier"}}
    assert_problem(client.post("/api/admin/retention/campaigns", json=typo, headers=admin_headers), 422, "conditions")
    assert 1 == len(client.get("/api/admin/retention/campaigns", headers=admin_headers).json())  # nothing else stored


def test_audience_preview_segments_and_the_customer_model_after_a_run(client, admin_headers, fresh_db):
    users = [make_user(fresh_db) for _ in range(6)]
    shoppers = [regular(u, orders=i, tier="gold" if i >= 4 else "silver") for i, u in enumerate(users)]
    shoppers[5] = msgspec.structs.replace(shoppers[5], cart_value=25_000)
    run_retention(fresh_db, CONFIG, NOW, provider_of(shoppers), after_commit=None)
    query = {"conditions": {"all": [{"field": "tier", "op": "gte", "value": "gold"},
                                    {"field": "tags", "op": "has", "value": "affinity-tea"}]}}
    preview = client.post("/api/admin/retention/audience-preview", json=query, headers=admin_headers).json()
    assert (2, 6, sorted(users[4:])) == (preview["shoppers"], preview["of"], sorted(preview["sampleUserIds"]))
    richer = {"conditions": {"field": "cart_value", "op": "gt", "value": 20_000}}
    assert 1 == client.post("/api/admin/retention/audience-preview", json=richer, headers=admin_headers).json()["shoppers"]
    assert_problem(client.post("/api/admin/retention/audience-preview", json={"conditions": {"field": "x"}},
                               headers=admin_headers), 422, "conditions")
    segments = {s["segment"]: s for s in client.get("/api/admin/retention/segments", headers=admin_headers).json()}
    assert 1.0 == round(sum(s["share"] for s in segments.values()), 4)
    scored = [s for s in segments.values() if s["shoppers"]]
    assert all(0 <= s["repurchaseRate"] <= 1 and (s["aov"] == 3_000 or not s["repurchaseRate"]) for s in scored)
    model = client.get(f"/api/admin/retention/customers/{users[4]}", headers=admin_headers).json()
    assert (4, 3_000, 75, 12_000) == (model["orders"], model["aov"], model["repurchaseRate"], model["historicLtv"])
    assert model["predictedLtv12m"] > 0 and "high-repurchase" in model["tags"]
    assert_problem(client.get(f"/api/admin/retention/customers/{10**9}", headers=admin_headers), 404)
    # Operator tags reach the model (and the rules) on the next run.
    assert ["mother-and-baby"] == client.put(f"/api/admin/retention/customers/{users[1]}/tags/mother-and-baby",
                                             headers=admin_headers).json()
    assert_problem(client.put(f"/api/admin/retention/customers/{users[1]}/tags/Not%20A%20Tag", headers=admin_headers), 400)
    assert_problem(client.put(f"/api/admin/retention/customers/{10**9}/tags/vip", headers=admin_headers), 404)


def test_a_campaign_reaches_only_its_audience(fresh_db):
    users = [make_user(fresh_db) for _ in range(4)]
    with fresh_db.write() as db:
        campaign = create_campaign(db, CampaignIn(
            name="Rich carts", trigger="segment", holdout=1, variants=[Variant(name="A", template_key="segment")],
            conditions={"field": "cart_value", "op": "gte", "value": 10_000}))
    shoppers = [regular(u, orders=2, cart_value=15_000 if u in users[:2] else 0) for u in users]
    run_retention(fresh_db, CONFIG, NOW, provider_of(shoppers), after_commit=None)
    reached = {m["user_id"] for m in campaign_store.campaign_messages(fresh_db.read()) if m["campaign_id"] == campaign.id}
    assert set(users[:2]) == reached


def test_the_holiday_calendar_fires_its_trigger_and_the_locale_picks_the_text(client, admin_headers, fresh_db):
    assert 200 == client.put("/api/admin/retention/holidays/618", json={"name": "618", "date": "2026-06-18", "leadDays": 1},
                             headers=admin_headers).status_code
    assert_problem(client.put("/api/admin/retention/holidays/bad", json={"name": "x", "date": "2026-02-30"},
                              headers=admin_headers), 422, "calendar date")
    assert_problem(client.put("/api/admin/retention/holidays/618", json={"name": "x", "date": "2026-06-18",
                                                                         "leadDays": 99}, headers=admin_headers), 400)
    assert ["618"] == [h["key"] for h in client.get("/api/admin/retention/holidays", headers=admin_headers).json()]
    with fresh_db.write() as db:  # the demo seed adds its holidays around the operator's, never over them
        assert ["double11", "spring_festival"] == sorted(h[0] for h in seed_holidays(db, date(2026, 6, 10)))
    assert {"618": "2026-06-18", "double11": "2026-11-11", "spring_festival": "2027-02-06"} == {
        h["key"]: h["date"] for h in client.get("/api/admin/retention/holidays", headers=admin_headers).json()}
    zh, en = make_user(fresh_db), make_user(fresh_db)
    with fresh_db.write() as db:
        audience_store.upsert_profile(db, zh, "x", locale="zh-CN")
        # Both prepared ahead and active: each speaks for its own holiday only (Double 11's comes first in id order).
        double11 = create_campaign(db, CampaignIn(name="Double 11", trigger="holiday", holiday="double11", holdout=1,
                                                  variants=[Variant(name="A", template_key="holiday.double11.preview")]))
        mid_year = create_campaign(db, CampaignIn(name="618", trigger="holiday", holiday="618", holdout=1,
                                                  variants=[Variant(name="A", template_key="holiday")]))
    facts = [regular(zh, 1, time_zone="Asia/Shanghai", locale="zh-CN"), regular(en, 1, time_zone="America/Los_Angeles")]
    result = run_retention(fresh_db, CONFIG, NOW, provider_of(facts), after_commit=None)
    assert 1 == result.messages.get("holiday")  # Shanghai is on 17 June already, Los Angeles not yet
    assert [(zh, mid_year.id)] == [(m["user_id"], m["campaign_id"]) for m in campaign_store.campaign_messages(fresh_db.read())]
    assert double11.holiday == "double11"
    wrong = {"name": "x", "trigger": "churn_risk", "holiday": "618", "holdout": 5,
             "variants": [{"name": "A", "templateKey": "churn_risk"}]}
    assert_problem(client.post("/api/admin/retention/campaigns", json=wrong, headers=admin_headers), 422, "holiday")
    assert 204 == client.delete("/api/admin/retention/holidays/618", headers=admin_headers).status_code
    assert_problem(client.delete("/api/admin/retention/holidays/618", headers=admin_headers), 404)


def test_a_holiday_is_named_in_the_messages_language_and_an_operators_own_name_as_written(fresh_db, settings,
                                                                                           double):
    """{holiday} in push and email: the seeded English name of a known holiday reads 春节 in zh-CN (the texts the
    wiring hands over, server/i18n/messages/holidays.json), an operator's name for one stays as typed."""
    now = datetime(2027, 2, 3, 12, 0, tzinfo=timezone.utc)  # in Spring Festival's lead-in (6 February 2027)
    with fresh_db.write() as db:
        assert "spring_festival" in [h[0] for h in seed_holidays(db, now.date())]  # stored as "Spring Festival"
        campaign_store.put_holiday(db, "mid_autumn", "Mooncake day", "2027-02-05", 3)  # a known key, their own name
    by_push, by_email = {}, {}
    for locale in ("zh-CN", "en"):
        by_push[locale], by_email[locale] = make_user(fresh_db), make_user(fresh_db)
        subscribe(fresh_db, double, by_push[locale])
        with fresh_db.write() as db:
            for user_id in (by_push[locale], by_email[locale]):
                audience_store.upsert_profile(db, user_id, iso(now), locale=locale)
            consent.record(db, by_email[locale], consents.EMAIL, True, 1_000)
    # The server's own retention knobs, as `lastmile retention run` gets them (the wiring's holiday names in them).
    config = dataclasses.replace(retention_config(settings), quiet_hours=(0, 0), cap_per_day=50, cap_per_week=50,
                                 email=True, test_origins=(double.origin,))
    shoppers = [ShopperFacts(user_id=u, last_activity=now, consents=EVERYTHING)
                for u in (*by_push.values(), *by_email.values())]
    assert 8 == run_retention(fresh_db, config, now, provider_of(shoppers), after_commit=None).messages["holiday"]

    def pushed(user_id: int) -> set[str]:
        subscriptions = {sub["id"] for sub in push_store.user_subscriptions(fresh_db.read(), user_id)}
        return {" ".join(json.loads(row["payload"])[f] for f in ("title", "body"))
                for row in push_store.outbox_rows(fresh_db.read()) if row["subscription_id"] in subscriptions}

    def emailed(user_id: int) -> set[str]:
        return {" ".join((row["subject"], row["body"], row["html"]))
                for row in email_store.outbox_rows(fresh_db.read(), user_id)}

    for read, users in ((pushed, by_push), (emailed, by_email)):
        zh, en = sorted(read(users["zh-CN"])), sorted(read(users["en"]))
        assert 2 == len(zh) == len(en), (zh, en)
        assert any(t.startswith("春节来了") and "春节大促已开启" in t for t in zh), zh
        assert any(t.startswith("Mooncake day来了") and "Mooncake day大促已开启" in t for t in zh), zh
        assert not any("Spring Festival" in t for t in zh), zh
        assert any(t.startswith("Spring Festival is here") and "Our Spring Festival sale" in t for t in en), en
        assert any(t.startswith("Mooncake day is here") and "Our Mooncake day sale" in t for t in en), en
        assert not any("春节" in t for t in en), en


def test_the_library_holds_fifty_templates_for_every_trigger_and_holiday_in_both_languages(client, admin_headers):
    listed = client.get("/api/admin/retention/templates", headers=admin_headers).json()
    library = [t for t in listed if t["builtIn"]]
    keys = {t["key"] for t in library}
    assert len(keys) >= 50
    assert all({"en", "zh-CN"} == {t["locale"] for t in library if t["key"] == key} for key in keys)
    assert set(TRIGGERS) <= {t["trigger"] for t in library}
    assert {"holiday.618", "holiday.double11", "holiday.spring_festival"} <= keys
    assert all(t["title"] and t["body"] for t in library)
    assert max(Counter(t["trigger"] for t in library).values()) <= 30


@pytest.mark.parametrize("trigger", sorted(set(TRIGGERS)))
def test_every_trigger_has_a_default_text_in_both_languages(trigger):
    from retention.template_library import built_in
    from retention.templates import PLACEHOLDER, offer_placeholders

    assert {"en", "zh-CN"} == {t.locale for t in built_in(trigger)}
    # The default goes out without a campaign, so without an offer: nothing in it may need one, and it says
    # something even when `{offer}` (and every other placeholder) fills with nothing.
    assert [] == offer_placeholders(built_in(trigger), trigger)
    assert all(PLACEHOLDER.sub("", t.title).strip() and PLACEHOLDER.sub("", t.body).strip() for t in built_in(trigger))
