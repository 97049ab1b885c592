"""The statistics an A/B report needs: a 95 % Wilson interval for a conversion rate, and a two-proportion z-test.

Pure functions over counts (no SciPy: the normal tail is ``math.erfc``). Wilson rather than the normal
approximation because campaign arms are often small and conversion rates near zero, where the plain
``p ± z·sqrt(p(1-p)/n)`` interval runs below 0 and is far too narrow.
"""

from __future__ import annotations

import math

Z_95 = 1.959963984540054
"""The two-sided 95 % quantile of the standard normal."""

SIGNIFICANCE = 0.05
"""A variant is named winner only when its lift's p-value is below this."""


def wilson(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval (low, high) of a proportion; (0, 0) without trials."""
    if trials <= 0:
        return 0.0, 0.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_p(successes_a: int, trials_a: int, successes_b: int, trials_b: int) -> float | None:
    """Two-sided p-value of the pooled two-proportion z-test that A and B convert alike; None when undefined
    (an empty arm, or no variance at all: both arms all-success or all-failure)."""
    if trials_a <= 0 or trials_b <= 0:
        return None
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    variance = pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b)
    if variance <= 0:
        return None
    z = (successes_a / trials_a - successes_b / trials_b) / math.sqrt(variance)
    return math.erfc(abs(z) / math.sqrt(2))


def significant_winner(arms: list[tuple[str, int, int, float | None]], baseline: str,
                       baseline_can_win: bool = False) -> str | None:
    """The arm that beats the baseline significantly (the best-converting one if several do); else, when the
    baseline is itself a variant (no holdout), the baseline if it beats every other arm significantly; else None.

    ``arms`` holds (name, successes, trials, p-value against the baseline; None for the baseline itself).
    """
    base = next((a for a in arms if a[0] == baseline), None)
    if base is None or base[2] <= 0:
        return None
    base_rate = base[1] / base[2]
    others = [a for a in arms if a[0] != baseline]
    better = [a for a in others if a[2] > 0 and a[3] is not None and a[3] < SIGNIFICANCE and a[1] / a[2] > base_rate]
    if better:
        return max(better, key=lambda a: a[1] / a[2])[0]
    if baseline_can_win and others and all(
        a[2] > 0 and a[3] is not None and a[3] < SIGNIFICANCE and a[1] / a[2] < base_rate for a in others
    ):
        return baseline
    return None
