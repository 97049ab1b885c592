"""The pure rules of returns: the window, amounts, status moves, and partial reversals that compose with a refund."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from loyalty import return_rules, rules

DELIVERED = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("after, expected", [
    (timedelta(0), True),
    (timedelta(days=7), True),
    (timedelta(days=7, seconds=1), False),
    (timedelta(seconds=-1), False),
])
def test_the_return_window_is_seven_days_from_delivery(after, expected):
    assert expected == return_rules.window_open(DELIVERED, DELIVERED + after)


@pytest.mark.parametrize("current, target, expected", [
    ("requested", "approved", True), ("approved", "received", True), ("received", "refunded", True),
    ("requested", "rejected", True), ("received", "rejected", True),
    ("requested", "refunded", False), ("refunded", "rejected", False), ("rejected", "approved", False),
])
def test_status_moves(current, target, expected):
    assert expected == return_rules.can_move(current, target)


def test_the_last_return_of_an_order_takes_what_rounding_left():
    lines = [{"line_total": 1_000}, {"line_total": 2_000}]  # subtotal 3,000, a 1,000 discount: total 2,000
    first = return_rules.return_amount(lines[:1], 3_000, 2_000, 0, completes=False)
    last = return_rules.return_amount(lines[1:], 3_000, 2_000, first, completes=True)
    assert (666, 1_334) == (first, last)


def test_the_refund_target_and_the_time_left():
    due = return_rules.refund_due(DELIVERED)
    assert (timedelta(hours=4), 3_600, -60) == (
        due - DELIVERED, return_rules.seconds_left(due, due - timedelta(hours=1)),
        return_rules.seconds_left(due, due + timedelta(minutes=1)))


def lot(lot_id: int, points: int, order_id: int | None, spent: int = 0, kind: str = "earn") -> rules.Lot:
    start = DELIVERED - timedelta(days=30)
    return rules.Lot(lot_id, kind, points, start, start + timedelta(days=365), order_id, points - spent, spent)


def test_a_partial_reversal_then_the_refund_take_back_what_the_order_earned_once():
    # Order 7 earned 100 (60 of them spent) and a 1,000 bonus; another order's lot has 500 left.
    lots = [lot(1, 100, 7, spent=60), lot(2, 1_000, 7, kind="bonus"), lot(3, 500, 8)]
    plan, written_off = rules.plan_partial_reversal(lots, 7, 50, 0, DELIVERED)
    # 40 remain in the earned lot; the other 10 were spent, so they are clawed back from order 8's lot.
    assert ([rules.Debit(1, 40, "reverse"), rules.Debit(3, 10, "clawback")], 0) == (plan, written_off)
    after = [lot(1, 100, 7, spent=60), lot(2, 1_000, 7, kind="bonus"), lot(3, 500, 8)]
    after[0].remaining, after[2].remaining = 0, 490
    rest, written_off = rules.plan_reversal(after, 7, DELIVERED, clawed_before=10)
    assert ([rules.Debit(2, 1_000, "reverse"), rules.Debit(3, 50, "clawback")], 0) == (rest, written_off)
    assert 1_100 == sum(d.points for d in plan + rest)  # everything order 7 earned, nothing twice


@pytest.mark.parametrize("order, expected", [({"total": 4_500, "shipping": 500}, 4_000), ({"total": 4_000}, 4_000),
                                             ({"total": 4_000, "shipping": None}, 4_000)])
def test_a_return_gives_back_the_goods_not_the_delivery(order, expected):
    assert expected == return_rules.goods_paid(order)
