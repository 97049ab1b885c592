"""Demo shoppers worth looking at: a few thousand made-up people with order and browse histories.

Each shopper follows a persona (loyal, regular, fading, churned, price-sensitive, explorer) that shapes how
often they order, what they browse, whether they use coupons and whether they left a cart behind, so the
segments, the customer model, the reports and the console's charts all have something to show. The plan is
pure (``plan_shoppers``, seeded); ``seed_shoppers`` writes it room by room in batches, one transaction each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from accounts import consents as accounts_consents
from accounts import service as accounts_service
from catalog import store as catalog_store
from catalog.demo import DEMO_CURRENCIES
from loyalty.demo import DemoLine, DemoOrder, seed_history
from sync import store as sync_store

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from loyalty.demo import demo_mall, seed_points_life

from . import audience_store, campaign_store
from .config import RetentionConfig
from .models import NewSubscription, OfferIn, SubscriptionKeys
from .service import subscribe_in
from .vapid_keys import b64url
from .offers import OFFER_ID_PREFIX, create_offer, discount_for, offer_from_row
from clock import iso

DEMO_PASSWORD = "lastmile-demo"
"""Every demo shopper signs in with this password (shopperN@demo.lastmile.invalid)."""

DEMO_EMAIL = "shopper{n}@demo.lastmile.invalid"
HISTORY_DAYS = 240
CHURNED_DAYS = 470
"""Churned shoppers' first orders reach back this far: points expire 12 months after they mature."""
BATCH = 200

PERSONAS: tuple[tuple[str, float], ...] = (
    ("vip", 0.05), ("loyal", 0.15), ("regular", 0.22), ("fading", 0.10), ("churned", 0.18), ("price_sensitive", 0.14),
    ("explorer", 0.18),
)
ZONES = {"zh-CN": ("Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong"),
         "en": ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Singapore")}

CONSENT_SHARES = (("analytics", 0.92), ("offers", 0.85), ("email", 0.55), ("notifications", 0.4))

DEMO_OFFERS = (
    ("WELCOME10", "Welcome gift", "percent", 10),
    ("SPRING15", "Spring Festival", "percent", 15),
    ("MID618", "618 mid-year sale", "percent", 20),
    ("D11SAVE", "Double 11", "percent", 25),
    ("COMEBACK5", "We miss you", "amount", 500),
    ("TEA3", "Tea time", "amount", 300),
    ("BUNDLE12", "Bundle and save", "percent", 12),
    ("FREESHIP", "Free shipping week", "amount", 490),
)


@dataclass
class DemoShopper:
    """One planned shopper: who they are, what they ordered and browsed, what sits in their cart and wishlist."""

    n: int
    persona: str
    created_at: datetime
    locale: str
    time_zone: str
    birthday: str | None
    favourites: tuple[str, ...]
    orders: list[DemoOrder] = field(default_factory=list)
    coupon_orders: list[int] = field(default_factory=list)
    """Indexes into ``orders`` of the ones that used a demo offer (offer index, in DEMO_OFFERS order)."""
    coupon_offers: list[int] = field(default_factory=list)
    views: dict[tuple[str, str], int] = field(default_factory=dict)
    """(sku, day) -> product views."""
    cart: list[tuple[str, int, datetime]] = field(default_factory=list)
    wishlist: list[str] = field(default_factory=list)
    consents: tuple[str, ...] = ()
    """Purposes agreed to (accounts.consents): most shoppers allow analytics and offers, fewer email or push."""
    devices: list[tuple[str, datetime, list[datetime]]] = field(default_factory=list)
    """(name, signed in, when used, oldest first) of the devices still signed in; a push subscription sits on the
    first one when the shopper agreed to notifications."""
    redeem_at: list[datetime] = field(default_factory=list)
    """When they spent points in the points mall."""


def _order_times(rng: random.Random, persona: str, now: datetime) -> list[datetime]:
    """When a persona's orders happened, oldest first."""
    start = now - timedelta(days=HISTORY_DAYS)
    times: list[datetime] = []
    if persona == "vip":
        at = start + timedelta(days=rng.uniform(0, 40))
        while at < now - timedelta(hours=1):  # up to today: the dashboard's "today" has orders
            times.append(at)
            at += timedelta(days=rng.gammavariate(3, 3))  # about every nine days
    elif persona == "loyal":
        at = start + timedelta(days=rng.uniform(0, 60))
        while at < now - timedelta(hours=3):
            times.append(at)
            at += timedelta(days=rng.gammavariate(4, 3.5))  # about every two weeks
    elif persona == "fading":
        at, gap = start + timedelta(days=rng.uniform(0, 30)), rng.uniform(8, 14)
        while at < now - timedelta(days=35):
            times.append(at)
            at += timedelta(days=gap)
            gap *= rng.uniform(1.5, 1.9)  # the rhythm slows down: the churn signal the model looks for
    elif persona == "churned":
        # Gone for good: their last orders are months old, the oldest over a year, so lots expire in the demo.
        times = sorted(now - timedelta(days=rng.uniform(110, CHURNED_DAYS)) for _ in range(rng.randint(1, 4)))
    elif persona == "price_sensitive":
        times = sorted(now - timedelta(days=rng.uniform(5, HISTORY_DAYS)) for _ in range(rng.randint(3, 7)))
    elif persona == "explorer":
        times = [now - timedelta(days=rng.uniform(0.1, 40))] if rng.random() < 0.4 else []
    else:
        times = sorted(now - timedelta(days=rng.uniform(0.1, HISTORY_DAYS)) for _ in range(rng.randint(2, 5)))
    return times


def plan_shoppers(count: int, products: list[dict], now: datetime, seed: int = 11, start: int = 1) -> list[DemoShopper]:
    """``count`` shoppers numbered from ``start`` (pure: the same seed gives the same people)."""
    rng = random.Random(seed * 1_000_003 + start)
    by_category: dict[str, list[dict]] = {}
    for product in products:
        by_category.setdefault(product["category"], []).append(product)
    categories = sorted(by_category)
    names, weights = zip(*PERSONAS)
    planned = []
    for n in range(start, start + count):
        persona = rng.choices(names, weights)[0]
        locale = "zh-CN" if rng.random() < 0.55 else "en"
        favourites = tuple(rng.sample(categories, k=min(len(categories), rng.choice((1, 1, 2))))) if categories else ()
        times = _order_times(rng, persona, now)
        scale = rng.choice((2, 3, 4, 8))  # how big a vip's orders run: some reach gold, the biggest diamond
        created = min([now - timedelta(days=rng.uniform(1, HISTORY_DAYS + 60))] + [t - timedelta(days=1) for t in times])
        birthday = f"{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.6 else None
        if birthday and rng.random() < 0.01:
            birthday = now.strftime("%m-%d")  # a few birthdays today, so the birthday pack shows in the demo
        shopper = DemoShopper(n=n, persona=persona, created_at=created, locale=locale,
                              time_zone=rng.choice(ZONES[locale]), birthday=birthday, favourites=favourites)

        def pick() -> dict:
            pool = by_category[rng.choice(favourites)] if favourites and rng.random() < 0.75 else products
            return rng.choice(pool)

        for i, at in enumerate(times):
            if persona == "vip":  # office and gift orders: many lines, many units, the dearer products
                chosen = {p["id"]: p for p in (max(pick(), pick(), key=lambda p: p["price"]) for _ in range(rng.randint(3, 7)))}
                qty = lambda: rng.randint(1, scale)  # noqa: E731
            else:
                chosen = {p["id"]: p for p in (pick() for _ in range(rng.choice((1, 1, 2, 3))))}
                qty = lambda: rng.choice((1, 1, 1, 2))  # noqa: E731
            lines = tuple(DemoLine(p["id"], p["name"], qty(), p["price"]) for p in chosen.values())
            roll = rng.random()
            status = "refunded" if i and roll < 0.04 else "cancelled" if i and roll < 0.07 else "fulfilled"
            if at > now - timedelta(days=3) and status == "fulfilled":
                status = "paid"
            currency = next(iter(chosen.values())).get("currency", "EUR")
            shopper.orders.append(DemoOrder(placed_at=at, lines=lines, status=status, currency=currency))
            for p in chosen.values():  # a purchase is preceded by a few views of the product
                shopper.views[(p["id"], (at - timedelta(days=rng.randint(0, 2))).date().isoformat())] = rng.randint(1, 4)
        if persona == "price_sensitive" and shopper.orders:
            offered = rng.sample(range(len(DEMO_OFFERS)), k=min(len(DEMO_OFFERS), len(shopper.orders)))
            for index, offer_index in zip(range(len(shopper.orders)), offered):
                if index < len(shopper.orders) * 0.7 + 1:
                    shopper.coupon_orders.append(index)
                    shopper.coupon_offers.append(offer_index)
        elif shopper.orders and rng.random() < 0.12:
            shopper.coupon_orders.append(0)
            shopper.coupon_offers.append(0)  # the welcome offer on a first order
        recent_days = 30 if persona in ("explorer", "vip", "loyal", "price_sensitive", "regular") else 0
        if persona == "churned":
            last = max(times, default=now - timedelta(days=150))
            for _ in range(rng.randint(0, 6)):
                day = (last - timedelta(days=rng.uniform(0, 20))).date().isoformat()
                shopper.views[(pick()["id"], day)] = rng.randint(1, 3)
        browse = {"explorer": (12, 40), "vip": (5, 20), "loyal": (3, 15), "price_sensitive": (4, 14), "regular": (1, 8)}.get(persona, (0, 2))
        for _ in range(rng.randint(*browse) if recent_days else 0):
            day = (now - timedelta(days=rng.uniform(0, recent_days))).date().isoformat()
            key = (pick()["id"], day)
            shopper.views[key] = shopper.views.get(key, 0) + rng.randint(1, 3)
        if products and rng.random() < 0.15:  # browse-abandon: looked at one product again and again, never bought it
            bought = {line.sku for order in shopper.orders for line in order.lines}
            candidates = [p for p in products if p["id"] not in bought]
            if candidates:
                sku = rng.choice(candidates)["id"]
                for back in range(rng.randint(4, 7)):
                    shopper.views[(sku, (now - timedelta(days=back * 2 + 1)).date().isoformat())] = rng.randint(1, 3)
        in_stock = [p for p in products if p["stock"] > 0]
        if in_stock and persona != "churned" and rng.random() < 0.18:
            for p in {p["id"]: p for p in (rng.choice(in_stock) for _ in range(rng.randint(1, 3)))}.values():
                shopper.cart.append((p["id"], rng.randint(1, 2), now - timedelta(hours=rng.uniform(2, 72))))
        if products and rng.random() < 0.3:
            shopper.wishlist = sorted({pick()["id"] for _ in range(rng.randint(1, 4))})
        shopper.consents = tuple(purpose for purpose, share in CONSENT_SHARES if rng.random() < share)
        _plan_devices_and_points(random.Random(seed * 7_919 + n), shopper, now)
        planned.append(shopper)
    return planned


DEVICE_NAMES = ("Phone", "Laptop", "Tablet", "Work laptop")
LAST_SEEN_DAYS = {"vip": 2, "loyal": 4, "regular": 25, "price_sensitive": 20, "explorer": 10, "fading": 29}
"""Each persona's devices were last used within this many days (churned shoppers' tokens have expired)."""
USE_EVERY_DAYS = {"vip": 1.5, "loyal": 3.0, "regular": 9.0, "price_sensitive": 6.0, "explorer": 4.0, "fading": 14.0}
"""How often, on average, a persona opens the shop on one of their devices."""
REDEMPTIONS = {"vip": (1, 3), "loyal": (0, 2), "regular": (0, 1), "price_sensitive": (0, 1), "fading": (0, 1)}
"""How many points-mall coupons a persona took in the last 90 days (fewest, most)."""


def _plan_devices_and_points(rng: random.Random, shopper: DemoShopper, now: datetime) -> None:
    """Devices signed in and points-mall visits, from a generator of the shopper's own (so the rest of the plan
    stays what it was before these were planned)."""
    days = LAST_SEEN_DAYS.get(shopper.persona)
    if days is not None and (shopper.persona != "fading" or rng.random() < 0.5):
        oldest = max(shopper.created_at, now - timedelta(days=170))  # device tokens end 180 days after sign-in
        for name in DEVICE_NAMES[:rng.choice((1, 1, 2, 2, 3))]:
            last = now - timedelta(days=rng.uniform(0, days))
            signed_in = oldest + (last - oldest) * rng.random()
            used, at = [], last
            while at > signed_in and at > now - timedelta(days=92):  # the dashboard's window, back from the last use
                used.append(at)
                at -= timedelta(days=rng.expovariate(1 / USE_EVERY_DAYS[shopper.persona]))
            shopper.devices.append((name, signed_in, used[::-1]))
    low, high = REDEMPTIONS.get(shopper.persona, (0, 0))
    paid = [o.placed_at for o in shopper.orders if o.status != "cancelled"]
    if paid:
        first = paid[0] + timedelta(days=8)  # after the first order's points matured
        for _ in range(rng.randint(low, high)):
            start = max(first, now - timedelta(days=89))
            if start < now:
                shopper.redeem_at.append(start + (now - start) * rng.random())


def _demo_offers(db: Any, now: datetime, currency: str = "EUR") -> list[dict]:
    """The demo offers (made once), in DEMO_OFFERS order."""
    rows = []
    factor = DEMO_CURRENCIES.get(currency, 1)
    for code, title, kind, value in DEMO_OFFERS:
        row = campaign_store.offer_by_code(db, code)
        if row is None:
            offer = create_offer(db, OfferIn(code=code, title=title, kind=kind,
                                             value=value * factor if kind == "amount" else value,
                                             expires_at=iso(now + timedelta(days=120)), budget=10**11,
                                             currency=currency if kind == "amount" else None), now)
            row = campaign_store.get_offer(db, offer.id)
        rows.append(row)
    return rows


DEMO_PUSH_SERVICE = "https://fcm.googleapis.com/fcm/send/"
"""Demo devices' endpoints look like Chrome's; no request is made to them by the seed (retention/demo_push.py)."""


def demo_subscription(rng: random.Random, shopper: DemoShopper) -> NewSubscription:
    """A browser's push subscription for a demo device: a real P-256 public key and auth secret, seeded."""
    key = ec.derive_private_key(rng.getrandbits(250) + 1, ec.SECP256R1()).public_key()
    raw = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    token = b64url(rng.getrandbits(8 * 24).to_bytes(24, "big"))
    return NewSubscription(
        endpoint=f"{DEMO_PUSH_SERVICE}demo-{shopper.n}-{token}", consent=True, time_zone=shopper.time_zone,
        locale=shopper.locale,
        keys=SubscriptionKeys(p256dh=b64url(raw), auth=b64url(rng.getrandbits(128).to_bytes(16, "big"))))


def _write(db: Any, user_id: int, shopper: DemoShopper, offers: list[dict], now: datetime, rewards: dict,
           push: RetentionConfig | None = None, seed: int = 11) -> None:
    """One planned shopper's history, room by room, in the caller's transaction."""
    history = list(shopper.orders)
    for index, offer_index in zip(shopper.coupon_orders, shopper.coupon_offers):
        order, offer = history[index], offer_from_row(offers[offer_index])
        subtotal = sum(line.qty * line.unit_price for line in order.lines)
        history[index] = DemoOrder(placed_at=order.placed_at, lines=order.lines, status=order.status,
                                   discount=discount_for(offer, subtotal), code=offer.code,
                                   offer_id=f"{OFFER_ID_PREFIX}{offer.id}", currency=order.currency)
    with sync_store.one_version(user_id):
        made = seed_history(db, user_id, history, now)
        for index, offer_index in zip(shopper.coupon_orders, shopper.coupon_offers):
            seeded = next(m for m in made if m.order is history[index])
            if seeded.order.status in ("cancelled", "placed"):
                continue
            offer_id = offers[offer_index]["id"]
            at = iso(seeded.order.placed_at)
            campaign_store.grant_offer(db, user_id, offer_id, None, at)
            campaign_store.redeem(db, user_id, offer_id, str(seeded.order_id), seeded.order.discount, seeded.total, at)
        for sku, qty, added in shopper.cart:
            sync_store.put_view(db, user_id, f"cart/{sku}", {"sku": sku, "qty": qty, "addedAt": int(added.timestamp() * 1000)})
        for sku in shopper.wishlist:
            sync_store.put_view(db, user_id, f"wishlist/{sku}", {"sku": sku, "addedAt": int(now.timestamp() * 1000)})
        if shopper.birthday:
            sync_store.put_view(db, user_id, "prefs/birthday", shopper.birthday)
        sync_store.put_view(db, user_id, "prefs/locale", shopper.locale)
    for purpose in shopper.consents:
        accounts_consents.record(db, user_id, purpose, True, int(shopper.created_at.timestamp() * 1000))
    audience_store.upsert_profile(db, user_id, iso(now), time_zone=shopper.time_zone, locale=shopper.locale)
    daily: dict[str, int] = {}
    for (_, day), views in shopper.views.items():
        daily[day] = daily.get(day, 0) + views
    audience_store.insert_product_views(db, [(user_id, sku, day, views) for (sku, day), views in sorted(shopper.views.items())])
    audience_store.insert_daily_views(db, [(user_id, day, views) for day, views in sorted(daily.items())])
    rng = random.Random(seed * 104_729 + shopper.n)
    seed_points_life(db, user_id, shopper.redeem_at, rewards, rng, now)
    for i, (name, signed_in, used) in enumerate(shopper.devices):
        device_id = accounts_service.add_demo_device(db, user_id, name, int(signed_in.timestamp()),
                                                     [int(at.timestamp()) for at in used])
        if i == 0 and push is not None and accounts_consents.NOTIFICATIONS in shopper.consents:
            subscribe_in(db, push, user_id, device_id, demo_subscription(rng, shopper), signed_in)


def seed_shoppers(
    database: Any, count: int, now: datetime, *, password_hash: str, seed: int = 11,
    progress: Callable[[int], None] | None = None, currency: str = "EUR", push: RetentionConfig | None = None,
) -> int:
    """Create ``count`` demo shoppers with their histories (skipping numbers that exist); how many were made.
    With ``push`` (the retention config) the devices of shoppers who agreed to notifications subscribe to push."""
    with database.snapshot() as db:
        products = catalog_store.all_products(db)
    with database.write() as db:
        offers = _demo_offers(db, now, currency)
    rewards = demo_mall(database)
    made = 0
    for start in range(1, count + 1, BATCH):
        size = min(BATCH, count + 1 - start)
        planned = plan_shoppers(size, products, now, seed=seed, start=start)
        with database.write() as db:
            ids = accounts_service.add_shoppers(
                db, [(DEMO_EMAIL.format(n=s.n), int(s.created_at.timestamp())) for s in planned], password_hash)
            for shopper, user_id in zip(planned, ids):
                if user_id is not None:
                    _write(db, user_id, shopper, offers, now, rewards, push, seed)
                    made += 1
        if progress is not None:
            progress(size)
    return made
