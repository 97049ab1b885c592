"""Demo push history: a campaign that ran a few days before the seed, delivered, shown, clicked and redeemed.

The console's push funnel, /admin/push and the campaign report need notifications that went somewhere. The seed
builds a real campaign (planner.create_campaign: two variants with their offers and a holdout) and plans it for its
audience with ``enqueue_message``, as a run would (caps, quiet hours, offer grants); the real outbox worker
(``deliver_due``) delivers it to ``DemoPushService``, which answers as a push service would (mostly 201, a few 410
and 429) without any request leaving the machine. Then the shoppers' side goes through the real entry points: the
service worker's shown/clicked events (``tracking.record_events``), and checkouts with the campaign's code
(loyalty's checkout with retention's discount provider) paid through the operators' status change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec

from accounts.consents import OFFERS
from catalog import store as catalog_store
from clock import parse
from loyalty import service as loyalty_service
from loyalty.checkout import checkout
from loyalty.models import CheckoutRequest
from sync import store as sync_store

from . import audience_store, campaign_store, push_store
from .audience import in_audience
from .checkout_hook import retention_discount
from .config import RetentionConfig
from .delivery import Outcome, classify, deliver_due
from .models import CampaignIn, Event, EventBatch, OfferIn, Variant
from .offers import create_offer, get_offer
from .planner import create_campaign, enqueue_message
from .tracking import record_events

CAMPAIGN = "Thank you, loyal shoppers (demo)"
SEGMENT = "loyal"
DAYS_AGO = 4
PASS_HOURS = (0, 2, 5, 9, 14, 20, 27, 36)
"""Delivery runs after the plan, in hours: quiet hours hold some messages back, 429s come back later."""
SHOWN, CLICKED, BOUGHT = 0.85, 0.22, 0.45
"""Shares: accepted notifications the browser showed, shown ones clicked, clicks that ended in a paid order."""
HOLD_DAYS = 7


@dataclass
class PushHistory:
    """What the demo campaign left: messages planned, and the funnel's later stages."""

    messages: int = 0
    accepted: int = 0
    shown: int = 0
    clicked: int = 0
    redeemed: int = 0


class DemoPushService:
    """The sender ``deliver_due`` drives, answering like a push service (seeded per delivery and attempt): 201 for
    most, 410 for a browser that unsubscribed (the worker deletes its subscription), 429 with Retry-After now
    and then (retried by a later pass). No request leaves the machine."""

    def __init__(self, config: RetentionConfig, seed: int) -> None:
        self.config = config
        self.seed = seed
        self.at = datetime.min

    def clock(self) -> datetime:
        """The time of the current delivery pass."""
        return self.at

    def send(self, row: dict) -> Outcome:
        """The push service's answer to one delivery."""
        roll = random.Random(self.seed * 1_000_003 + row["id"] * 31 + row["attempts"]).random()
        status, retry_after = (410, None) if roll < 0.04 else (429, "3600") if roll < 0.08 else (201, None)
        return classify(row, status, retry_after, self.at, self.config.max_attempts)

    def close(self) -> None:
        """Nothing to close."""


def _campaign(db: Any, at: datetime, currency: str, factor: int) -> Any:
    """The demo campaign with its two offers: 10 % off, or a fixed amount off (made once)."""
    expires = (at + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    percent = create_offer(db, OfferIn(code="THANKS10", title="A thank-you", kind="percent", value=10,
                                       expires_at=expires, budget=10**11), at)
    amount = create_offer(db, OfferIn(code="THANKS5", title="A thank-you", kind="amount", value=500 * factor,
                                      expires_at=expires, budget=10**11, currency=currency), at)
    return create_campaign(db, CampaignIn(
        name=CAMPAIGN, trigger="segment", segment=SEGMENT, topic="offer", holdout=10, variants=[
            Variant(name="A", template_key="segment.loyal", offer_id=percent.id),
            Variant(name="B", template_key="segment", offer_id=amount.id)]))


def _audience(database: Any) -> list[int]:
    """Scored shoppers in the campaign's segment who agreed to offers (as plan_shopper asks)."""
    found, after = [], 0
    while True:
        page = audience_store.customer_attributes(database.read(), after, 500)
        if not page:
            return found
        for user_id, text in page:
            attributes = msgspec.json.decode(text)
            if in_audience(SEGMENT, None, attributes) and OFFERS in attributes.get("consent", ()):
                found.append(user_id)
        after = page[-1][0]


def seed_push_history(database: Any, config: RetentionConfig, now: datetime, *, seed: int = 7,
                      currency: str = "EUR", factor: int = 1) -> PushHistory:
    """Run the demo campaign ``DAYS_AGO`` days before ``now`` and play out its funnel (nothing when it exists)."""
    history = PushHistory()
    planned_at = (now - timedelta(days=DAYS_AGO)).replace(hour=10, minute=0, second=0, microsecond=0)
    if any(c["name"] == CAMPAIGN for c in campaign_store.list_campaigns(database.read())):
        return history
    with database.write() as db:
        campaign = _campaign(db, planned_at - timedelta(hours=1), currency, factor)
    audience = _audience(database)
    for start in range(0, len(audience), 200):
        with database.write() as db:
            for user_id in audience[start:start + 200]:
                made = enqueue_message(db, user_id=user_id, trigger="segment", dedupe=f"campaign:{campaign.id}",
                                       context={"segment": SEGMENT}, campaign=campaign, now=planned_at, config=config)
                history.messages += made is not None
    service = DemoPushService(config, seed)
    for hours in PASS_HOURS:
        service.at = planned_at + timedelta(hours=hours, minutes=1)
        if service.at >= now - timedelta(hours=1):
            break
        deliver_due(database, service, now=service.at)  # type: ignore[arg-type]
    # And what is due at the seed itself (the trigger messages the seed's retention run planned): the demo devices'
    # endpoints are made up, so a real push service would refuse them; quiet hours still hold some back.
    service.at = now
    deliver_due(database, service, now=now)  # type: ignore[arg-type]
    _shoppers_side(database, campaign.id, now, random.Random(seed), history)
    return history


def _shoppers_side(database: Any, campaign_id: int, now: datetime, rng: random.Random, history: PushHistory) -> None:
    """Accepted notifications shown and clicked in the shoppers' browsers, and some clicks bought with the code."""
    with database.snapshot() as db:
        rows = [r for r in push_store.outbox_rows(db) if r["state"] == "accepted"]
        messages = {r["message_id"]: campaign_store.get_message(db, r["message_id"]) for r in rows}
    buyers: list[tuple[dict, datetime]] = []
    with database.write() as db:
        for row in rows:
            message = messages[row["message_id"]]
            if message is None or message["campaign_id"] != campaign_id:
                continue
            history.accepted += 1
            shown = parse(row["sent_at"]) + timedelta(minutes=rng.uniform(1, 90))
            if shown >= now or rng.random() >= SHOWN:
                continue
            record_events(db, message["user_id"], EventBatch(events=[
                Event(type="notification.shown", message_id=message["id"])]), shown)
            history.shown += 1
            if rng.random() >= CLICKED:
                continue
            clicked = shown + timedelta(minutes=rng.uniform(0.2, 45))
            record_events(db, message["user_id"], EventBatch(events=[
                Event(type="notification.clicked", message_id=message["id"])]), min(clicked, now))
            history.clicked += 1
            if rng.random() < BOUGHT and message["offer_id"] is not None:
                buyers.append((message, min(clicked + timedelta(minutes=rng.uniform(3, 40)), now)))
    for message, at in buyers:
        history.redeemed += _buy_with_code(database, message, at, rng)


def _buy_with_code(database: Any, message: dict, at: datetime, rng: random.Random) -> int:
    """The shopper fills a cart and checks out with the message's code, then pays; 1 if the code was used."""
    user_id = message["user_id"]
    with database.write() as db:
        if sync_store.get_view(db, user_id, "cart/"):
            return 0  # they had a cart of their own; the demo does not touch it
        code = get_offer(db, message["offer_id"]).code
        products = [p for p in catalog_store.list_products(db, after=None, limit=200, category=None) if p["stock"] > 2]
        if not products:
            return 0
        for product in rng.sample(products, k=min(len(products), rng.choice((1, 1, 2)))):
            sync_store.put_view(db, user_id, f"cart/{product['id']}", {
                "sku": product["id"], "qty": 1, "addedAt": int(at.timestamp() * 1000)})
        result = checkout(db, user_id, f"demo-campaign-{message['id']}", CheckoutRequest(code=code), at,
                          discount_providers=[retention_discount])
    assert result.order_id is not None
    loyalty_service.set_order_status(database, result.order_id, "paid", HOLD_DAYS, at + timedelta(minutes=5))
    return 1
