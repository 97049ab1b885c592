"""Order status notifications: when an operator (or a payment webhook) moves an order, the shopper's devices get
a web push saying so, queued in the same transaction as the move.

They go through the same outbox, frequency caps and quiet hours as every other message (deferred, never dropped),
only with the `notifications` consent, once per order and step, and in the shopper's language. The texts come
from the caller (server/wiring.py hands in the i18n lookup), so the room holds no copy of them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from accounts import consents
from clock import iso, parse
from loyalty.orders import OrderStatusChanged

from . import audience_store, campaign_store, push_store
from .config import RetentionConfig
from .models import Template
from .receipts import receipt_for
from .schedule import slot_and_cause
from .templates import choose, render

TRIGGER = "order_status"
STEPS = ("paid", "shipped", "delivered", "cancelled", "refunded")
"""The steps a shopper hears about (placing an order is their own doing)."""

Texts = Callable[[str, str], tuple[str, str]]
"""texts(locale, step) -> (title, body) with ``{order}`` in them; one pair per supported locale."""


def step_of(status: str) -> str:
    """The timeline step a status move means: fulfilled is shipped (delivery is its own step, "delivered")."""
    return "shipped" if status == "fulfilled" else status


def queue(change: OrderStatusChanged, config: RetentionConfig, texts: Texts, locales: tuple[str, ...]) -> int | None:
    """Queue the notification of one status change to every device of the shopper; the message id, or None when
    there is nothing to send (no consent, no subscription, a step not told, or told already)."""
    db = change.db
    step = step_of(change.status)
    # The key retention's own order_shipped/order_delivered triggers use: one message per order and step.
    dedupe = f"{step}:{change.order_id}"
    if step not in STEPS or not consents.has(db, change.user_id, consents.NOTIFICATIONS):
        return None
    subscriptions = push_store.user_subscriptions(db, change.user_id)
    if not subscriptions or campaign_store.message_exists(db, change.user_id, dedupe):
        return None
    profile = audience_store.get_profile(db, change.user_id) or {}
    scheduled = [parse(t) for t in campaign_store.sent_times(db, change.user_id, iso(change.at - timedelta(days=7)))]
    due, deferred_by = slot_and_cause(change.at, profile.get("time_zone") or config.default_time_zone,
                                      config.quiet_hours, scheduled, config.cap_per_day, config.cap_per_week)
    message_id = campaign_store.add_message(db, {
        "user_id": change.user_id, "trigger": TRIGGER, "dedupe": dedupe, "campaign_id": 0, "variant": "",
        "offer_id": None, "due_at": iso(due), "created_at": iso(change.at), "deferred_by": deferred_by,
    })
    templates = [Template(id=0, key=f"{TRIGGER}.{step}", locale=locale, title=title, body=body,
                          url=f"/orders/{change.order_id}")
                 for locale in locales for title, body in [texts(locale, step)]]
    template = choose(templates, profile.get("locale"), config.fallback_locale)
    # One topic per order: a newer step still waiting at the push service replaces the older one.
    topic = f"order-{change.order_id}"
    payload = render(template, {"order": change.order_id}, message_id=message_id, tag=topic, offer_id=None,
                     receipt=receipt_for(config.receipt_key, message_id) if config.receipt_key else None)
    for sub in subscriptions:
        push_store.enqueue(db, message_id, sub["id"], payload, topic=topic, urgency="normal", ttl=config.default_ttl,
                           not_before=iso(due))
    return message_id


class OrderNotifier:
    """The order listener server/wiring.py installs: queues each status change's notification."""

    def __init__(self, config: Callable[[], RetentionConfig], texts: Texts, locales: tuple[str, ...]):
        self.config, self.texts, self.locales = config, texts, locales

    def __call__(self, change: OrderStatusChanged) -> None:
        queue(change, self.config(), self.texts, self.locales)
