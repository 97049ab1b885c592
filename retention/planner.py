"""Turning a trigger hit into a message: campaign and variant, offer grant, template, schedule, outbox rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

import msgspec

from clock import iso, parse
from sync import store as sync_store

from . import audience_store, campaign_store, email_channel, push_store, template_library
from .audience import conditions_of, in_audience
from .campaigns import HOLDOUT, assign_variant, in_holdout
from .config import RetentionConfig
from .errors import BadCampaign, UnknownCampaign, UnknownTemplate
from .placeholders import localised, offer_sentence
from .models import Campaign, CampaignIn, Template, TemplateIn, Variant
from .offers import describe, get_offer, usable, view_value
from .schedule import slot_and_cause
from .receipts import receipt_for
from .rules import dumps
from .templates import check_template, choose, offer_placeholders, render
from .view import publish_offer

DEFAULT_TOPICS = {"cart_abandoned": "cart", "points_expiring": "points", "tier_up": "tier"}
DEFAULT_URGENCY = {"cart_abandoned": "normal", "points_expiring": "normal", "churn_risk": "low", "segment": "low", "test": "high"}

OfferPublisher = Callable[[Any, int, dict], None]
"""publish(db, user_id, offer_view) puts `offers/{id}` into the shopper's synced view."""


def template_rows(db: Any, key: str) -> list[Template]:
    """The locales of a template key: the operator's stored ones, else the built-in library's (en and zh-CN)."""
    rows = campaign_store.templates_for(db, key)
    if rows:
        return [Template(id=r["id"], key=r["key"], locale=r["locale"], title=r["title"], body=r["body"], url=r["url"], icon=r["icon"]) for r in rows]
    return template_library.built_in(key)


def campaign_from_row(row: dict) -> Campaign:
    """A stored campaign row as a Struct."""
    variants = [msgspec.convert(v, Variant) for v in row["variants"]]
    return Campaign(
        id=row["id"], name=row["name"], trigger=row["trigger"], segment=row["segment"], active=row["active"],
        urgency=row["urgency"], ttl=row["ttl"], topic=row["topic"], variants=variants, holdout=row["holdout"],
        conditions=msgspec.json.decode(row["conditions"]) if row.get("conditions") else None,
        holiday=row.get("holiday"),
    )


def create_campaign(db: Any, campaign: CampaignIn) -> Campaign:
    """Store a campaign after checking its variants' names, templates and offers."""
    names = [v.name for v in campaign.variants]
    if len(set(names)) != len(names):
        raise BadCampaign("variant-names-repeat", "variant names must differ")
    for variant in campaign.variants:
        templates = template_rows(db, variant.template_key)
        if not templates:
            raise BadCampaign("unknown-template", f"variant {variant.name}: there is no template "
                              f"{variant.template_key}", variant=variant.name, template=variant.template_key)
        if variant.offer_id is not None and campaign_store.get_offer(db, variant.offer_id) is None:
            raise BadCampaign("unknown-offer", f"variant {variant.name}: there is no offer {variant.offer_id}",
                              variant=variant.name, offer=variant.offer_id)
        needed = offer_placeholders(templates, campaign.trigger)
        if variant.offer_id is None and needed:
            names = ", ".join(f"{{{n}}}" for n in needed)
            raise BadCampaign("offer-needed", f"variant {variant.name}: template {variant.template_key} uses {names}, "
                              "which only an offer fills: give the variant an offerId, or pick a template without them",
                              variant=variant.name, template=variant.template_key, placeholders=names)
    tree = conditions_of(campaign.conditions)  # BadCampaign naming the bad condition
    if campaign.trigger == "segment" and campaign.segment is None and tree is None:
        raise BadCampaign("segment-needed", "a segment campaign needs its segment or its conditions")
    if len(campaign.variants) < 2 and campaign.holdout == 0:
        raise BadCampaign("one-arm", "an A/B test needs two variants, or one variant and a holdout share (holdout: "
                          "percent of the audience that receives nothing); with one arm nothing can be compared")
    if campaign.holiday is not None and campaign.trigger != "holiday":
        raise BadCampaign("holiday-off-trigger",
                          "holiday names the calendar day of a holiday campaign: use it with trigger holiday")
    if HOLDOUT in names:
        raise BadCampaign("holdout-name", f"variant name {HOLDOUT!r} is the holdout's", name=HOLDOUT)
    row = msgspec.structs.asdict(campaign)
    row["variants"] = [msgspec.to_builtins(v) for v in campaign.variants]
    row["conditions"] = dumps(tree)
    row["active"] = int(campaign.active)
    return get_campaign(db, campaign_store.add_campaign(db, row))


def get_campaign(db: Any, campaign_id: int) -> Campaign:
    """One campaign, or UnknownCampaign."""
    row = campaign_store.get_campaign(db, campaign_id)
    if row is None:
        raise UnknownCampaign(f"there is no campaign {campaign_id}")
    return campaign_from_row(row)


def save_template(db: Any, template: TemplateIn) -> Template:
    """Store (or replace) the template of (key, locale)."""
    check_template(template)
    template_id = campaign_store.put_template(db, msgspec.structs.asdict(template))
    return Template(id=template_id, **msgspec.structs.asdict(template))


def delete_template(db: Any, template_id: int) -> None:
    """Delete one template, or UnknownTemplate."""
    if not campaign_store.delete_template(db, template_id):
        raise UnknownTemplate(f"there is no template {template_id}")


def delete_holiday(db: Any, key: str) -> None:
    """Take a holiday off the calendar, or UnknownCampaign (a holiday is what a seasonal campaign runs on)."""
    if not campaign_store.delete_holiday(db, key):
        raise UnknownCampaign(f"there is no holiday {key}")


def campaign_for(campaigns: list[Campaign], trigger: str, segment: str | None,
                 attributes: dict | None = None, holiday: str | None = None) -> Campaign | None:
    """The first active campaign on this trigger (and this holiday, if it names one) whose audience (segment, if
    named, and rules) holds the shopper."""
    for campaign in campaigns:
        if not (campaign.active and campaign.trigger == trigger and campaign.segment in (None, segment)):
            continue
        if campaign.holiday is not None and campaign.holiday != holiday:
            continue  # a 618 campaign does not speak for Double 11
        if campaign.conditions is None or in_audience(None, conditions_of(campaign.conditions), attributes or {}):
            return campaign
    return None


def enqueue_message(
    db: Any,
    *,
    user_id: int,
    trigger: str,
    dedupe: str,
    context: dict,
    campaign: Campaign | None,
    now: datetime,
    config: RetentionConfig,
    publish: OfferPublisher = publish_offer,
) -> int | None:
    """Create the message (once per dedupe key), grant its offer, queue a delivery per subscription (or its email,
    for a shopper without one who agreed to email); its id."""
    # Two runners planning at once: the second waits here, then sees the first one's message and caps.
    sync_store.lock_shopper(db, user_id)
    if campaign_store.message_exists(db, user_id, dedupe):
        return None
    if campaign is not None and in_holdout(campaign.id, user_id, campaign.holdout):
        # The holdout gets nothing; the message row records that it was assigned (the report's baseline).
        return campaign_store.add_message(db, {
            "user_id": user_id, "trigger": trigger, "dedupe": dedupe, "campaign_id": campaign.id, "variant": HOLDOUT,
            "offer_id": None, "due_at": iso(now), "created_at": iso(now),
        })
    variant = assign_variant(campaign.id, user_id, campaign.variants) if campaign else None
    template_key = variant.template_key if variant else trigger
    templates = template_rows(db, template_key)
    if not templates:
        return None
    offer = None
    if variant is not None and variant.offer_id is not None:
        candidate = get_offer(db, variant.offer_id)
        if usable(candidate, now):
            offer = candidate
    if offer is None and offer_placeholders(templates, trigger):
        # The variant's offer expired or ran out of budget: the trigger's own text, not "use code  before ."
        templates = template_rows(db, trigger)
    context = dict(context)
    if offer is not None:
        discount = describe(offer)
        context.update(code=offer.code, discount=discount, expires_on=offer.expires_at[:10], offer_title=offer.title,
                       offer=offer_sentence("en", title=offer.title, code=offer.code, discount=discount))
    profile = audience_store.get_profile(db, user_id) or {}
    subscriptions = push_store.user_subscriptions(db, user_id)
    # Push's fallback: a shopper without a subscription who agreed to email gets the message by email.
    by_email = email_channel.wanted(db, user_id, bool(subscriptions), config)
    due, deferred_by = now, None
    if subscriptions or by_email:
        # One set of caps over both channels: an email counts like a push.
        since = iso(now - timedelta(days=7))
        scheduled = [parse(t) for t in campaign_store.sent_times(db, user_id, since)]
        due, deferred_by = slot_and_cause(now, profile.get("time_zone") or config.default_time_zone,
                                          config.quiet_hours, scheduled, config.cap_per_day, config.cap_per_week)
    message_id = campaign_store.add_message(db, {
        "user_id": user_id, "trigger": trigger, "dedupe": dedupe, "campaign_id": campaign.id if campaign else 0,
        "variant": variant.name if variant else "", "offer_id": offer.id if offer else None,
        "due_at": iso(due), "created_at": iso(now), "deferred_by": deferred_by,
    })
    if offer is not None and campaign_store.grant_offer(db, user_id, offer.id, message_id, iso(now)):
        publish(db, user_id, view_value(offer))
    if subscriptions:
        template = choose(templates, profile.get("locale"), config.fallback_locale)
        # Offers replace each other: a newer one waiting at the push service supersedes the older one.
        topic = (campaign.topic if campaign else None) or ("offer" if offer else DEFAULT_TOPICS.get(trigger))
        urgency = campaign.urgency if campaign else DEFAULT_URGENCY.get(trigger, "normal")
        ttl = campaign.ttl if campaign else config.default_ttl
        payload = render(template, localised(context, template.locale, config.holiday_names), message_id=message_id,
                         tag=topic, offer_id=offer.id if offer else None,
                         receipt=receipt_for(config.receipt_key, message_id) if config.receipt_key else None)
        for sub in subscriptions:
            push_store.enqueue(db, message_id, sub["id"], payload, topic=topic, urgency=urgency, ttl=ttl, not_before=iso(due))
    elif by_email:
        email_channel.enqueue(db, message_id=message_id, user_id=user_id, templates=templates, context=context,
                              profile=profile, config=config, not_before=iso(due))
    return message_id
