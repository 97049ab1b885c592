"""`lastmile verify`: a consistent shop passes; each corrupted row is reported with its id and exit status 1."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from accounts import service as accounts_service
from clock import iso
from server.cli.main import main
from server.cli.verify import discrepancies
from sync import store as sync_store
from tests.loyalty_support import buy, fill_cart, make_user, move, place
from tests.utils import add_product

NOW = datetime.now(timezone.utc) - timedelta(days=10)  # points held 7 days are available by now
AT = iso(NOW)


@pytest.fixture
def shop(fresh_db, monkeypatch, settings) -> dict[str, int]:
    """Two shoppers with paid orders, points, a pending order, a cart; a push delivery in the outbox."""
    monkeypatch.setenv("LASTMILE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("LASTMILE_ADMIN_TOKEN", settings.admin_token)
    add_product(fresh_db, "MUG", price=1_250, stock=50)
    add_product(fresh_db, "LAMP", price=4_500, stock=5)
    alice, bob = make_user(fresh_db), make_user(fresh_db)
    paid = buy(fresh_db, alice, {"MUG": 2, "LAMP": 1}, NOW)
    refunded = buy(fresh_db, bob, {"MUG": 1}, NOW)
    move(fresh_db, refunded, "refunded", NOW + timedelta(hours=1))
    placed = place(fresh_db, bob, {"LAMP": 1}, NOW + timedelta(hours=2))
    fill_cart(fresh_db, alice, {"MUG": 3})
    with fresh_db.write() as db:
        message = db.execute(
            "INSERT INTO retention_messages (user_id, trigger, dedupe, due_at, created_at) VALUES (?, 'test', 'd', 'x', 'x')"
            " RETURNING id", [alice]).fetchone()[0]
        db.execute("INSERT INTO push_outbox (message_id, subscription_id, payload, urgency, ttl, state, not_before)"
                   " VALUES (?, 999, x'00', 'normal', 60, 'gone', 'x')", [message])
    lot = fresh_db.read().execute("SELECT id FROM points_ledger WHERE user_id = ? AND kind = 'earn'", [alice]).fetchone()[0]
    return {"alice": alice, "bob": bob, "paid": paid, "placed": placed, "lot": lot, "message": message}


def test_a_consistent_shop_passes(shop, capsys):
    assert 0 == main(["verify"])
    assert "verify: 0 discrepancies" in capsys.readouterr().out


def test_an_erased_shoppers_orders_and_points_stay_without_synced_rows(shop, fresh_db, capsys):
    with fresh_db.write() as db:  # what deleting the account does (server/shopper_data.py)
        sync_store.erase_user(db, shop["alice"])
        accounts_service.erase(db, shop["alice"])
    assert 0 == main(["verify"])
    assert "verify: 0 discrepancies" in capsys.readouterr().out


def _corrupt(db, shop, case: str) -> str:
    """Break one invariant by hand, as a bug or a bad manual fix would; what the report must name."""
    alice, paid, lot = shop["alice"], shop["paid"], shop["lot"]
    if case == "order-total":
        db.execute("UPDATE orders SET total = total - 1 WHERE id = ?", [paid])
        return f"order {paid} (user {alice})"
    if case == "order-line":
        db.execute("UPDATE order_lines SET line_total = line_total + 5 WHERE order_id = ? AND sku = 'MUG'", [paid])
        return f"order {paid} (user {alice})"
    if case == "lot-below-zero":
        db.execute("INSERT INTO points_ledger (user_id, kind, points, lot_id, at) VALUES (?, 'spend', -1000000, ?, ?)", [alice, lot, AT])
        return f"lot {lot} (user {alice}) is below zero"
    if case == "debit-of-another-shopper":
        debit = db.execute("INSERT INTO points_ledger (user_id, kind, points, lot_id, at) VALUES (?, 'spend', -1, ?, ?)"
                           " RETURNING id", [shop["bob"], lot, AT]).fetchone()[0]
        return f"debit {debit} (user {shop['bob']}) takes from {lot}, earn entry of user {alice}"
    if case == "points-view":
        text = db.execute("SELECT value FROM sync_view WHERE user_id = ? AND key = 'points'", [alice]).fetchone()[0]
        value = json.loads(text)
        db.execute("UPDATE sync_view SET value = ? WHERE user_id = ? AND key = 'points'",
                   [json.dumps({**value, "balance": value["balance"] + 500}), alice])
        return f"user {alice}: synced points show"
    if case == "order-view":
        db.execute("UPDATE sync_view SET value = json_set(value, '$.status', 'fulfilled') WHERE user_id = ? AND key = ?",
                   [alice, f"orders/{paid}"])
        return f"order {paid} (user {alice}): synced row differs in status"
    if case == "order-view-missing":
        db.execute("DELETE FROM sync_view WHERE key = ?", [f"orders/{shop['placed']}"])
        return f"order {shop['placed']} (user {shop['bob']}) has no synced orders/{shop['placed']} row"
    if case == "cart":
        db.execute("UPDATE sync_view SET value = json_set(value, '$.qty', 500) WHERE user_id = ? AND key = 'cart/MUG'", [alice])
        return f"user {alice} cart/MUG: qty 500 outside 1..99"
    if case == "outbox-state":
        db.execute("UPDATE push_outbox SET state = 'delivered?' WHERE message_id = ?", [shop["message"]])
        return "unknown state 'delivered?'"
    if case == "outbox-pending-orphan":
        db.execute("UPDATE push_outbox SET state = 'pending' WHERE message_id = ?", [shop["message"]])
        return "pending for subscription 999, which no longer exists"
    assert case == "stock"
    db.execute("PRAGMA ignore_check_constraints = ON")  # the schema refuses it; a store without the CHECK would not
    db.execute("UPDATE products SET stock = -2 WHERE id = 'LAMP'")
    return "product LAMP has stock -2"


@pytest.mark.parametrize(
    "case",
    ["order-total", "order-line", "lot-below-zero", "debit-of-another-shopper", "points-view", "order-view",
     "order-view-missing", "cart", "outbox-state", "outbox-pending-orphan", "stock"],
)
def test_a_corrupted_row_is_reported_with_its_ids(shop, fresh_db, capsys, case):
    with fresh_db.write() as db:
        needle = _corrupt(db, shop, case)
    assert 1 == main(["verify"])
    out = capsys.readouterr().out
    assert needle in out, out
    assert discrepancies(fresh_db) == out.splitlines()[:-1]  # the CLI prints exactly what the checks found
