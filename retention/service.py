"""What the push routes call: subscribe, unsubscribe, list, record events (each one short transaction)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from accounts import service as accounts_service
from accounts.consents import NOTIFICATIONS
from accounts.errors import NotAuthenticated
from clock import iso
from sync import consent as sync_consent
from sync import store as sync_store

from . import audience_store, email_store, push_store
from .config import RetentionConfig
from .errors import EndpointTaken, UnknownSubscription
from .models import EventBatch, EventResult, NewSubscription, Subscription
from .subscriptions import same_keys, validate
from .zones import check_time_zone
from .tracking import record_events

MAX_SUBSCRIPTIONS_PER_USER = 20


def _public(row: dict) -> Subscription:
    return Subscription(id=row["id"], device_id=row["device_id"], service=urlsplit(row["endpoint"]).hostname or "", created_at=row["consent_at"])


def subscribe(database: Any, config: RetentionConfig, user_id: int, device_id: int, sub: NewSubscription, now: datetime) -> Subscription:
    """Store this device's subscription with the shopper's consent time, time zone and locale."""
    with database.write() as db:
        return subscribe_in(db, config, user_id, device_id, sub, now)


def subscribe_in(db: Any, config: RetentionConfig, user_id: int, device_id: int, sub: NewSubscription, now: datetime) -> Subscription:
    """``subscribe`` in the caller's transaction (the demo seed subscribes thousands of devices in a few)."""
    validate(sub, config.push_services, config.test_origins)
    # The shopper's subscriptions are counted and the consent is last-writer-wins (read, then write): serialised
    # with their sync pushes and other subscribes on every process.
    sync_store.lock_shopper(db, user_id)
    if accounts_service.shopper_erased(db, user_id):  # the token was checked before the erasure committed
        raise NotAuthenticated("this account was deleted")
    held = push_store.subscription_id_for(db, sub.endpoint)
    if held is not None and not same_keys(push_store.get_subscription(db, held), sub):
        # A browser re-subscribing sends the keys it made with the endpoint; other keys mean someone else
        # is trying to move (or break) that browser's notifications.
        raise EndpointTaken("this push endpoint is already registered with other keys; subscribe again in the browser")
    # One subscription per device: a new one replaces the device's old one (keys rotated).
    for old in push_store.user_subscriptions(db, user_id):
        if old["device_id"] == device_id and old["endpoint"] != sub.endpoint:
            push_store.delete_subscription(db, old["id"])
    existing = push_store.user_subscriptions(db, user_id)
    if len(existing) >= MAX_SUBSCRIPTIONS_PER_USER and sub.endpoint not in {r["endpoint"] for r in existing}:
        push_store.delete_subscription(db, existing[0]["id"])  # the oldest makes room
    sid = push_store.add_subscription(db, user_id, device_id, sub.endpoint, sub.keys.p256dh, sub.keys.auth, iso(now))
    if sid is None:  # registered by another shopper's subscribe since we looked: its keys were not compared
        raise EndpointTaken("this push endpoint was just registered; subscribe again in the browser")
    audience_store.upsert_profile(db, user_id, iso(now), time_zone=sub.time_zone, locale=sub.locale)
    # Subscribing is the shopper agreeing to notifications (validate() insists on consent: true).
    sync_consent.record(db, user_id, NOTIFICATIONS, True, int(now.timestamp() * 1000))
    return _public(push_store.get_subscription(db, sid))


def set_time_zone(database: Any, user_id: int, zone: str, now: datetime) -> None:
    """Record the shopper's time zone (sealed), which quiet hours, birthdays and holidays read on every channel;
    BadTimeZone (nothing stored) unless it is a known IANA zone."""
    check_time_zone(zone)
    with database.write() as db:
        audience_store.upsert_profile(db, user_id, iso(now), time_zone=zone)


def subscriptions(database: Any, user_id: int) -> list[Subscription]:
    """The shopper's subscriptions (no keys, no endpoint paths)."""
    return [_public(r) for r in push_store.user_subscriptions(database.read(), user_id)]


def unsubscribe(database: Any, user_id: int, subscription_id: int) -> None:
    """Delete one of the shopper's subscriptions; another shopper's is UnknownSubscription (a 404)."""
    with database.write() as db:
        if not push_store.delete_subscription(db, subscription_id, user_id):
            raise UnknownSubscription(f"there is no subscription {subscription_id}")


def events(database: Any, config: RetentionConfig, user_id: int | None, batch: EventBatch, now: datetime) -> EventResult:
    """Record tracking events (see tracking.record_events)."""
    with database.write() as db:
        return record_events(db, user_id, batch, now, config.receipt_key)


def export_data(db: Any, user_id: int) -> dict:
    """The shopper's push subscriptions (endpoint and keys opened: they are the owner's) and profile."""
    profile = audience_store.get_profile(db, user_id) or {}
    return {
        "pushSubscriptions": [
            {"id": r["id"], "deviceId": r["device_id"], "endpoint": r["endpoint"],
             "keys": {"p256dh": r["p256dh"], "auth": r["auth"]}, "consentAt": r["consent_at"], "createdAt": r["created_at"]}
            for r in push_store.user_subscriptions(db, user_id)
        ],
        "profile": {"timeZone": profile.get("time_zone"), "locale": profile.get("locale")},
        "emails": [
            {"subject": r["subject"], "locale": r["locale"], "state": r["state"], "notBefore": r["not_before"],
             "sentAt": r["sent_at"]}
            for r in email_store.outbox_rows(db, user_id)
        ],
    }


def erase_shopper(db: Any, user_id: int) -> None:
    """Retention's part of account deletion: subscriptions, unsent emails, profile, scores and tracked activity go."""
    push_store.delete_user_subscriptions(db, user_id)
    email_store.drop_user(db, user_id)
    audience_store.erase_shopper(db, user_id)
