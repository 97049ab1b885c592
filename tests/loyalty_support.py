"""Helpers shared by the loyalty tests: shoppers, synced carts, orders placed and paid at chosen times."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from accounts import store as accounts_store
from loyalty import checkout, orders, service
from loyalty.models import CheckoutRequest
from server.wiring import DISCOUNT_PROVIDERS
from sync import store as sync_store

_emails = itertools.count(1)


def make_user(database: Any) -> int:
    """A shopper row (no password: domain tests do not sign in)."""
    with database.write() as db:
        user_id = accounts_store.create_user(db, f"loyal{next(_emails)}@example.com", "not-a-hash", 0)
    assert user_id is not None
    return user_id


def fill_cart(database: Any, user_id: int, lines: dict[str, int]) -> None:
    """Put synced cart rows as the cart mutators would."""
    with database.write() as db:
        for sku, qty in lines.items():
            sync_store.put_view(db, user_id, f"cart/{sku}", {"sku": sku, "qty": qty, "addedAt": 0})


def place(database: Any, user_id: int, lines: dict[str, int], now: datetime, code: str | None = None) -> int:
    """Fill the cart and check it out at ``now``; the order id."""
    fill_cart(database, user_id, lines)
    with database.write() as db:
        result = checkout.checkout(db, user_id, f"key-{user_id}-{now.isoformat()}-{code}", CheckoutRequest(code=code), now,
                                   discount_providers=DISCOUNT_PROVIDERS)
    assert result.order_id is not None
    return result.order_id


def move(database: Any, order_id: int, status: str, now: datetime, hold_days: int = 7) -> None:
    """Change an order's status at ``now``."""
    service.set_order_status(database, order_id, status, hold_days, now)


def buy(database: Any, user_id: int, lines: dict[str, int], now: datetime, hold_days: int = 7) -> int:
    """Place and pay an order at ``now``; its id."""
    order_id = place(database, user_id, lines, now)
    move(database, order_id, "paid", now, hold_days)
    return order_id


def view(database: Any, user_id: int, prefix: str = "") -> dict[str, Any]:
    """The shopper's synced view rows."""
    return sync_store.get_view(database.read(), user_id, prefix=prefix)


def order(database: Any, order_id: int):
    """An order as the admin API shows it."""
    with database.snapshot() as db:
        return orders.get(db, order_id)


def shopper(client: Any, email: str) -> tuple[dict[str, str], int]:
    """Sign a shopper up through the API: (headers with their bearer token, user id)."""
    response = client.post("/api/auth/signup", json={"email": email, "password": "correct horse battery",
                                                     "deviceName": "phone"})
    assert 201 == response.status_code, response.text
    body = response.json()
    return {"Authorization": f"Bearer {body['token']}"}, body["userId"]
