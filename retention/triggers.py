"""Which triggers fire for a shopper now (pure: facts in, hits out; the dedupe key stops repeats)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from catalog.money import format_amount

from .config import RetentionConfig
from .models import Scores
from .segments import ShopperFacts

TIER_ORDER = ("silver", "gold", "diamond")


class Hit(msgspec.Struct):
    """One trigger firing for one shopper; ``dedupe`` is unique per shopper, so it fires once."""

    trigger: str
    dedupe: str
    context: dict


def cart_abandoned(facts: ShopperFacts, now: datetime, delay: int) -> Hit | None:
    """A non-empty cart untouched for ``delay`` seconds and no order since its last change."""
    if not facts.cart:
        return None
    last = max(added for _, added in facts.cart)
    if now - last < timedelta(seconds=delay):
        return None
    if facts.last_order_at is not None and facts.last_order_at >= last:
        return None
    sku = max(facts.cart, key=lambda line: line[1])[0]
    return Hit("cart_abandoned", f"cart:{last.isoformat()}", {"items": len(facts.cart), "sku": sku})


def churn_risk(facts: ShopperFacts, scores: Scores) -> Hit | None:
    """The shopper fell into the churn-risk segment (once per stretch of inactivity)."""
    if scores.segment != "churn_risk" or facts.last_activity is None:
        return None
    return Hit("churn_risk", f"churn:{facts.last_activity.date().isoformat()}", {"segment": scores.segment})


def birthday(facts: ShopperFacts, now: datetime, zone: str) -> Hit | None:
    """Today is the shopper's birthday in their own time zone (29 February is celebrated on 28 February)."""
    if not facts.birthday:
        return None
    month_day = facts.birthday[-5:]
    local = now.astimezone(ZoneInfo(zone)).date()
    today = local.strftime("%m-%d")
    is_leap = local.year % 4 == 0 and (local.year % 100 != 0 or local.year % 400 == 0)
    if month_day == today or (month_day == "02-29" and not is_leap and today == "02-28"):
        return Hit("birthday", f"birthday:{local.year}", {"year": local.year})
    return None


def points_expiring(facts: ShopperFacts, now: datetime, within_days: int) -> Hit | None:
    """Points that expire within ``within_days`` (one notice per expiry date)."""
    soon = [(points, at) for points, at in facts.points_expiring if now <= at <= now + timedelta(days=within_days) and points > 0]
    if not soon:
        return None
    first = min(at for _, at in soon)
    total = sum(points for points, at in soon if at.date() == first.date())
    return Hit("points_expiring", f"points:{first.date().isoformat()}", {"points": total, "expires_on": first.date().isoformat()})


def tier_up(facts: ShopperFacts, known_tier: str | None) -> Hit | None:
    """The tier rose above the last one retention saw (the first tier seen counts from the lowest)."""
    if facts.tier not in TIER_ORDER:
        return None
    before = TIER_ORDER.index(known_tier) if known_tier in TIER_ORDER else 0
    if TIER_ORDER.index(facts.tier) <= before:
        return None
    return Hit("tier_up", f"tier:{facts.tier}", {"tier": facts.tier})


def wishlist_price_drops(facts: ShopperFacts, baselines: dict[str, int]) -> list[Hit]:
    """Each wishlist item now cheaper than the price retention last saw for this shopper."""
    hits = []
    for sku, price in sorted(facts.wishlist_prices.items()):
        before = baselines.get(sku)
        if before is not None and price < before:
            hits.append(
                Hit(
                    "wishlist_price_drop",
                    f"price:{sku}:{price}",
                    {"sku": sku, "old_price": format_amount(before), "new_price": format_amount(price)},
                )
            )
    return hits


def evaluate(
    facts: ShopperFacts,
    scores: Scores,
    now: datetime,
    config: RetentionConfig,
    *,
    known_tier: str | None = None,
    price_baselines: dict[str, int] | None = None,
) -> list[Hit]:
    """Every trigger that fires for this shopper now."""
    zone = facts.time_zone or config.default_time_zone
    hits = [
        cart_abandoned(facts, now, config.cart_abandoned_after),
        churn_risk(facts, scores),
        birthday(facts, now, zone),
        points_expiring(facts, now, config.points_expiring_within_days),
        tier_up(facts, known_tier),
    ]
    found = [hit for hit in hits if hit is not None]
    return found + wishlist_price_drops(facts, price_baselines or {})
