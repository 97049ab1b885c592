"""Returns of delivered orders: asked for by the shopper (sync mutation ``returns.request``), moved by operators
requested → approved → received → refunded (or rejected), refunded with their share of points and growth taken
back, shipping free within the tier's yearly allowance (docs/loyalty.md, Returns).

Every function takes the ``db`` of the caller's write transaction; the views it writes reach every device.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

import clock
from sync import store as sync_store

from . import ledger, orders, perks, return_rules, return_views, returns_store, store, tiers, views
from .errors import BadReturnMove, ReturnRefused, UnknownReturn
from .return_models import AdminReturn, ReturnRequestArgs, ReturnView


# ------------------------------------------------------------------------------------------------ requests


def request(db: Any, user_id: int, args: ReturnRequestArgs, now: datetime, *, client_id: str,
            mutation_id: int) -> int:
    """Ask for a return of a delivered order (all of it, or ``args.skus``); the return's id, or ReturnRefused
    with nothing written. Applied once per (client, mutation): a replay answers the first return's id."""
    done = returns_store.return_by_mutation(db, client_id, mutation_id)
    if done is not None:
        return done["id"]
    order = store.get_order(db, args.order_id, user_id)
    if order is None:
        raise ReturnRefused("unknown-order", f"no order {args.order_id} among yours")
    # Shipped (fulfilled) is not delivered: the window opens at the carrier's confirmation, ``delivered_at``
    # (a cash-on-delivery parcel is paid then too).
    if order["status"] in ("placed", "paid") or (order["status"] == "fulfilled" and not return_rules.delivered(order)):
        raise ReturnRefused("not-delivered", f"order {order['id']} has not been delivered yet")
    if order["status"] != return_rules.RETURNABLE_ORDER_STATUS:
        raise ReturnRefused("not-returnable", f"order {order['id']} is {order['status']}: there is nothing to return")
    delivered = clock.parse(order["delivered_at"])
    if not return_rules.window_open(delivered, now):
        raise ReturnRefused("return-window-closed", f"returns of order {order['id']} closed on "
                            f"{clock.iso(return_rules.return_by(delivered))[:10]}, {return_rules.RETURN_WINDOW_DAYS} "
                            "days after delivery")
    lines = store.order_lines(db, [order["id"]])[order["id"]]
    by_sku = {l["sku"]: l for l in lines}
    returned = returns_store.live_returned_skus(db, order["id"])
    wanted = list(dict.fromkeys(args.skus)) if args.skus else [l["sku"] for l in lines if l["sku"] not in returned]
    unknown = [sku for sku in wanted if sku not in by_sku]
    if unknown:
        raise ReturnRefused("unknown-line", f"order {order['id']} has no line {', '.join(unknown)}")
    again = [sku for sku in wanted if sku in returned]
    if again or not wanted:
        raise ReturnRefused("already-returned", f"already returned: {', '.join(again)}" if again
                            else f"every line of order {order['id']} is returned already")
    chosen = [by_sku[sku] for sku in wanted]
    completes = len(returned) + len(chosen) == len(lines)
    refunded_before = sum(r["amount"] for r in returns_store.order_returns(db, order["id"]) if r["status"] != "rejected")
    goods = return_rules.goods_paid(order)
    amount = return_rules.return_amount(chosen, order["subtotal"], goods, refunded_before, completes)
    tier = tiers.current(db, user_id, now)[0].tier
    free = store.is_free_return(db, order["id"]) or perks.claim_free_return(db, user_id, order["id"], tier, now)
    return_id = returns_store.insert_return(db, {
        "order_id": order["id"], "user_id": user_id, "currency": order["currency"], "amount": amount,
        "shipping_fee": return_rules.shipping_fee(free), "client_id": client_id, "mutation_id": mutation_id,
        "now": clock.iso(now),
    })
    shares = [return_rules.line_share(l["line_total"], order["subtotal"], goods) for l in chosen]
    if completes:  # the last lines take what rounding left over, so one order's returns add up to its total
        shares[-1] += amount - sum(shares)
    returns_store.insert_return_lines(db, return_id, order["id"], [
        {"sku": l["sku"], "qty": l["qty"], "amount": s} for l, s in zip(chosen, shares)])
    return_views.put_return(db, user_id, return_id)
    return_views.put_returnable(db, order)
    views.refresh_points(db, user_id, now)  # freeReturnsLeft moved
    return return_id


# ------------------------------------------------------------------------------------------------ operators


def _refund(db: Any, row: dict, order: dict, now: datetime, listeners: Sequence[orders.OrderListener]) -> int:
    """Give back a return's share of the order's points and growth; the points taken back. The order's last
    lines refund it as a whole (orders.change_status: bonus and all growth reversed, less what earlier returns
    took back)."""
    user_id, order_id = row["user_id"], row["order_id"]
    lines = store.order_lines(db, [order_id])[order_id]
    refunded = {l["sku"] for r in returns_store.order_returns(db, order_id) if r["status"] == "refunded"
                for l in returns_store.return_lines(db, [r["id"]])[r["id"]]}
    if len(refunded) == len(lines):  # this return (refunded a moment ago) was the order's last lines
        before = order["points_reversed"]
        # (hold_days: the hold applies to paying only; listeners hear of the refund as of any other)
        orders.change_status(db, order_id, "refunded", now, hold_days=0, listeners=listeners)
        fresh = store.get_order(db, order_id)
        assert fresh is not None
        return fresh["points_reversed"] - before
    goods = return_rules.goods_paid(order)
    taken, written_off = ledger.reverse_share(db, user_id, order_id, row["amount"], goods, now)
    tiers.reverse_growth_share(db, user_id, order_id, row["id"], row["amount"], goods)
    store.set_order_points(db, order_id, reversed_=order["points_reversed"] + taken,
                           written_off=order["points_written_off"] + written_off)
    tiers.evaluate(db, user_id, now)
    fresh = store.get_order(db, order_id)
    assert fresh is not None
    views.put_order(db, user_id, orders.to_summary(fresh, lines))
    return taken


def move(db: Any, return_id: int, target: str, now: datetime,
         listeners: Sequence[orders.OrderListener] = ()) -> tuple[ReturnView, bool]:
    """Move a return (operators); (the return, whether it changed). Repeating its status changes nothing; a move
    its life cycle does not allow, or one another operator made first, is BadReturnMove. ``listeners`` hear of the
    order's refund when this return refunds its last lines."""
    row = returns_store.get_return(db, return_id)
    if row is None:
        raise UnknownReturn(f"no return {return_id}")
    sync_store.lock_shopper(db, row["user_id"])  # a refund reads the ledger, then writes it
    row = returns_store.get_return(db, return_id)  # as it is now that this shopper's other writers are done
    assert row is not None
    current = row["status"]
    if current == target:
        return return_views.view(db, return_id), False
    if not return_rules.can_move(current, target):
        raise BadReturnMove(f"a return that is {current} cannot become {target}")
    order = store.get_order(db, row["order_id"])
    assert order is not None
    if target == "refunded" and order["status"] != return_rules.RETURNABLE_ORDER_STATUS:
        raise BadReturnMove(f"order {order['id']} is {order['status']} already; reject this return instead")
    due = clock.iso(return_rules.refund_due(now)) if target == "received" else None
    if not returns_store.move_return(db, return_id, current, target, clock.iso(now), due):
        raise BadReturnMove(f"return {return_id} changed meanwhile; read it again")
    user_id = row["user_id"]
    if target == "refunded":
        returns_store.set_return_points(db, return_id, _refund(db, row, order, now, listeners))
    elif target == "rejected":
        returns_store.release_lines(db, return_id)
        others = [r for r in returns_store.order_returns(db, order["id"]) if r["status"] != "rejected"]
        if row["shipping_fee"] == 0 and not any(r["shipping_fee"] == 0 for r in others):
            returns_store.release_free_return(db, order["id"])  # the allowance comes back with the goods
    value = return_views.put_return(db, user_id, return_id)
    return_views.put_returnable(db, store.get_order(db, order["id"]) or order)
    views.refresh_points(db, user_id, now)
    return value, True


def admin_item(row: dict, value: ReturnView, now: datetime) -> AdminReturn:
    """A return as operators list it: with its shopper and the seconds left to (or past) its refund target."""
    due = row["refund_due_at"]
    left = return_rules.seconds_left(clock.parse(due), now) if due and row["status"] == "received" else None
    return AdminReturn(user_id=row["user_id"], ret=value, seconds_to_refund_target=left)


def admin_page(db: Any, status: str | None, before: int | None, limit: int, now: datetime) -> tuple[list[AdminReturn], int | None]:
    """A page of returns for operators, newest first, and the cursor of the next page."""
    rows = returns_store.list_returns(db, status, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    lines = returns_store.return_lines(db, [r["id"] for r in rows])
    names = {l["order_id"]: {} for r in rows for l in lines[r["id"]]}
    order_lines = store.order_lines(db, list(names))
    items = [admin_item(r, return_views.to_view(r, lines[r["id"]], {l["sku"]: l["name"] for l in order_lines.get(r["order_id"], [])}), now)
             for r in rows]
    return items, rows[-1]["id"] if more else None
