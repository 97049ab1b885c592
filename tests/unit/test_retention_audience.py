"""Audience rules (checked on save, evaluated per shopper) and the customer model behind them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import msgspec
import pytest

from retention.customers import History, OrderFact, attributes, model
from retention.errors import BadCampaign
from retention.rules import Condition, check, dumps, loads, matches

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)


def tree(data: dict) -> Condition:
    return msgspec.convert(data, Condition)


SHOPPER = {"segment": "loyal", "tier": "gold", "tags": ["affinity-tea", "high-repurchase"], "recency": 5,
           "frequency": 4, "monetary": 3, "days_since_last_order": 12, "cart_value": 4_500,
           "category_affinity": ["tea"], "consent": ["notifications", "offers"], "locale": "zh-CN", "orders": 6, "aov": 3_000,
           "repurchase_rate": 83, "predicted_ltv": 40_000}


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"field": "tier", "op": "gte", "value": "gold"}, True),
        ({"field": "tier", "op": "gte", "value": "diamond"}, False),
        ({"all": [{"field": "segment", "op": "eq", "value": "loyal"}, {"field": "locale", "op": "eq", "value": "zh-CN"}]}, True),
        ({"all": [{"field": "segment", "op": "eq", "value": "loyal"}, {"field": "cart_value", "op": "gt", "value": 5_000}]}, False),
        ({"any": [{"field": "cart_value", "op": "gt", "value": 5_000}, {"field": "tags", "op": "has", "value": "affinity-tea"}]}, True),
        ({"field": "consent", "op": "has", "value": "email"}, False),
        ({"field": "category_affinity", "op": "not_has", "value": "coffee"}, True),
        ({"field": "segment", "op": "in", "value": ["churn_risk", "loyal"]}, True),
        ({"all": [{"field": "recency", "op": "gte", "value": 4}, {"any": [
            {"field": "frequency", "op": "gte", "value": 5}, {"field": "monetary", "op": "lt", "value": 4}]}]}, True),
        ({"field": "days_since_last_order", "op": "lte", "value": 30}, True),
    ],
)
def test_conditions_match_as_their_logic_says(data, expected):
    assert expected == matches(check(tree(data)), SHOPPER)


def test_a_shopper_who_never_ordered_fails_every_numeric_test_on_the_last_order():
    never = {**SHOPPER, "days_since_last_order": None}
    assert not matches(tree({"field": "days_since_last_order", "op": "lt", "value": 30}), never)
    assert not matches(tree({"field": "days_since_last_order", "op": "gte", "value": 30}), never)
    assert matches(tree({"field": "days_since_last_order", "op": "ne", "value": 30}), never)
    assert matches(None, never)  # no conditions: everyone


@pytest.mark.parametrize(
    "data, says",
    [
        ({"field": "teir", "op": "eq", "value": "gold"}, "conditions: unknown field 'teir'"),
        ({"field": "tier", "op": "gt", "value": "gold"}, "tier takes the operators"),
        ({"field": "tier", "op": "eq", "value": "platinum"}, "tier is one of silver, gold, diamond"),
        ({"field": "recency", "op": "gte", "value": 9}, "from 1 to 5"),
        ({"field": "recency", "op": "gte", "value": True}, "whole number"),
        ({"all": [{"field": "locale", "op": "eq", "value": "en"}, {"field": "cart_value", "op": "gt", "value": -1}]},
         "conditions.all[1]: cart_value takes a whole number"),
        ({"any": []}, "any takes 1 to 20 conditions"),
        ({"all": [{"any": [{"field": "segment", "op": "in", "value": "loyal"}]}]}, "conditions.all[0].any[0]: in takes a list"),
        ({"field": "tags", "op": "has", "value": "Not A Slug"}, "lower-case slug"),
        ({"all": [{"field": "segment", "op": "eq", "value": "loyal"}], "field": "tier"}, "each node is"),
        ({"all": [{"all": [{"all": [{"all": [{"field": "recency", "op": "eq", "value": 1}]}]}]}]}, "nest at most 4"),
    ],
)
def test_bad_conditions_are_refused_naming_the_bad_node(data, says):
    with pytest.raises(BadCampaign) as refused:
        check(tree(data))
    assert says in str(refused.value)


def test_too_many_conditions_are_refused_and_trees_round_trip():
    many = {"any": [{"any": [{"field": "recency", "op": "eq", "value": 1}] * 20}] * 3}
    with pytest.raises(BadCampaign, match="at most 40"):
        check(tree(many))
    sample = tree({"all": [{"field": "tier", "op": "in", "value": ["gold", "diamond"]}]})
    assert sample == loads(dumps(sample))
    assert loads(None) is None


def orders_every(days: list[int], total: int = 2_000, **extra) -> list[OrderFact]:
    return [OrderFact(paid_at=NOW - timedelta(days=d), total=total, **extra) for d in days]


def test_the_model_of_a_regular_shopper():
    history = History(orders=orders_every([70, 56, 42, 28, 14]), categories_bought={"tea": 6, "coffee": 1},
                      categories_viewed={"tea": 3}, last_activity=NOW - timedelta(days=2))
    m = model(history, NOW)
    assert (5, 10_000, 2_000, 80, 10_000) == (m.orders, m.revenue, m.aov, m.repurchase_rate, m.historic_ltv)
    assert (14, 14.0, []) == (m.days_since_last_order, m.usual_gap_days, m.churn_signals)
    assert ["tea"] == m.categories
    assert {"affinity-tea", "high-repurchase"} == set(m.tags)
    # Five orders in 70 days, still on rhythm: about 26 in the next year.
    assert 25 <= m.expected_orders12m <= 27 and m.predicted_ltv12m == round(m.expected_orders12m * 2_000)


def test_falling_rhythm_and_inactivity_are_churn_signals_and_cut_the_prediction():
    slowing = model(History(orders=orders_every([200, 190, 180, 170, 100]), last_activity=NOW - timedelta(days=95)), NOW)
    assert ["inactive", "rhythm_falling"] == slowing.churn_signals
    assert "slowing-down" in slowing.tags
    steady = model(History(orders=orders_every([40, 30, 20, 10]), last_activity=NOW), NOW)
    assert [] == steady.churn_signals
    assert slowing.predicted_ltv12m < steady.predicted_ltv12m


def test_returns_discounts_and_operator_tags():
    history = History(orders=orders_every([30, 20], discounted=True) + orders_every([10], refunded=True),
                      operator_tags=["mother-and-baby", "vip-call"])
    m = model(history, NOW)
    assert (2, 1, 33, ["returns"]) == (m.orders, m.returns, m.return_rate, m.churn_signals)
    assert {"returner", "deal-seeker", "mother-and-baby", "vip-call"} <= set(m.tags)
    flat = attributes(m, {"segment": "price_sensitive", "recency": 4, "frequency": 3, "monetary": 2}, tier=None,
                      locale="en", cart_value=0, consents=["email"])
    assert ("silver", ["email"], 2) == (flat["tier"], flat["consent"], flat["orders"])
    assert matches(tree({"field": "tags", "op": "has", "value": "mother-and-baby"}), flat)


def test_nobody_yet():
    m = model(History(), NOW)
    assert (0, 0, None, 0.0, []) == (m.orders, m.aov, m.days_since_last_order, m.expected_orders12m, m.tags)
