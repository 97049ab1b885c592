"""Which triggers fire for a shopper now (pure: facts in, hits out; the dedupe key stops repeats)."""

from __future__ import annotations

from dataclasses import dataclass, field
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
        return Hit("birthday", f"birthday:{local.year}", {"year": local.year, "tier": facts.tier or "silver"})
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


def holidays(facts: ShopperFacts, now: datetime, zone: str, calendar: list[dict]) -> list[Hit]:
    """Each holiday of the operator's calendar whose lead-in has begun in the shopper's time zone (once each)."""
    local = now.astimezone(ZoneInfo(zone)).date()
    hits = []
    for day in calendar:
        start = day["date"] - timedelta(days=day["lead_days"])
        if start <= local <= day["date"]:
            hits.append(Hit("holiday", f"holiday:{day['key']}:{day['date'].isoformat()}",
                            {"holiday": day["name"], "holiday_key": day["key"], "holiday_date": day["date"].isoformat()}))
    return hits


def new_arrivals(facts: ShopperFacts, arrivals: dict[str, list[str]]) -> Hit | None:
    """New products in a category the shopper favours, previewed to high repurchasers (once per batch)."""
    if "high-repurchase" not in facts.tags:
        return None
    skus = sorted(sku for category in facts.categories for sku in arrivals.get(category, []))
    if not skus:
        return None
    return Hit("new_arrivals", f"arrivals:{','.join(skus)[:200]}", {"sku": skus[0], "items": len(skus)})


def back_in_stock(facts: ShopperFacts, restocked: dict[str, str]) -> list[Hit]:
    """A wishlist line whose product came back in stock (once per restock)."""
    return [Hit("back_in_stock", f"restock:{sku}:{restocked[sku]}", {"sku": sku})
            for sku in sorted(facts.wishlist_prices) if sku in restocked]


def browse_abandon(facts: ShopperFacts, now: datetime, min_views: int = 3) -> Hit | None:
    """A product viewed again and again in the last two weeks, never bought and not in the cart (once a week)."""
    in_cart = {sku for sku, _ in facts.cart}
    candidates = [(views, sku) for sku, views in facts.product_views.items()
                  if views >= min_views and sku not in facts.bought and sku not in in_cart]
    if not candidates:
        return None
    views, sku = max(candidates)
    week = now.isocalendar()
    return Hit("browse_abandon", f"browse:{sku}:{week.year}-{week.week}", {"sku": sku, "views": views})


def order_updates(facts: ShopperFacts) -> list[Hit]:
    """An order shipped (fulfilled) or delivered recently (once per order and step)."""
    return [Hit(f"order_{step}", f"{step}:{order_id}", {"order": order_id}) for order_id, step in facts.order_updates]


@dataclass(frozen=True)
class RunInputs:
    """What triggers need beyond the shopper: the holiday calendar, new arrivals and restocks (read once a run)."""

    holidays: tuple[dict, ...] = ()
    arrivals: dict[str, list[str]] = field(default_factory=dict)
    restocked: dict[str, str] = field(default_factory=dict)


def evaluate(
    facts: ShopperFacts,
    scores: Scores,
    now: datetime,
    config: RetentionConfig,
    *,
    known_tier: str | None = None,
    price_baselines: dict[str, int] | None = None,
    inputs: RunInputs | None = None,
) -> list[Hit]:
    """Every trigger that fires for this shopper now."""
    inputs = inputs or RunInputs()
    zone = facts.time_zone or config.default_time_zone
    hits = [
        cart_abandoned(facts, now, config.cart_abandoned_after),
        churn_risk(facts, scores),
        birthday(facts, now, zone),
        points_expiring(facts, now, config.points_expiring_within_days),
        tier_up(facts, known_tier),
    ]
    hits += [new_arrivals(facts, inputs.arrivals), browse_abandon(facts, now)]
    found = [hit for hit in hits if hit is not None]
    return (found + wishlist_price_drops(facts, price_baselines or {}) + holidays(facts, now, zone, list(inputs.holidays))
            + back_in_stock(facts, inputs.restocked) + order_updates(facts))
