"""recs.similarity on its own: cosine neighbours, decay, interest by recency and frequency, ranking."""

from __future__ import annotations

import math

import pytest

from recs.similarity import Event, decay, interest, neighbours, popularity, rank

DAY = 86_400.0


def _orders(*baskets: str) -> dict[int, list[Event]]:
    return {i: [Event(sku, 0.0, "order") for sku in basket] for i, basket in enumerate(baskets)}


def test_neighbours_are_the_cosine_of_the_shoppers_who_had_both():
    near = neighbours(_orders("AB", "AB", "AC", "B"))
    assert [("B", pytest.approx(2 / math.sqrt(3 * 3))), ("C", pytest.approx(1 / math.sqrt(3)))] == near["A"]
    assert [("A", pytest.approx(1 / math.sqrt(3)))] == near["C"]


def test_neighbours_learn_only_from_each_shoppers_latest_items():
    histories = {1: [Event("OLD", 0.0, "order"), Event("A", 10.0, "order"), Event("B", 20.0, "order")]}
    assert {"A", "B"} == set(neighbours(histories, max_items=2))


@pytest.mark.parametrize(("age_days", "expected"), [(0, 1.0), (30, 0.5), (60, 0.25), (-5, 1.0)])
def test_interest_halves_every_thirty_days(age_days, expected):
    assert expected == pytest.approx(decay(100 * DAY - age_days * DAY, 100 * DAY))


def test_interest_adds_up_orders_and_views_a_views_day_counting_at_most_three():
    events = [Event("A", 0.0, "order"), Event("A", 0.0, "view", 10), Event("B", 0.0, "view", 2)]
    assert {"A": 3.0 + 3.0, "B": 2.0} == interest(events, 0.0)


def test_popularity_counts_shoppers_not_units_recent_ones_more():
    histories = {1: [Event("A", 0.0, "order"), Event("A", 0.0, "order")], 2: [Event("B", 0.0, "order")],
                 3: [Event("B", -120 * DAY, "order")]}
    assert ["B", "A"] == [sku for sku, _ in popularity(histories, 0.0)]


def test_rank_scores_neighbours_by_seed_weight_then_fills_with_popular_items():
    near = {"A": [("B", 0.9), ("C", 0.5)], "X": [("C", 0.9)]}
    chosen, personal = rank([("A", 1.0), ("X", 2.0)], near, ["P", "B", "Q"], exclude={"A", "Q"}, limit=4)
    assert (["C", "B", "P"], 2) == (chosen, personal)  # C: 0.5 + 1.8, B: 0.9; Q bought already
