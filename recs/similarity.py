"""Item-to-item recommendations, pure: cosine neighbours over shoppers' item sets, popularity, and the ranking
of one shopper's candidates by their own recency and frequency. No database: recs/service.py feeds it rows and
bench/recommend.py feeds it a held-out split of the demo orders."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Literal

Kind = Literal["order", "view"]

HALF_LIFE_DAYS = 30.0
"""A shopper's interest in an item halves every month without a new order or view of it."""
KIND_WEIGHT: dict[str, float] = {"order": 3.0, "view": 1.0}
"""An item bought says more than an item looked at."""
MAX_VIEWS_COUNTED = 3
"""Views of one item on one day count at most this often (a shopper reloading a page is not three shoppers)."""
MAX_ITEMS_PER_SHOPPER = 60
"""Distinct items of one shopper the neighbour model learns from (their latest): bounds pairs at 60·59/2."""
NEIGHBOURS_PER_ITEM = 20
SEEDS = 20
"""A shopper's strongest items whose neighbours are scored (bounds the per-request work at 20·20 rows)."""


@dataclass(frozen=True, slots=True)
class Event:
    """One thing a shopper did with an item: bought it (an order line) or viewed it ``count`` times that day."""

    sku: str
    at: float  # unix seconds
    kind: Kind
    count: int = 1


def item_sets(histories: dict[int, list[Event]], max_items: int = MAX_ITEMS_PER_SHOPPER) -> list[list[str]]:
    """Each shopper's distinct items, latest first, at most ``max_items``."""
    sets = []
    for events in histories.values():
        seen: dict[str, None] = {}
        for event in sorted(events, key=lambda e: (-e.at, e.sku)):
            if len(seen) >= max_items:
                break
            seen.setdefault(event.sku, None)
        if seen:
            sets.append(list(seen))
    return sets


def neighbours(histories: dict[int, list[Event]], per_item: int = NEIGHBOURS_PER_ITEM,
               max_items: int = MAX_ITEMS_PER_SHOPPER) -> dict[str, list[tuple[str, float]]]:
    """Each item's ``per_item`` most similar items: cosine of the shoppers who had both, |A∩B| / √(|A|·|B|),
    best first (ties by SKU, so the model is the same on every run)."""
    support: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for items in item_sets(histories, max_items):
        support.update(items)
        ordered = sorted(items)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                pairs[(a, b)] += 1
    near: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), both in pairs.items():
        score = both / math.sqrt(support[a] * support[b])
        near[a].append((b, score))
        near[b].append((a, score))
    return {sku: sorted(found, key=lambda p: (-p[1], p[0]))[:per_item] for sku, found in sorted(near.items())}


def decay(at: float, now: float, half_life_days: float = HALF_LIFE_DAYS) -> float:
    """How much an event at ``at`` still counts at ``now`` (1 now, ½ a half-life ago; future events count 1)."""
    return 0.5 ** (max(0.0, now - at) / 86_400 / half_life_days)


def popularity(histories: dict[int, list[Event]], now: float, half_life_days: float = 2 * HALF_LIFE_DAYS) -> list[tuple[str, float]]:
    """Items by how many shoppers bought them, recent purchases counting more; best first."""
    score: dict[str, float] = defaultdict(float)
    for events in histories.values():
        latest: dict[str, float] = {}
        for event in events:
            if event.kind == "order":
                latest[event.sku] = max(latest.get(event.sku, 0.0), event.at)
        for sku, at in latest.items():
            score[sku] += decay(at, now, half_life_days)
    return sorted(score.items(), key=lambda p: (-p[1], p[0]))


def interest(events: Iterable[Event], now: float) -> dict[str, float]:
    """A shopper's weight per item: recency (decay) × frequency (each order and each day's views add up)."""
    weights: dict[str, float] = defaultdict(float)
    for event in events:
        weights[event.sku] += KIND_WEIGHT[event.kind] * min(event.count, MAX_VIEWS_COUNTED) * decay(event.at, now)
    return dict(weights)


def seeds(events: Iterable[Event], now: float, count: int = SEEDS) -> list[tuple[str, float]]:
    """The shopper's ``count`` strongest items with their weights, strongest first."""
    return sorted(interest(events, now).items(), key=lambda p: (-p[1], p[0]))[:count]


def rank(seed_weights: list[tuple[str, float]], near: dict[str, list[tuple[str, float]]], popular: list[str],
         exclude: set[str], limit: int) -> tuple[list[str], int]:
    """Up to ``limit`` items: Σ weight(seed) × cosine(seed, item) over the seeds, then popular items to fill up;
    never an item in ``exclude`` (e.g. bought already). Also how many came from the shopper's own history."""
    score: dict[str, float] = defaultdict(float)
    for sku, weight in seed_weights:
        for neighbour, similarity in near.get(sku, ()):
            if neighbour not in exclude:
                score[neighbour] += weight * similarity
    chosen = [sku for sku, _ in sorted(score.items(), key=lambda p: (-p[1], p[0]))[:limit]]
    personal = len(chosen)
    taken = set(chosen)
    for sku in popular:
        if len(chosen) >= limit:
            break
        if sku not in exclude and sku not in taken:
            chosen.append(sku)
            taken.add(sku)
    return chosen, personal
