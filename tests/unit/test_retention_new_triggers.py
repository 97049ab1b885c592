"""The new triggers, pure: holiday calendar in the shopper's time zone, new arrivals to high repurchasers, back in
stock for a wishlist line, browse-abandon, order shipped and delivered."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from retention.config import RetentionConfig
from retention.demo_calendar import next_holidays
from retention.models import Scores
from retention.segments import ShopperFacts
from retention.triggers import RunInputs, back_in_stock, browse_abandon, evaluate, holidays, new_arrivals, order_updates

NOW = datetime(2026, 6, 16, 20, 0, tzinfo=timezone.utc)  # 17 June, 04:00 in Shanghai
CALENDAR = [{"key": "618", "name": "618", "date": date(2026, 6, 18), "lead_days": 1},
            {"key": "double11", "name": "Double 11", "date": date(2026, 11, 11), "lead_days": 3}]


def test_a_holiday_fires_from_its_lead_in_in_the_shoppers_own_time_zone():
    facts = ShopperFacts(user_id=1)
    assert ["holiday:618:2026-06-18"] == [h.dedupe for h in holidays(facts, NOW, "Asia/Shanghai", CALENDAR)]
    assert [] == holidays(facts, NOW, "America/New_York", CALENDAR)  # still 16 June there
    hit = holidays(facts, NOW + timedelta(days=1), "America/New_York", CALENDAR)[0]
    assert ("holiday", "618") == (hit.trigger, hit.context["holiday"])
    assert [] == holidays(facts, NOW + timedelta(days=3), "Asia/Shanghai", CALENDAR)  # over


@pytest.mark.parametrize("today, expected", [
    (date(2026, 6, 10), [("618", date(2026, 6, 18)), ("double11", date(2026, 11, 11)), ("spring_festival", date(2027, 2, 6))]),
    (date(2026, 6, 18), [("618", date(2026, 6, 18)), ("double11", date(2026, 11, 11)), ("spring_festival", date(2027, 2, 6))]),
    (date(2026, 12, 1), [("spring_festival", date(2027, 2, 6)), ("618", date(2027, 6, 18)), ("double11", date(2027, 11, 11))]),
    (date(2036, 1, 1), [("618", date(2036, 6, 18)), ("double11", date(2036, 11, 11))]),  # past the lunar table
])
def test_the_demo_calendar_puts_each_holiday_on_its_next_date(today, expected):
    assert expected == [(key, day) for key, _, day, _ in next_holidays(today)]


def test_new_arrivals_go_to_high_repurchasers_in_their_categories():
    arrivals = {"tea": ["TEA-9", "TEA-8"], "toys": ["TOY-1"]}
    keen = ShopperFacts(user_id=1, tags=["high-repurchase"], categories=["tea"])
    hit = new_arrivals(keen, arrivals)
    assert ("TEA-8", 2, "arrivals:TEA-8,TEA-9") == (hit.context["sku"], hit.context["items"], hit.dedupe)
    assert new_arrivals(ShopperFacts(user_id=2, categories=["tea"]), arrivals) is None
    assert new_arrivals(ShopperFacts(user_id=3, tags=["high-repurchase"], categories=["coffee"]), arrivals) is None


def test_back_in_stock_for_a_wishlist_line_once_per_restock():
    facts = ShopperFacts(user_id=1, wishlist_prices={"MUG": 900, "CUP": 500})
    hits = back_in_stock(facts, {"MUG": "2026-06-16T10:00:00.000000Z", "PAN": "2026-06-16T10:00:00.000000Z"})
    assert [("MUG", "restock:MUG:2026-06-16T10:00:00.000000Z")] == [(h.context["sku"], h.dedupe) for h in hits]


def test_browse_abandon_needs_repeated_views_of_something_not_bought_nor_in_the_cart():
    facts = ShopperFacts(user_id=1, product_views={"MUG": 5, "CUP": 2, "PAN": 9, "POT": 4}, bought=["PAN"],
                         cart=[("POT", NOW)])
    hit = browse_abandon(facts, NOW)
    assert ("MUG", 5, "browse:MUG:2026-25") == (hit.context["sku"], hit.context["views"], hit.dedupe)
    assert browse_abandon(ShopperFacts(user_id=1, product_views={"CUP": 2}), NOW) is None


def test_orders_shipped_and_delivered():
    facts = ShopperFacts(user_id=1, order_updates=[(7, "shipped"), (8, "delivered")])
    assert [("order_shipped", "shipped:7"), ("order_delivered", "delivered:8")] == [
        (h.trigger, h.dedupe) for h in order_updates(facts)]


def test_evaluate_gathers_the_new_triggers():
    facts = ShopperFacts(user_id=1, time_zone="Asia/Shanghai", tags=["high-repurchase"], categories=["tea"],
                         wishlist_prices={"MUG": 900}, product_views={"PAN": 4}, order_updates=[(3, "shipped")])
    scores = Scores(user_id=1, recency=5, frequency=5, monetary=5, segment="loyal", days_since_activity=0, orders=9,
                    revenue=1, discounted_share=0.0, views=4)
    inputs = RunInputs(holidays=tuple(CALENDAR), arrivals={"tea": ["TEA-1"]}, restocked={"MUG": "x"})
    fired = {h.trigger for h in evaluate(facts, scores, NOW, RetentionConfig(), inputs=inputs)}
    assert {"holiday", "new_arrivals", "back_in_stock", "browse_abandon", "order_shipped"} <= fired
