"""Loyalty wire Structs (camelCase): orders, points, tiers, rewards, coupons, growth events."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from sync.addresses import Address, AddressId

from .pickup_points import PickupPointId

RewardId = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$", description="reward id (slug)")]
Code = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$", description="offer or coupon code")]
Sku = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Currency = Annotated[str, Meta(pattern=r"^[A-Z]{3}$")]
Category = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$", description="reward category (slug)")]
TierName = Literal["silver", "gold", "diamond"]
PointsCost = Annotated[int, Meta(ge=1, le=10_000_000)]

MAX_ORDER_LINES = 100
"""A checkout takes at most this many cart lines."""

MAX_LINE_QTY = 99
"""Largest quantity of one SKU in an order (the cart mutators bound it too)."""


PaymentToken = Annotated[str, Meta(pattern=r"^tok_[A-Za-z0-9_]{1,60}$",
                                    description="the payment provider's opaque token (never card data)")]
DeliveryId = Annotated[str, Meta(max_length=40, description="delivery option: standard, express or pickup")]


class PaymentChoice(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """How the shopper pays: ``card`` with the provider's token, or ``cod`` (cash on delivery)."""

    method: Literal["card", "cod"]
    token: PaymentToken | None = None


class CheckoutRequest(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Checkout body: an optional code, and the address (an id from the synced address book), delivery option
    and payment; prices, delivery fees, totals and points come from the server. Address, delivery and payment
    go together: an order without them is placed unpaid, to be paid through the operators' status route."""

    code: Code | None = None
    address_id: AddressId | None = None
    delivery: DeliveryId | None = None
    payment: PaymentChoice | None = None
    pickup_point: PickupPointId | None = None
    """With the ``pickup`` delivery option (and only with it): where the parcel waits (loyalty.pickup_points)."""


class QuoteRequest(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """What the review step prices: the cart with an optional code, address and delivery option."""

    code: Code | None = None
    address_id: AddressId | None = None
    delivery: DeliveryId | None = None
    pickup_point: PickupPointId | None = None


class TimelineStep(msgspec.Struct, rename="camel", frozen=True):
    """One step of an order's status timeline; ``at`` is None for a step not reached yet."""

    status: str
    at: str | None = None


class DeliveryChoice(msgspec.Struct, rename="camel", frozen=True):
    """A delivery option priced for this cart."""

    id: str
    price: int
    free: bool
    days_min: int
    days_max: int


class CheckoutQuote(msgspec.Struct, rename="camel", frozen=True):
    """The review step: what placing the order now would charge (nothing is written to make it)."""

    currency: str
    lines: list["OrderLine"]
    subtotal: int
    discount: int
    shipping: int
    total: int
    delivery_options: list[DeliveryChoice]
    payment_methods: list[str]
    free_delivery_from: int | None = None
    code: str | None = None
    discount_label: str | None = None
    delivery: str | None = None
    address: Address | None = None
    points_to_earn: int = 0
    pickup_points: list[str] = []
    """The pickup points this cart's shop offers (ids; their names are texts, pickup.json)."""
    pickup_point: str | None = None


class OrderLine(msgspec.Struct, rename="camel", frozen=True):
    """One product in an order at the price it had when the order was placed."""

    sku: str
    name: str
    qty: int
    unit_price: int
    line_total: int


class Order(msgspec.Struct, rename="camel", frozen=True):
    """An order as its shopper (and an operator) sees it."""

    id: int
    status: str
    currency: str
    subtotal: int
    discount: int
    total: int
    lines: list[OrderLine]
    created_at: str
    updated_at: str
    code: str | None = None
    points_earned: int = 0
    points_reversed: int = 0
    points_written_off: int = 0
    free_return: bool = False
    """The return's shipping was paid by the tier's free-return allowance."""
    shipping: int = 0
    delivery: str | None = None
    payment: str | None = None
    """``card`` or ``cod``; None for an order placed without checkout details."""
    address: Address | None = None
    timeline: list[TimelineStep] = []
    pickup_point: str | None = None
    """Where a ``pickup`` order waits for its shopper (a pickup point's id)."""


class OrderSummary(msgspec.Struct, rename="camel", frozen=True):
    """An order in a list or in the synced view ``orders/{id}``."""

    id: int
    status: str
    currency: str
    total: int
    items: int
    created_at: str
    updated_at: str
    points_earned: int = 0
    payment: str | None = None
    timeline: list[TimelineStep] = []
    """Placed, paid or awaiting cash, shipped, delivered (or cancelled, refunded), with the time of each."""


class OrderList(msgspec.Struct, rename="camel", frozen=True):
    """A page of the shopper's orders, newest first; ``next_cursor`` is the id to continue before."""

    items: list[OrderSummary]
    next_cursor: int | None = None


class StatusChange(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Operator (payment webhook) input moving an order along its life cycle."""

    status: Literal["paid", "fulfilled", "cancelled", "refunded"]


class ExpiringLot(msgspec.Struct, rename="camel", frozen=True):
    """Points that expire soon unless spent."""

    points: int
    expires_at: str


class PointsView(msgspec.Struct, rename="camel", frozen=True):
    """The ``points`` view: balance, pending, tier and progress, lots expiring soon."""

    balance: int
    pending: int
    tier: str
    growth: int
    multiplier: float
    next_tier: str | None
    growth_to_next: int
    progress: int
    tier_held_until: str | None
    expiring: list[ExpiringLot]
    spendable_growth: int = 0
    """Growth that can still buy coupons and draws (spending it never lowers the tier)."""
    perks: "Perks | None" = None


class Reward(msgspec.Struct, rename="camel", frozen=True):
    """A reward of the points mall: a coupon worth ``value`` off, or one unit of product ``sku`` free."""

    id: str
    name: str
    kind: str
    points_cost: int
    stock: int
    active: bool
    value: int = 0
    currency: str | None = None
    sku: str | None = None
    category: str = "general"
    min_tier: str | None = None
    """Tier-exclusive: only shoppers at this tier or above may redeem it."""
    gold_cost: int | None = None
    """Tier-priced: what a gold shopper pays (None: the silver cost)."""
    diamond_cost: int | None = None
    """Tier-priced: what a diamond shopper pays (None: the gold cost)."""


class RewardList(msgspec.Struct, rename="camel", frozen=True):
    """The points mall."""

    items: list[Reward]


class RewardInput(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Operator input for a new reward."""

    id: RewardId
    name: Annotated[str, Meta(min_length=1, max_length=120)]
    kind: Literal["coupon", "product"]
    points_cost: Annotated[int, Meta(ge=1, le=10_000_000)]
    stock: Annotated[int, Meta(ge=0, le=1_000_000)]
    value: Annotated[int, Meta(ge=0, le=100_000_000)] = 0
    currency: Currency | None = None
    sku: Sku | None = None
    active: bool = True
    category: Category = "general"
    min_tier: TierName | None = None
    gold_cost: PointsCost | None = None
    diamond_cost: PointsCost | None = None


class RewardPatch(msgspec.Struct, rename="camel", forbid_unknown_fields=True, omit_defaults=True):
    """Operator input changing some fields of a reward."""

    name: Annotated[str, Meta(min_length=1, max_length=120)] | None = None
    points_cost: Annotated[int, Meta(ge=1, le=10_000_000)] | None = None
    stock: Annotated[int, Meta(ge=0, le=1_000_000)] | None = None
    value: Annotated[int, Meta(ge=0, le=100_000_000)] | None = None
    active: bool | None = None
    category: Category | None = None
    min_tier: TierName | None = None
    gold_cost: PointsCost | None = None
    diamond_cost: PointsCost | None = None


class RedeemArgs(msgspec.Struct, rename="camel"):
    """Args of the sync mutation ``points.redeem`` (unknown fields are ignored, as for every sync message)."""

    reward_id: RewardId


class Coupon(msgspec.Struct, rename="camel", frozen=True):
    """A coupon the shopper got from the points mall: the ``coupons/{code}`` view."""

    code: str
    reward_id: str
    name: str
    kind: str
    value: int
    currency: str | None
    sku: str | None
    redeemed_at: str
    used_order_id: int | None = None
    source: Literal["mall", "growth", "lottery", "birthday"] = "mall"
    """Where it came from: the points mall, or (loyalty coupons) growth, a lottery, a birthday pack; with ``value``
    and ``currency`` it names the coupon in the reader's language (``name`` is English, or a reward's name)."""


class GrowthInput(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A review or share of a product, which earns growth within its caps."""

    sku: Sku


class GrowthResult(msgspec.Struct, rename="camel", frozen=True):
    """What a check-in, review or share earned, and the shopper's growth and tier after it."""

    kind: str
    growth_added: int
    growth: int
    tier: str


class Discount(msgspec.Struct, rename="camel", frozen=True):
    """What a discount provider grants for a code: ``amount`` minor units off, tagged with its offer."""

    code: str
    amount: int
    offer_id: str | None = None
    source: str = "offer"
    label: str = ""
    shipping_discount: int = 0
    """Minor units of the delivery fee the code pays (free-shipping offers); checkout caps it at the fee."""


class BirthdayPack(msgspec.Struct, rename="camel", frozen=True):
    """What a tier gets on the shopper's birthday: points, or a coupon worth ``value``."""

    kind: str
    points: int = 0
    value: int = 0
    currency: str | None = None


class Perks(msgspec.Struct, rename="camel", frozen=True):
    """What the shopper's tier gives them (the ``perks`` of the ``points`` view)."""

    tier: str
    multiplier: float
    free_returns_per_year: int
    free_returns_left: int
    birthday_pack: BirthdayPack
    exclusive_rewards: bool
    """Whether tier-exclusive rewards of the mall are open to this tier."""


class GrowthCouponItem(msgspec.Struct, rename="camel", frozen=True):
    """A cash coupon growth buys: ``value`` off an order of at least ``min_order``."""

    id: str
    name: str
    growth: int
    value: int
    currency: str
    min_order: int


class Prize(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    """One prize of a lottery with its published odds (in 1/10,000)."""

    id: Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
    kind: Literal["coupon", "points"]
    odds: Annotated[int, Meta(ge=1, le=10_000, description="chance in 1/10,000")]
    name: Annotated[str, Meta(max_length=80)] = ""
    """The operator's own name for it; empty: the shop names it from its kind and value in each shopper's language."""
    value: Annotated[int, Meta(ge=0, le=10_000_000)] = 0
    """Coupon prizes: minor units off."""
    points: Annotated[int, Meta(ge=0, le=1_000_000)] = 0
    """Points prizes: points given (available at once)."""


class LotteryInput(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Operator input for a lottery: what a draw costs in growth, its prizes and odds, its daily prize budget."""

    name: Annotated[str, Meta(min_length=1, max_length=80)]
    cost: Annotated[int, Meta(ge=1, le=1_000_000)]
    daily_budget: Annotated[int, Meta(ge=0, le=10**10)]
    """Minor units of prizes a day may pay out (points count as one minor unit each)."""
    currency: Currency
    prizes: Annotated[list[Prize], Meta(min_length=1, max_length=20)]
    active: bool = True


class Lottery(msgspec.Struct, rename="camel", frozen=True):
    """A lottery as published: prizes with odds (percent too), cost, and what the day's budget has left."""

    id: str
    name: str
    cost: int
    currency: str
    prizes: list[Prize]
    nothing_odds: int
    """Chance in 1/10,000 of winning nothing (what the prizes leave)."""
    daily_budget: int
    budget_left_today: int
    active: bool


class GrowthShop(msgspec.Struct, rename="camel", frozen=True):
    """What growth can buy: cash coupons and lottery draws."""

    coupons: list[GrowthCouponItem]
    lotteries: list[Lottery]


class GrowthCouponArgs(msgspec.Struct, rename="camel"):
    """Args of the sync mutation ``growth.coupon``."""

    item_id: Annotated[str, Meta(max_length=48)]


class DrawArgs(msgspec.Struct, rename="camel"):
    """Args of the sync mutation ``growth.draw``."""

    lottery_id: RewardId


class BadgeSeenArgs(msgspec.Struct, rename="camel"):
    """Args of the sync mutation ``badges.seen``: the badge was announced on one device, so on none again."""

    badge: Annotated[str, Meta(max_length=48)]


class DrawResult(msgspec.Struct, rename="camel", frozen=True):
    """A lottery draw as the synced ``draws/{id}`` row shows it."""

    id: int
    lottery_id: str
    prize_id: str | None
    prize_name: str | None
    kind: str
    """'coupon', 'points' or 'none'."""
    growth: int
    at: str
    coupon_code: str | None = None
    points: int = 0
    value: int = 0
    budget_spent: bool = False
    """True when the prize drawn could not be paid because the day's budget was spent."""
    currency: str | None = None
    """The lottery's currency (a coupon prize's ``value`` is in it); with ``kind``, ``value`` and ``points`` it names
    the prize in the reader's language (``prize_name`` is the operator's text)."""


class Badge(msgspec.Struct, rename="camel", frozen=True):
    """A milestone badge: the ``badges/{id}`` row; ``announced_at`` is set once a device has shown it."""

    id: str
    earned_at: str
    announced_at: str | None = None
