"""Loyalty operations as the HTTP layer and the CLI call them: one transaction each, devices poked after commit."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Sequence

import msgspec

import clock
from sync import store as sync_store
from sync.poke import notify

from . import checkout as checkout_mod
from . import checkout_store
from . import gifts, growth, growth_shop, jobs, mall, orders, return_views, returns, returns_store, store, views
from .errors import BadIdempotencyKey, BadOrderInput
from .models import (
    CheckoutQuote,
    Coupon,
    DrawResult,
    GrowthResult,
    GrowthShop,
    Lottery,
    LotteryInput,
    Order,
    OrderList,
    PointsView,
    QuoteRequest,
    Reward,
    RewardInput,
    RewardPatch,
)
from .return_models import AdminReturnList, ReturnRequestArgs, ReturnView

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
"""What an Idempotency-Key header may be (documented in the API description with this pattern)."""
_checkout_decoder = msgspec.json.Decoder(checkout_mod.CheckoutRequest)


def _now(now: datetime | None) -> datetime:
    return now if now is not None else clock.now()


def place_order(
    database: Any, user_id: int, key: str | None, body: bytes, now: datetime | None = None, *,
    discount_providers: Sequence[checkout_mod.DiscountProvider], payments: checkout_mod.Payments | None = None,
) -> checkout_mod.CheckoutResult:
    """Checkout (``POST /api/orders``): the 201 response, first made or replayed for a repeated key."""
    if key is None or not IDEMPOTENCY_KEY.match(key):
        raise BadIdempotencyKey("send an Idempotency-Key header of 1 to 200 visible ASCII characters")
    try:
        request = _checkout_decoder.decode(body) if body.strip() else checkout_mod.CheckoutRequest()
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise BadOrderInput(f"checkout body: {exc}") from None
    result = database.transact(  # run again if the database gives it up; one order per key either way
        lambda db: checkout_mod.checkout(db, user_id, key, request, _now(now), discount_providers=discount_providers,
                                         payments=payments))
    if not result.replayed:
        notify(user_id)
    return result


class _Rollback(Exception):
    """Carries a quote out of the transaction that made it, so that transaction rolls back."""

    def __init__(self, value: Any):
        self.value = value


def quote_checkout(
    database: Any, user_id: int, body: QuoteRequest, now: datetime | None = None, *,
    discount_providers: Sequence[checkout_mod.DiscountProvider], payment_methods: Sequence[str],
) -> CheckoutQuote:
    """The review step's prices (``POST /api/checkout/quote``), made by checkout's own code and never written:
    a code's provider may record its use, so the transaction is always rolled back."""
    try:
        with database.write() as db:
            raise _Rollback(checkout_mod.quote(db, user_id, body, _now(now), discount_providers=discount_providers,
                                               payment_methods=payment_methods))
    except _Rollback as done:
        return done.value


def list_orders(database: Any, user_id: int, before: int | None, limit: int) -> OrderList:
    """A page of the shopper's orders, newest first."""
    with database.snapshot() as db:
        return orders.page(db, user_id, before, limit)


def get_order(database: Any, order_id: int, user_id: int | None = None) -> Order:
    """One order (the shopper's own only, when ``user_id`` is given)."""
    with database.snapshot() as db:
        return orders.get(db, order_id, user_id)


def set_order_status(database: Any, order_id: int, status: str, hold_days: int, now: datetime | None = None, *,
                     listeners: Sequence[orders.OrderListener] = ()) -> Order:
    """Move an order along its life cycle (operators, payment webhooks); ``listeners`` hear of a real change in
    the same transaction (retention queues the shopper's notification)."""
    with database.write() as db:
        order, changed = orders.change_status(db, order_id, status, _now(now), hold_days, listeners=listeners)
        user_id = store.get_order(db, order_id)["user_id"]  # type: ignore[index]
    if changed:
        notify(user_id)
    return order


def mark_delivered(database: Any, order_id: int, now: datetime | None = None, *, hold_days: int,
                   listeners: Sequence[orders.OrderListener] = ()) -> Order:
    """The carrier confirmed delivery of a fulfilled order (retention's order-delivered trigger reads it); a
    cash-on-delivery order is paid then. The shopper's devices are poked and ``listeners`` told."""
    with database.write() as db:
        order, changed = orders.deliver(db, order_id, _now(now), hold_days, listeners=listeners)
        user_id = store.get_order(db, order_id)["user_id"]  # type: ignore[index]
    if changed:
        notify(user_id)
    return order


def points(database: Any, user_id: int, now: datetime | None = None) -> PointsView:
    """The shopper's points, tier and growth as of now (maturation and expiry applied lazily)."""
    with database.snapshot() as db:
        return views.points(db, user_id, _now(now))


def coupons(database: Any, user_id: int) -> list[Coupon]:
    """The shopper's coupons, newest first: points-mall ones, then those growth bought, lotteries paid, birthdays gave."""
    with database.snapshot() as db:
        return ([mall.to_coupon(row) for row in store.user_coupons(db, user_id)]
                + [gifts.to_coupon(row) for row in store.user_loyalty_coupons(db, user_id)])


def growth_shop_view(database: Any, now: datetime | None = None) -> GrowthShop:
    """What growth buys: cash coupons and lottery draws with their published odds."""
    with database.snapshot() as db:
        return growth_shop.shop(db, _now(now))


def lotteries(database: Any, now: datetime | None = None) -> list[Lottery]:
    """Every lottery, closed ones too (operators)."""
    with database.snapshot() as db:
        return growth_shop.lotteries(db, _now(now))


def put_lottery(database: Any, lottery_id: str, data: LotteryInput, now: datetime | None = None) -> Lottery:
    """Create or replace a lottery (operators)."""
    with database.write() as db:
        return growth_shop.put_lottery(db, lottery_id, data, _now(now))


def draw(database: Any, user_id: int, lottery_id: str, now: datetime | None = None) -> DrawResult:
    """One draw outside sync (CLI, tests); the PWA uses the sync mutation ``growth.draw``."""
    with database.write() as db:
        sync_store.lock_shopper(db, user_id)  # spendable growth is read, then spent (a push holds it for the mutation)
        result = growth_shop.draw(db, user_id, lottery_id, _now(now))
    notify(user_id)
    return result


def record_growth(database: Any, user_id: int, kind: str, sku: str | None = None, now: datetime | None = None) -> GrowthResult:
    """A check-in, review or share, within its caps."""
    moment = _now(now)
    with database.write() as db:
        sync_store.lock_shopper(db, user_id)  # caps are counted, then the event and tier written
        if kind == "checkin":
            result = growth.checkin(db, user_id, moment)
        elif kind == "review":
            result = growth.review(db, user_id, sku or "", moment)
        else:
            result = growth.share(db, user_id, sku or "", moment)
    notify(user_id)
    return result


def rewards(database: Any, active_only: bool = True, category: str | None = None) -> list[Reward]:
    """The points mall (one category of it when given)."""
    with database.snapshot() as db:
        return mall.rewards(db, active_only, category)


def create_reward(database: Any, data: RewardInput, now: datetime | None = None) -> Reward:
    """Add a reward to the mall (operators)."""
    with database.write() as db:
        return mall.create_reward(db, data, _now(now))


def update_reward(database: Any, reward_id: str, patch: RewardPatch, now: datetime | None = None) -> Reward:
    """Change a reward (operators)."""
    with database.write() as db:
        return mall.update_reward(db, reward_id, patch, _now(now))


def delete_reward(database: Any, reward_id: str) -> None:
    """Delete a reward nobody redeemed (operators)."""
    with database.write() as db:
        mall.delete_reward(db, reward_id)


def redeem(database: Any, user_id: int, reward_id: str, now: datetime | None = None) -> Coupon:
    """Redeem a reward outside sync (CLI, tests); the PWA uses the sync mutation ``points.redeem``."""
    made = database.transact(lambda db: mall.redeem(db, user_id, reward_id, _now(now)))
    notify(user_id)
    return made


def run_jobs(database: Any, now: datetime | None = None) -> jobs.JobReport:
    """One pass of the maturation/expiry/tier/key job."""
    return jobs.run(database, _now(now), notify=notify)


def export_data(db: Any, user_id: int) -> dict:
    """The shopper's orders (in full, newest first) and points ledger, for their data export."""
    rows = store.list_orders(db, user_id, None, 1_000_000)
    lines = store.order_lines(db, [r["id"] for r in rows])
    ledger = [{k: v for k, v in e.items() if k != "user_id"} for e in store.ledger_entries(db, user_id)]
    return {
        "orders": [msgspec.to_builtins(orders.to_order(r, lines[r["id"]])) for r in rows],
        "pointsLedger": ledger,
        "returns": [msgspec.to_builtins(return_views.view(db, r["id"])) for r in returns_store.user_returns(db, user_id)],
    }


def erase_shopper(db: Any, user_id: int) -> None:
    """Account erasure, in the caller's transaction: the orders stay for accounting, their delivery addresses go."""
    checkout_store.forget_addresses(db, user_id)


# ---------------------------------------------------------------------------------------------- returns


def request_return(database: Any, user_id: int, order_id: int, skus: list[str], *, client_id: str, mutation_id: int,
                   now: datetime | None = None) -> ReturnView:
    """Ask for a return outside sync (tests, scripts); the PWA uses the sync mutation ``returns.request``."""
    with database.write() as db:
        sync_store.lock_shopper(db, user_id)  # the order's returns and the free-return allowance are read, then written
        return_id = returns.request(db, user_id, ReturnRequestArgs(order_id=order_id, skus=skus), _now(now),
                                    client_id=client_id, mutation_id=mutation_id)
        value = return_views.view(db, return_id)
    notify(user_id)
    return value


def move_return(database: Any, return_id: int, status: str, now: datetime | None = None, *,
                listeners: Sequence[orders.OrderListener] = ()) -> ReturnView:
    """Move a return along its statuses (operators); the shopper's devices are poked when it changed."""
    with database.write() as db:
        value, changed = returns.move(db, return_id, status, _now(now), listeners)
        user_id = returns_store.get_return(db, return_id)["user_id"]  # type: ignore[index]
    if changed:
        notify(user_id)
    return value


def returns_page(database: Any, status: str | None, before: int | None, limit: int,
                 now: datetime | None = None) -> AdminReturnList:
    """A page of returns for operators, with each one's time to its refund target."""
    with database.snapshot() as db:
        items, cursor = returns.admin_page(db, status, before, limit, _now(now))
    return AdminReturnList(items=items, next_cursor=cursor)
