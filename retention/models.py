"""Wire and domain Structs of the retention room (camelCase on the wire)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

Short = Annotated[str, Meta(min_length=1, max_length=120)]
Key = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
Locale = Annotated[str, Meta(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]
Segment = Literal["loyal", "churn_risk", "price_sensitive", "new_explorer", "regular"]
Trigger = Literal[
    "cart_abandoned", "churn_risk", "birthday", "points_expiring", "tier_up", "wishlist_price_drop", "segment", "test",
    "holiday", "new_arrivals", "back_in_stock", "browse_abandon", "order_shipped", "order_delivered"
]
TRIGGERS: tuple[str, ...] = Trigger.__args__  # type: ignore[attr-defined]
SEGMENTS: tuple[str, ...] = Segment.__args__  # type: ignore[attr-defined]
Urgency = Literal["very-low", "low", "normal", "high"]


class SubscriptionKeys(msgspec.Struct, rename="camel"):
    """The browser's `PushSubscription.keys`."""

    p256dh: Annotated[str, Meta(max_length=200)]
    auth: Annotated[str, Meta(max_length=100)]


class NewSubscription(msgspec.Struct, rename="camel"):
    """`PushSubscription.toJSON()` plus the shopper's consent, time zone and locale."""

    endpoint: Annotated[str, Meta(max_length=2048)]
    keys: SubscriptionKeys
    consent: bool = False
    expiration_time: int | None = None
    time_zone: str | None = None
    locale: str | None = None


class TimeZoneReport(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """The shopper's IANA time zone as their browser reports it (`Intl.DateTimeFormat().resolvedOptions().timeZone`)."""

    time_zone: Annotated[str, Meta(min_length=1, max_length=64)]


class Subscription(msgspec.Struct, rename="camel"):
    """A stored subscription as its owner sees it (never the keys)."""

    id: int
    device_id: int | None
    service: str
    created_at: str


class PushKey(msgspec.Struct, rename="camel"):
    """The VAPID public key for `pushManager.subscribe({applicationServerKey})`."""

    public_key: str


class Event(msgspec.Struct, rename="camel"):
    """A tracking event from the PWA: a notification shown or clicked, or a product viewed."""

    type: Literal["notification.shown", "notification.clicked", "product.viewed"]
    message_id: int | None = None
    sku: Annotated[str, Meta(max_length=64)] | None = None
    receipt: Annotated[str, Meta(max_length=64)] | None = None


class EventBatch(msgspec.Struct, rename="camel"):
    """Up to 50 events in one request."""

    events: Annotated[list[Event], Meta(max_length=50)]


class EventResult(msgspec.Struct, rename="camel"):
    """How many events were recorded (duplicates and foreign ids are skipped)."""

    recorded: int
    ignored: int


class Payload(msgspec.Struct, rename="camel", omit_defaults=True):
    """What the service worker receives (encrypted) and shows."""

    title: str
    body: str
    url: str
    message_id: int
    icon: str | None = None
    tag: str | None = None
    offer_id: int | None = None
    receipt: str | None = None


class TemplateIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """An operator's template: `{placeholders}` filled per shopper; url is a same-site path."""

    key: Key
    locale: Locale
    title: Short
    body: Annotated[str, Meta(min_length=1, max_length=500)]
    url: Annotated[str, Meta(min_length=1, max_length=500)] = "/"
    icon: Annotated[str, Meta(max_length=500)] | None = None


class Template(TemplateIn, kw_only=True):
    """A stored template, or one of the built-in library (id 0, ``built_in``)."""

    id: int
    trigger: str | None = None
    """The trigger a library template was written for."""
    built_in: bool = False


class OfferStep(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """One step of a tiered offer: a subtotal of at least ``spend`` saves ``save`` (minor units, or percent)."""

    spend: Annotated[int, Meta(gt=0, le=10**12)]
    save: Annotated[int, Meta(gt=0, le=10**12)]


Sku = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", description="product id (SKU)")]


class OfferIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """An operator's offer: coupon code, discount (percent or minor units), expiry, target segment, budget.

    A plain offer takes ``value`` off; free shipping pays the delivery fee (up to ``value``); a tiered one (``steps``) takes the best step the subtotal reaches; a bundle
    (``bundle``: SKUs bought together) takes ``value`` off each complete set in the cart (retention/offers.py).
    """

    code: Annotated[str, Meta(min_length=3, max_length=32, pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
    title: Short
    kind: Literal["percent", "amount", "free_shipping"]
    expires_at: str
    budget: Annotated[int, Meta(gt=0, le=10**12)]
    value: Annotated[int, Meta(gt=0, le=1_000_000_00)] | None = None
    """Required except for tiered offers, whose savings are their steps'; for free shipping, the most it pays
    toward the chosen delivery option's fee (minor units of ``currency``)."""
    segment: Segment | None = None
    currency: Annotated[str, Meta(pattern=r"^[A-Z]{3}$")] | None = None
    min_order: Annotated[int, Meta(ge=0, le=10**12)] = 0
    steps: Annotated[list[OfferStep], Meta(min_length=1, max_length=8)] | None = None
    """Spend thresholds, ascending: e.g. spend 200 save 20, spend 500 save 60."""
    bundle: Annotated[list[Sku], Meta(min_length=2, max_length=20)] | None = None
    """SKUs that must all be in the cart; ``value`` comes off each complete set."""


class Offer(OfferIn, kw_only=True):
    """A stored offer with what its budget has paid out."""

    id: int
    spent: int = 0
    redemptions: int = 0


class Variant(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """One arm of a campaign: a template key and optionally an offer, with a weight."""

    name: Annotated[str, Meta(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")]
    template_key: Key
    weight: Annotated[int, Meta(ge=1, le=1000)] = 1
    offer_id: int | None = None


class CampaignIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A campaign: fires on a trigger (optionally only for a segment); `segment` trigger targets a segment once."""

    name: Short
    trigger: Trigger
    variants: Annotated[list[Variant], Meta(min_length=1, max_length=8)]
    segment: Segment | None = None
    active: bool = True
    urgency: Urgency = "normal"
    ttl: Annotated[int, Meta(ge=60, le=28 * 86_400)] = 86_400
    topic: Annotated[str, Meta(max_length=32, pattern=r"^[A-Za-z0-9_-]*$")] | None = None
    holdout: Annotated[int, Meta(ge=0, le=50, description="percent of the audience that receives nothing")] = 0
    conditions: dict[str, Any] | None = None
    """The audience rules: {"all"|"any": [...]} or {"field", "op", "value"} (retention/rules.py), checked on save."""
    holiday: Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")] | None = None
    """`holiday` campaigns only: the calendar key it is for (e.g. "618"); None: every holiday."""


class Campaign(CampaignIn, kw_only=True):
    """A stored campaign."""

    id: int


class AudienceQuery(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """An audience to size before activating a campaign: a segment and/or rules."""

    segment: Segment | None = None
    conditions: dict[str, Any] | None = None


class AudiencePreview(msgspec.Struct, rename="camel"):
    """How many scored shoppers an audience holds (as of the last retention run), and a few of them."""

    shoppers: int
    of: int
    share: float
    sample_user_ids: list[int]


class HolidayIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A date of the operator's holiday calendar: the holiday trigger fires from ``leadDays`` before it."""

    name: Short
    date: Annotated[str, Meta(pattern=r"^\d{4}-\d{2}-\d{2}$")]
    lead_days: Annotated[int, Meta(ge=0, le=30)] = 3


class Holiday(HolidayIn, kw_only=True):
    """A stored holiday."""

    key: str


class SegmentSummary(msgspec.Struct, rename="camel"):
    """One segment of the programme's table: its share of shoppers, repurchase rate and average order value."""

    segment: str
    shoppers: int
    share: float
    """Of all scored shoppers."""
    repurchase_rate: float
    """Of the segment's buyers, the share who bought again."""
    aov: int
    """Revenue per order (minor units)."""


class Scores(msgspec.Struct, rename="camel"):
    """A shopper's recency/frequency/monetary scores (1-5) and the segment they give."""

    user_id: int
    recency: int
    frequency: int
    monetary: int
    segment: Segment
    days_since_activity: int | None
    orders: int
    revenue: int
    discounted_share: float
    views: int
    email: str | None = None
    """The shopper's email, masked (`p***@example.com`) unless the operator asked to reveal it and may."""


class ReportRow(msgspec.Struct, rename="camel"):
    """Funnel and ROI of one campaign variant (campaign 0 = trigger messages without a campaign)."""

    campaign_id: int
    campaign: str
    variant: str
    messages: int
    sent: int
    accepted: int
    shown: int
    clicked: int
    redeemed: int
    conversion: float
    revenue: int
    discount: int
    roi: float | None
    holdout: bool = False
    """The arm that received nothing (the baseline of the lift)."""
    converted: int = 0
    """Shoppers of the arm with a paid order within the attribution window after the message."""
    conversion_low: float = 0.0
    conversion_high: float = 0.0
    """The 95 % Wilson interval of ``conversion``."""
    lift_p_value: float | None = None
    """Two-proportion z-test against the holdout (or the first variant); None for the baseline itself."""
    baseline: bool = False
    winner: bool = False
    """Named only when its conversion beats the baseline's with p < 0.05."""
