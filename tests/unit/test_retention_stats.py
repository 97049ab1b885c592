"""The A/B statistics: Wilson intervals, the two-proportion z-test, and when a winner may be named."""

import math

import pytest

from retention.stats import significant_winner, two_proportion_p, wilson


@pytest.mark.parametrize(
    "successes, trials, low, high",
    [
        (0, 0, 0.0, 0.0),
        (0, 10, 0.0, 0.2775),      # never below 0, unlike the normal approximation
        (10, 10, 0.7225, 1.0),     # never above 1
        (50, 100, 0.4038, 0.5962),
        (20, 1000, 0.0130, 0.0307),
    ],
)
def test_wilson_interval(successes, trials, low, high):
    got = wilson(successes, trials)
    assert (low, high) == (round(got[0], 4), round(got[1], 4))


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ((50, 100), (50, 100), 1.0),
        ((60, 100), (40, 100), 0.0047),   # z = 2.83
        ((12, 1000), (10, 1000), 0.6681),
        ((0, 10), (0, 10), None),          # no variance: undefined
        ((5, 0), (3, 10), None),           # an empty arm
    ],
)
def test_two_proportion_z_test(a, b, expected):
    got = two_proportion_p(*a, *b)
    assert expected == (None if got is None else round(got, 4))


def test_the_p_value_is_symmetric_and_falls_with_sample_size():
    assert math.isclose(two_proportion_p(30, 200, 20, 200), two_proportion_p(20, 200, 30, 200))
    assert two_proportion_p(300, 2000, 200, 2000) < two_proportion_p(30, 200, 20, 200)


@pytest.mark.parametrize(
    "arms, baseline, can_win, expected",
    [
        ([("holdout", 20, 200, None), ("A", 40, 200, 0.003), ("B", 45, 200, 0.0006)], "holdout", False, "B"),
        ([("holdout", 20, 200, None), ("A", 25, 200, 0.42)], "holdout", False, None),   # not significant
        ([("holdout", 40, 200, None), ("A", 20, 200, 0.003)], "holdout", False, None),  # significantly worse
        ([("A", 60, 200, None), ("B", 30, 200, 0.0004)], "A", True, "A"),              # the first variant wins
        ([("A", 60, 200, None), ("B", 30, 200, 0.0004)], "A", False, None),
        ([("A", 0, 0, None), ("B", 3, 10, None)], "A", True, None),
    ],
)
def test_a_winner_is_named_only_when_significant(arms, baseline, can_win, expected):
    assert expected == significant_winner(arms, baseline, can_win)
