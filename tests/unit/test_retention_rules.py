"""Segments from RFM scores, every trigger, deterministic A/B variants, templates and the payload limit."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from retention.campaigns import assign_variant, bucket
from retention.config import RetentionConfig
from retention.errors import BadTemplate, PayloadTooLarge
from retention.models import Template, TemplateIn, Variant
from retention.segments import ShopperFacts, score
from retention.templates import MAX_PAYLOAD_BYTES, check_template, choose, fill, render
from retention.triggers import (
    birthday,
    cart_abandoned,
    churn_risk,
    evaluate,
    points_expiring,
    tier_up,
    wishlist_price_drops,
)

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
CONFIG = RetentionConfig(cart_abandoned_after=3600)


def facts(**kw) -> ShopperFacts:
    return ShopperFacts(user_id=kw.pop("user_id", 1), **kw)


# --- segments ---------------------------------------------------------------------------------------

def test_churn_risk_after_90_days_without_activity():
    s = score(facts(last_activity=NOW - timedelta(days=90), orders=5, revenue=90_000), NOW)
    assert ("churn_risk", 1) == (s.segment, s.recency)
    assert "churn_risk" != score(facts(last_activity=NOW - timedelta(days=89), orders=5), NOW).segment


def test_loyal_shoppers_buy_often_and_recently():
    s = score(facts(last_activity=NOW - timedelta(days=3), orders=6, revenue=60_000), NOW)
    assert ("loyal", 5, 4, 5) == (s.segment, s.recency, s.frequency, s.monetary)


def test_price_sensitive_shoppers_buy_mostly_with_discounts():
    s = score(facts(last_activity=NOW - timedelta(days=3), orders=6, discounted_orders=4, revenue=30_000), NOW)
    assert "price_sensitive" == s.segment
    assert "loyal" == score(facts(last_activity=NOW - timedelta(days=3), orders=6, discounted_orders=3), NOW).segment


def test_new_explorers_browse_much_and_buy_little():
    assert "new_explorer" == score(facts(last_activity=NOW, views=25, orders=1), NOW).segment
    assert "regular" == score(facts(last_activity=NOW, views=5, orders=1), NOW).segment
    assert "regular" == score(facts(), NOW).segment


@pytest.mark.parametrize("days", [0, 10, 45, 70, 200])
@pytest.mark.parametrize("orders", [0, 1, 3, 5, 10])
def test_scores_range_from_one_to_five(days, orders):
    s = score(facts(last_activity=NOW - timedelta(days=days), orders=orders, revenue=orders * 7000), NOW)
    assert all(1 <= v <= 5 for v in (s.recency, s.frequency, s.monetary))


# --- triggers ---------------------------------------------------------------------------------------

def test_cart_abandoned_after_the_configured_delay():
    cart = [("SKU-1", NOW - timedelta(minutes=90)), ("SKU-2", NOW - timedelta(minutes=70))]
    hit = cart_abandoned(facts(cart=cart), NOW, 3600)
    assert hit is not None and ("cart_abandoned", 2, "SKU-2") == (hit.trigger, hit.context["items"], hit.context["sku"])
    assert cart_abandoned(facts(cart=cart), NOW, 5 * 3600) is None  # not yet
    assert cart_abandoned(facts(cart=[]), NOW, 3600) is None
    ordered = facts(cart=cart, last_order_at=NOW - timedelta(minutes=60))
    assert cart_abandoned(ordered, NOW, 3600) is None  # bought since
    # Same cart, same dedupe key: it fires once.
    assert hit.dedupe == cart_abandoned(facts(cart=cart), NOW + timedelta(hours=5), 3600).dedupe


def test_churn_risk_trigger_once_per_inactive_stretch():
    f = facts(last_activity=NOW - timedelta(days=100))
    hit = churn_risk(f, score(f, NOW))
    assert hit is not None and "churn_risk" == hit.trigger
    active = facts(last_activity=NOW - timedelta(days=2))
    assert churn_risk(active, score(active, NOW)) is None


def test_birthday_in_the_shoppers_time_zone():
    f = facts(birthday="1990-06-11")
    at = datetime(2026, 6, 10, 23, 0, tzinfo=timezone.utc)  # already 11 June in Tokyo, still 10 June in UTC
    assert birthday(f, at, "UTC") is None
    hit = birthday(f, at, "Asia/Tokyo")
    assert hit is not None and "birthday:2026" == hit.dedupe
    leap = facts(birthday="02-29")
    assert birthday(leap, datetime(2027, 2, 28, 12, tzinfo=timezone.utc), "UTC") is not None
    assert birthday(leap, datetime(2028, 2, 28, 12, tzinfo=timezone.utc), "UTC") is None


def test_points_expiring_soon():
    lots = [(300, NOW + timedelta(days=5)), (200, NOW + timedelta(days=5, hours=1)), (900, NOW + timedelta(days=60))]
    hit = points_expiring(facts(points_expiring=lots), NOW, 14)
    assert hit is not None and (500, (NOW + timedelta(days=5)).date().isoformat()) == (hit.context["points"], hit.context["expires_on"])
    assert points_expiring(facts(points_expiring=[(900, NOW + timedelta(days=60))]), NOW, 14) is None


def test_tier_up_fires_when_the_tier_rises():
    assert "tier:gold" == tier_up(facts(tier="gold"), "silver").dedupe
    assert "tier:gold" == tier_up(facts(tier="gold"), None).dedupe
    assert tier_up(facts(tier="gold"), "gold") is None
    assert tier_up(facts(tier="silver"), "gold") is None
    assert tier_up(facts(tier="silver"), None) is None


def test_wishlist_price_drop_against_the_last_price_seen():
    f = facts(wishlist_prices={"A": 900, "B": 1000, "C": 500})
    hits = wishlist_price_drops(f, {"A": 1000, "B": 1000})
    assert [("A", "10.00", "9.00")] == [(h.context["sku"], h.context["old_price"], h.context["new_price"]) for h in hits]


def test_evaluate_collects_every_trigger():
    f = facts(
        last_activity=NOW - timedelta(days=120), cart=[("S", NOW - timedelta(days=120))], birthday="06-10",
        tier="diamond", points_expiring=[(50, NOW + timedelta(days=1))], wishlist_prices={"S": 10},
    )
    hits = evaluate(f, score(f, NOW), NOW, CONFIG, known_tier="gold", price_baselines={"S": 20})
    assert {"cart_abandoned", "churn_risk", "birthday", "points_expiring", "tier_up", "wishlist_price_drop"} == {h.trigger for h in hits}


# --- A/B --------------------------------------------------------------------------------------------

def test_variant_assignment_is_deterministic_and_weighted():
    variants = [Variant(name="A", template_key="t", weight=1), Variant(name="B", template_key="t", weight=3)]
    first = [assign_variant(7, user, variants).name for user in range(4000)]
    assert first == [assign_variant(7, user, variants).name for user in range(4000)]
    counts = Counter(first)
    assert 800 < counts["A"] < 1200 and 2800 < counts["B"] < 3200
    # A different campaign reshuffles shoppers.
    other = [assign_variant(8, user, variants).name for user in range(4000)]
    assert first != other
    assert bucket(7, 42, 100) == bucket(7, 42, 100)


# --- templates --------------------------------------------------------------------------------------

def tpl(locale: str, title: str = "Hi {tier}", url: str = "/p/{sku}") -> Template:
    return Template(id=1, key="k", locale=locale, title=title, body="Body {code}", url=url)


def test_known_placeholders_and_site_urls_are_accepted():
    check_template(TemplateIn(key="k", locale="en", title="{tier}", body="{code}", url="/p/{sku}"))


@pytest.mark.parametrize("bad", [
    TemplateIn(key="k", locale="en", title="{__class__}", body="x"),
    TemplateIn(key="k", locale="en", title="{nope}", body="x"),
    TemplateIn(key="k", locale="en", title="x", body="x", url="https://evil.example/"),
    TemplateIn(key="k", locale="en", title="x", body="x", url="//evil.example/"),
    TemplateIn(key="k", locale="en", title="x", body="x", icon="javascript:alert(1)"),
], ids=["dunder", "unknown-placeholder", "off-site-url", "scheme-relative-url", "javascript-icon"])
def test_unknown_placeholders_and_off_site_urls_are_refused(bad):
    with pytest.raises(BadTemplate):
        check_template(bad)


def test_locale_choice_falls_back():
    templates = [tpl("en"), tpl("de"), tpl("fr-CA")]
    assert "de" == choose(templates, "de-AT", "en").locale
    assert "en" == choose(templates, "ja", "en").locale
    assert "fr-CA" == choose(templates, "fr", "en").locale
    assert "de" == choose([tpl("de")], None, "en").locale


def test_render_fills_placeholders_and_enforces_the_size_limit():
    data = render(tpl("en"), {"tier": "gold", "sku": "SKU-1", "code": "SAVE"}, message_id=9, tag="cart", offer_id=3)
    body = json.loads(data)
    assert {"title": "Hi gold", "body": "Body SAVE", "url": "/p/SKU-1", "messageId": 9, "tag": "cart", "offerId": 3} == body
    assert "x" == fill("{missing}x", {})
    with pytest.raises(PayloadTooLarge):
        render(tpl("en"), {"tier": "x" * MAX_PAYLOAD_BYTES}, message_id=1, tag=None, offer_id=None)
