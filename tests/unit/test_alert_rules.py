"""The anomaly rules as plain functions of counts: on exactly past their thresholds, never on too little traffic."""

import pytest

from insights import alerts


@pytest.mark.parametrize(
    "requests, errors, expected",
    [
        (0, 0, False),
        (49, 10, False),      # too few requests to call it a rate
        (1000, 5, False),     # exactly 0.5 % is not above it
        (1000, 6, True),
        (200, 2, True),
        (100_000, 400, False),
    ],
)
def test_api_error_rate_above_half_a_percent(requests, errors, expected):
    assert expected == alerts.api_errors(requests, errors).on


@pytest.mark.parametrize(
    "hour, day, expected",
    [
        ({"accepted": 100}, {"accepted": 2000}, False),
        ({"accepted": 70, "gone": 30}, {"accepted": 2000, "gone": 100}, True),       # 30 % vs ~5 %
        ({"accepted": 8, "gone": 4}, {"accepted": 100, "gone": 4}, False),           # 12 sends: too few
        ({"accepted": 85, "failed": 15}, {"accepted": 500, "failed": 100}, False),   # 15 % vs 17 %: no spike
        ({"accepted": 88, "rejected": 6, "failed": 6}, {"accepted": 4000, "failed": 40}, True),
        ({"accepted": 95, "gone": 5}, {"accepted": 4000}, False),                    # 5 %: below the floor
    ],
)
def test_push_failures_spiking(hour, day, expected):
    assert expected == alerts.push_failures(hour, day).on


@pytest.mark.parametrize(
    "this_hour, last_week, expected",
    [(0, 0, False), (0, 9, False), (4, 10, True), (5, 10, False), (20, 100, True), (120, 100, False)],
)
def test_orders_far_below_the_same_hour_last_week(this_hour, last_week, expected):
    assert expected == alerts.orders_drop(this_hour, last_week).on


def test_detail_lists_the_figures_in_a_stable_order():
    assert "errors=9, percent=0.9, requests=1000" == alerts.api_errors(1000, 9).detail()
