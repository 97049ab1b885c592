"""Tier transitions: growth upgrades, the accelerated path, holds and the one-step downgrade."""

from datetime import datetime, timedelta, timezone

import pytest

from loyalty import rules
from loyalty.rules import TierChange, TierState, evaluate_tier

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc)
YEAR = timedelta(days=rules.TIER_HOLD_DAYS)
ACCEL = rules.ACCELERATED_MONTH_SPEND_MINOR


def test_new_shopper_starts_silver_and_the_hold_clock_starts():
    state, change = evaluate_tier(TierState(), 0, 0, NOW)
    assert TierState("silver", NOW + YEAR, None) == state
    assert change is None


@pytest.mark.parametrize(
    "start, growth, expected",
    [
        ("silver", 4_999, "silver"),
        ("silver", 5_000, "gold"),
        ("gold", 19_999, "gold"),
        ("gold", 20_000, "diamond"),
        ("silver", 20_000, "diamond"),
    ],
)
def test_growth_upgrades_as_soon_as_a_threshold_is_reached(start, growth, expected):
    state, change = evaluate_tier(TierState(start, NOW + YEAR), growth, 0, NOW)
    assert expected == state.tier
    if expected == start:
        assert change is None
    else:
        assert TierChange(start, expected, "growth") == change
        assert NOW + YEAR == state.held_until


@pytest.mark.parametrize("start, expected", [("silver", "gold"), ("gold", "diamond")])
def test_accelerated_path_upgrades_one_tier_at_once(start, expected):
    state, change = evaluate_tier(TierState(start, NOW), 0, ACCEL + 1, NOW)
    assert TierChange(start, expected, "accelerated") == change
    assert TierState(expected, NOW + YEAR, "2026-03") == state


def test_accelerated_path_needs_strictly_more_than_2000_units():
    state, change = evaluate_tier(TierState("silver", NOW + YEAR), 0, ACCEL, NOW)
    assert ("silver", None) == (state.tier, change)


def test_accelerated_path_counts_once_per_calendar_month():
    state, _ = evaluate_tier(TierState("silver", NOW + YEAR), 0, ACCEL + 1, NOW)
    again, change = evaluate_tier(state, 0, 3 * ACCEL, NOW + timedelta(days=5))
    assert ("gold", None) == (again.tier, change)
    next_month = datetime(2026, 4, 2, tzinfo=timezone.utc)
    later, change = evaluate_tier(again, 0, ACCEL + 1, next_month)
    assert TierChange("gold", "diamond", "accelerated") == change
    assert "2026-04" == later.accelerated_month


def test_accelerated_path_starts_above_what_growth_supports():
    state, change = evaluate_tier(TierState("silver", NOW + YEAR), 5_500, ACCEL + 1, NOW)
    assert TierChange("silver", "diamond", "accelerated") == change


def test_accelerated_path_at_the_top_changes_nothing_but_is_used_up():
    state, change = evaluate_tier(TierState("diamond", NOW + YEAR), 0, ACCEL + 1, NOW)
    assert change is None
    assert TierState("diamond", NOW + YEAR, "2026-03") == state


def test_no_downgrade_while_the_tier_is_held():
    state, change = evaluate_tier(TierState("diamond", NOW + timedelta(days=1)), 0, 0, NOW)
    assert ("diamond", None) == (state.tier, change)


def test_downgrade_after_the_hold_drops_one_tier_and_holds_again():
    state, change = evaluate_tier(TierState("diamond", NOW), 0, 0, NOW)
    assert TierChange("diamond", "gold", "downgrade") == change
    assert TierState("gold", NOW + YEAR, None) == state
    # Held for another year, then down again if growth still does not support it.
    same, change = evaluate_tier(state, 0, 0, NOW + YEAR - timedelta(seconds=1))
    assert ("gold", None) == (same.tier, change)
    lower, change = evaluate_tier(state, 0, 0, NOW + YEAR)
    assert TierChange("gold", "silver", "downgrade") == change
    bottom, change = evaluate_tier(lower, 0, 0, NOW + 3 * YEAR)
    assert ("silver", None) == (bottom.tier, change)


def test_review_keeps_a_supported_tier_for_another_year():
    state, change = evaluate_tier(TierState("gold", NOW - YEAR), 5_000, 0, NOW)
    assert (TierState("gold", NOW + YEAR), None) == (state, change)
    # Growth leaving the window later in that year changes nothing until the next review.
    same, change = evaluate_tier(state, 0, 0, NOW + YEAR - timedelta(days=1))
    assert (state, None) == (same, change)


def test_progress_towards_the_next_tier():
    assert ("gold", 4_500, 100) == rules.tier_progress("silver", 500)
    assert ("diamond", 12_000, 200) == rules.tier_progress("gold", 8_000)
    assert (None, 0, 1000) == rules.tier_progress("diamond", 3)
    # A held tier above what growth supports shows no negative progress.
    assert ("diamond", 20_000, 0) == rules.tier_progress("gold", 0)


def test_points_per_unit_by_tier():
    assert 12 == rules.order_points(1_299, "silver")
    assert 18 == rules.order_points(1_299, "gold")
    assert 24 == rules.order_points(1_299, "diamond")
    assert 0 == rules.order_points(99, "diamond")


def test_order_growth_is_capped_per_order():
    assert 150 == rules.order_growth(15_000)
    assert rules.ORDER_GROWTH_CAP == rules.order_growth(10_000_000)


def test_growth_caps():
    assert rules.growth_allowed("checkin", 0, 20)
    assert not rules.growth_allowed("checkin", 1, 20)
    assert rules.growth_allowed("share", 2, 9)
    assert not rules.growth_allowed("share", 3, 9)
    assert not rules.growth_allowed("share", 0, 10)
    assert not rules.growth_allowed("review", 0, 4)


@pytest.mark.parametrize("current, target", [("placed", "paid"), ("placed", "cancelled"), ("paid", "fulfilled"),
                                             ("paid", "refunded"), ("fulfilled", "refunded")])
def test_order_life_cycle_allows(current, target):
    assert rules.can_move(current, target)


@pytest.mark.parametrize("current, target", [("placed", "fulfilled"), ("placed", "refunded"), ("paid", "cancelled"),
                                             ("fulfilled", "paid"), ("refunded", "paid"), ("cancelled", "paid"),
                                             ("paid", "paid")])
def test_order_life_cycle_refuses(current, target):
    assert not rules.can_move(current, target), (current, target)


def test_lots_expire_twelve_calendar_months_after_they_become_available():
    available, expires = rules.lot_dates(datetime(2027, 2, 22, tzinfo=timezone.utc), 7)
    assert datetime(2027, 3, 1, tzinfo=timezone.utc) == available
    assert datetime(2028, 3, 1, tzinfo=timezone.utc) == expires
    assert datetime(2029, 2, 28, tzinfo=timezone.utc) == rules.add_months(datetime(2028, 2, 29, tzinfo=timezone.utc), 12)
