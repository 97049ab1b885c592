"""`lastmile retention run`: score every shopper, fire triggers and campaigns, then send what is due."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable

import msgspec

from accounts import service as accounts_service
from accounts.consents import ANALYTICS, NOTIFICATIONS, OFFERS
from catalog import store as catalog_store
from clock import iso
from loyalty import gifts
from sync import store as sync_store

from . import audience_store, campaign_store, customers, push_store, watch_store
from .audience import conditions_of, in_audience
from .config import RetentionConfig
from .delivery import DeliveryReport, PushSender, deliver_due
from .errors import RetentionError
from .planner import OfferPublisher, campaign_for, campaign_from_row, enqueue_message
from .segments import ShopperFacts, score
from .triggers import RunInputs, birthday, evaluate
from .view import notify, publish_offer

log = logging.getLogger("lastmile.retention")

FactsProvider = Callable[[Any, int, int, datetime], list[ShopperFacts]]
"""provider(db, after_user_id, limit, now) -> facts of the next shoppers in user id order."""


@dataclass
class RunReport:
    """What one run did."""

    shoppers: int = 0
    segments: dict[str, int] = field(default_factory=dict)
    messages: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    delivery: DeliveryReport | None = None


_json = msgspec.json.Encoder()
ARRIVALS_DAYS = 14
RESTOCK_DAYS = 3


def i18n_locale(tag: str | None) -> str | None:
    """The supported locale a shopper's language tag means (rules test ``en`` or ``zh-CN``)."""
    if not tag:
        return None
    tag = tag.lower()
    if tag == "zh" or tag.startswith(("zh-cn", "zh-hans", "zh-sg")):
        return "zh-CN"
    return "en" if tag == "en" or tag.startswith("en-") else None


def watch_catalog(database: Any, now: datetime) -> RunInputs:
    """Record the catalog as it is now (new products, restocks) and read what this run's triggers need."""
    with database.snapshot() as db:
        products = catalog_store.all_products(db)
    with database.write() as db:
        watch_store.observe(db, products, iso(now), first_run=watch_store.is_empty(db))
        return RunInputs(
            holidays=tuple(campaign_store.holidays(db)),
            arrivals=watch_store.arrivals_since(db, iso(now - timedelta(days=ARRIVALS_DAYS))),
            restocked=watch_store.restocked_since(db, iso(now - timedelta(days=RESTOCK_DAYS))),
        )


def plan_shopper(db: Any, facts: ShopperFacts, now: datetime, config: RetentionConfig, campaigns: list,
                 publish: OfferPublisher, inputs: RunInputs | None = None) -> tuple[str | None, list[str]]:
    """Score and model one shopper, and queue what their triggers and audience campaigns call for;
    (segment, triggers fired).

    Only with consent: no segment or customer model without `analytics` (their old scores are dropped), no
    message or offer without `offers`, no push without `notifications` (their subscriptions are dropped)
    (accounts.consents).
    """
    # The shopper's pack, ledger, points row, profile and price baselines are read, then written: their other
    # writers (a checkout, a sync push, a second runner) on every process wait, as the loyalty job's pass does.
    sync_store.lock_shopper(db, facts.user_id)
    # The facts were read before the lock, a page at a time: an erasure committed since must not be undone by this
    # pass (scores, customer model, baselines, a birthday pack or an offer in the view of an erased account).
    if accounts_service.shopper_erased(db, facts.user_id):
        return None, []
    # The birthday pack is a tier perk, not marketing: it comes on the local birthday whatever the consents.
    birthday_hit = birthday(facts, now, facts.time_zone or config.default_time_zone)
    if birthday_hit is not None:
        gifts.grant_birthday_pack(db, facts.user_id, birthday_hit.context["year"], now)
    if NOTIFICATIONS not in facts.consents:
        for sub in push_store.user_subscriptions(db, facts.user_id):
            push_store.delete_subscription(db, sub["id"])
    if ANALYTICS not in facts.consents:
        audience_store.delete_scores(db, facts.user_id)
        return None, []
    scores = score(facts, now, config.churn_after_days)
    audience_store.save_scores(db, [msgspec.structs.asdict(scores)], iso(now))
    customer = customers.model(facts.history or customers.History(last_activity=facts.last_activity), now)
    attributes = customers.attributes(customer, msgspec.structs.asdict(scores), tier=facts.tier,
                                      locale=i18n_locale(facts.locale), cart_value=facts.cart_value,
                                      consents=sorted(facts.consents))
    audience_store.save_customer(db, facts.user_id, _json.encode(customer).decode(), _json.encode(attributes).decode(),
                                 iso(now))
    if OFFERS not in facts.consents:
        return scores.segment, []
    profile = audience_store.get_profile(db, facts.user_id) or {}
    facts = msgspec.structs.replace(facts, tags=customer.tags, categories=customer.categories)
    hits = evaluate(facts, scores, now, config, known_tier=profile.get("tier_seen"),
                    price_baselines=audience_store.price_baselines(db, facts.user_id), inputs=inputs)
    fired = []
    for hit in hits:
        campaign = campaign_for(campaigns, hit.trigger, scores.segment, attributes, hit.context.get("holiday_key"))
        if enqueue_message(db, user_id=facts.user_id, trigger=hit.trigger, dedupe=hit.dedupe, context=hit.context,
                           campaign=campaign, now=now, config=config, publish=publish) is not None:
            fired.append(hit.trigger)
    for campaign in campaigns:
        if campaign.active and campaign.trigger == "segment" and in_audience(
                campaign.segment, conditions_of(campaign.conditions), attributes):
            if enqueue_message(db, user_id=facts.user_id, trigger="segment", dedupe=f"campaign:{campaign.id}",
                               context={"segment": scores.segment}, campaign=campaign, now=now, config=config,
                               publish=publish) is not None:
                fired.append("segment")
    if facts.tier and facts.tier != profile.get("tier_seen"):
        audience_store.set_tier_seen(db, facts.user_id, facts.tier, iso(now))
    if facts.wishlist_prices != audience_store.price_baselines(db, facts.user_id):
        audience_store.set_price_baselines(db, facts.user_id, facts.wishlist_prices)
    return scores.segment, fired


def run_retention(
    database: Any,
    config: RetentionConfig,
    now: datetime,
    provider: FactsProvider,
    *,
    sender: PushSender | None = None,
    publish: OfferPublisher = publish_offer,
    after_commit: Callable[[Iterable[int]], None] | None = notify,
    page: int = 200,
    progress: Callable[[int], None] | None = None,
) -> RunReport:
    """Segments and triggers for every shopper (one transaction per shopper), then the due deliveries."""
    report = RunReport()
    campaigns = [campaign_from_row(r) for r in campaign_store.list_campaigns(database.read(), active_only=True)]
    inputs = watch_catalog(database, now)
    after = 0
    while True:
        batch = provider(database.read(), after, page, now)
        if not batch:
            break
        for facts in batch:
            touched: list[int] = []

            def publish_and_note(db: Any, user_id: int, view: dict) -> None:
                touched.append(user_id)
                publish(db, user_id, view)

            try:
                with database.write() as db:
                    segment, fired = plan_shopper(db, facts, now, config, campaigns, publish_and_note, inputs)
            except RetentionError as exc:
                report.errors += 1
                log.warning("retention run skipped shopper %s: %s", facts.user_id, exc)
                continue
            if touched and after_commit is not None:
                after_commit(touched)
            report.shoppers += 1
            if segment is not None:
                report.segments[segment] = report.segments.get(segment, 0) + 1
            for trigger in fired:
                report.messages[trigger] = report.messages.get(trigger, 0) + 1
        after = batch[-1].user_id
        if progress is not None:
            progress(len(batch))
    if sender is not None:
        report.delivery = deliver_due(database, sender, now=now)
    return report
