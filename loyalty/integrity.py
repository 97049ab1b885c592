"""The loyalty room's invariants for `lastmile verify`: each discrepancy as one line naming its ids.

Order totals add up; no lot gives more than it held; every debit takes from a lot of the same shopper (so
the ledger's sum is the lots' remainders); the synced `points` and `orders/{id}` rows show what the ledger
and the orders say.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import msgspec

from sync import store as sync_store

from . import ledger, store
from .orders import to_summary


def _orders(db: Any) -> list[str]:
    found = []
    for r in store.order_total_mismatches(db):
        found.append(
            f"loyalty: order {r['id']} (user {r['user_id']}): total {r['total']}, subtotal {r['subtotal']}, discount"
            f" {r['discount']}, lines {r['lines_total']}, {r['bad_lines']} line(s) not qty x unit price"
        )
    return found


def _ledger(db: Any, stray: list[dict]) -> list[str]:
    found = [f"loyalty: lot {r['id']} (user {r['user_id']}) is below zero: {r['remaining']}" for r in store.lots_below_zero(db)]
    for r in stray:
        where = "no lot" if r["lot_user_id"] is None else f"{r['lot_kind']} entry of user {r['lot_user_id']}"
        found.append(f"loyalty: debit {r['id']} (user {r['user_id']}) takes from {r['lot_id']}, {where}")
    return found


def _live_total(lots: list, at: datetime) -> int:
    return sum(lot.remaining for lot in lots if lot.expires_at > at)


def _points_views(db: Any, skipped: set[int]) -> list[str]:
    """The view's balance + pending against the lots that were live when it was written (expiry is lazy:
    a lot that expired since then still shows until the hourly job writes it off and refreshes the row)."""
    found = []
    views = {uid: (text, changed) for uid, key, text, changed in sync_store.rows_with_prefix(db, "points") if key == "points"}
    for user_id in store.ledger_users(db):
        if user_id in skipped:
            continue
        if user_id not in views:
            found.append(f"loyalty: user {user_id} has ledger entries but no synced points row")
            continue
        text, changed = views[user_id]
        value = msgspec.json.decode(text)
        shown = int(value.get("balance", 0)) + int(value.get("pending", 0))
        lots = list(ledger.lots(db, user_id).values())
        written = datetime.fromtimestamp(changed, tz=timezone.utc)
        expected = {_live_total(lots, written), _live_total(lots, written + timedelta(seconds=1))}
        if shown not in expected:
            found.append(f"loyalty: user {user_id}: synced points show {shown}, the ledger holds {min(expected)}")
    return found


def _order_views(db: Any, erased: set[int]) -> list[str]:
    """Every order has an `orders/{id}` row of its shopper that is its summary, and no row names another order
    (an erased shopper's orders stay for accounting, their synced rows went with the account)."""
    found = []
    views = {(uid, key): text for uid, key, text, _ in sync_store.rows_with_prefix(db, "orders/")}
    orders = store.orders_by_id(db, [order_id for _, order_id in store.orders_of_users(db)])
    lines = store.order_lines(db, list(orders))
    for order_id, row in orders.items():
        if row["user_id"] in erased:
            continue
        text = views.pop((row["user_id"], f"orders/{order_id}"), None)
        if text is None:
            found.append(f"loyalty: order {order_id} (user {row['user_id']}) has no synced orders/{order_id} row")
            continue
        expected = msgspec.to_builtins(to_summary(row, lines.get(order_id, [])))
        shown = msgspec.json.decode(text)
        differing = sorted(k for k in expected.keys() | shown.keys() if expected.get(k) != shown.get(k))
        if differing:
            found.append(f"loyalty: order {order_id} (user {row['user_id']}): synced row differs in {', '.join(differing)}")
    for user_id, key in sorted(views):
        found.append(f"loyalty: user {user_id} {key}: no such order of that user")
    return found


def check_books(db: Any) -> list[str]:
    """The orders' sums and the ledger alone (no synced rows): what holds below the service layer too."""
    return _orders(db) + _ledger(db, store.stray_debits(db))


def check(db: Any, erased: set[int] = frozenset()) -> list[str]:
    """Every loyalty discrepancy; ``erased`` shoppers (accounts deleted) have books but no synced rows."""
    stray = store.stray_debits(db)  # their shoppers' lots cannot be rebuilt: reported once, views skipped
    skipped = erased | {r["user_id"] for r in stray}
    return _orders(db) + _ledger(db, stray) + _points_views(db, skipped) + _order_views(db, erased)
