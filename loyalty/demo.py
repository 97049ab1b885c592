"""Demo rewards for the points mall, so `make serve` shows a mall with something in it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from . import mall, store
from .models import RewardInput

DEMO_REWARDS = [
    RewardInput(id="coupon-5", name="€5 off your next order", kind="coupon", points_cost=500, stock=1000,
                value=500, currency="EUR"),
    RewardInput(id="coupon-15", name="€15 off your next order", kind="coupon", points_cost=1400, stock=200,
                value=1500, currency="EUR"),
    RewardInput(id="free-tea-sampler", name="A free tea sampler", kind="product", points_cost=900, stock=25,
                sku="TEA-0007"),
]


def seed_rewards(database: Any, now: datetime | None = None) -> int:
    """Add the demo rewards that are not there yet (a product reward only if its product exists); how many."""
    from catalog import store as catalog_store

    now = now or datetime.now(timezone.utc)
    added = 0
    with database.write() as db:
        for reward in DEMO_REWARDS:
            if store.get_reward(db, reward.id) is not None:
                continue
            if reward.sku and catalog_store.get_product(db, reward.sku) is None:
                continue
            mall.create_reward(db, reward, now)
            added += 1
    return added
