"""SQL of checkout's details on an order: delivery option and fee, payment method and provider reference, and
the delivery address as it was when the order was placed (sealed: it is personal data).

The columns sit on ``orders`` (every order read sees them) but have their own migration history (domain
``checkout``), so this work and other changes to the loyalty schema never compete for migration numbers.
"""

from __future__ import annotations

from typing import Any

import msgspec

from accounts import vault
from accounts.sealed_store import SealedColumn

DOMAIN = "checkout"
SHIP_TO = "address"
"""The vault kind of an order's sealed delivery address."""

MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "delivery, payment and the delivery address on orders",
        [
            "ALTER TABLE orders ADD COLUMN shipping INTEGER NOT NULL DEFAULT 0 CHECK (shipping >= 0)",
            "ALTER TABLE orders ADD COLUMN delivery TEXT",
            "ALTER TABLE orders ADD COLUMN payment_method TEXT CHECK (payment_method IN ('card', 'cod'))",
            "ALTER TABLE orders ADD COLUMN payment_provider TEXT",
            "ALTER TABLE orders ADD COLUMN payment_ref TEXT",  # the provider's reference, never card data
            "ALTER TABLE orders ADD COLUMN ship_to TEXT",      # sealed JSON of the address
            "ALTER TABLE orders ADD COLUMN shipped_at TEXT",   # handed to the carrier (delivery is fulfilled_at)
        ],
    ),
    (
        2,
        "shipping is the status fulfilled, delivery loyalty's delivered_at",
        ["ALTER TABLE orders DROP COLUMN shipped_at"],  # 1 added it before loyalty's delivered_at was on main
    ),
    (
        3,
        "the pickup point a pickup order waits at",
        ["ALTER TABLE orders ADD COLUMN pickup_point TEXT"],  # a shop's public place (loyalty.pickup_points), in the clear
    ),
]

SEALED = (SealedColumn("orders", ("id",), "ship_to", SHIP_TO),)
"""The sealed columns of this store (`lastmile keys rotate` re-seals them)."""


def set_details(db: Any, order_id: int, *, shipping: int, delivery: str, payment_method: str, provider: str,
                reference: str | None, address: dict, pickup_point: str | None = None) -> None:
    """Record checkout's details on a new order (in the checkout's transaction)."""
    db.execute(
        "UPDATE orders SET shipping = ?, delivery = ?, payment_method = ?, payment_provider = ?, payment_ref = ?,"
        " ship_to = ?, pickup_point = ? WHERE id = ?",
        [shipping, delivery, payment_method, provider, reference,
         vault.seal(SHIP_TO, msgspec.json.encode(address)), pickup_point, order_id],
    )


def stamp_paid(db: Any, order_id: int, now: str) -> bool:
    """Record when a cash-on-delivery order was paid (at delivery), once; False if it was already."""
    return db.execute("UPDATE orders SET paid_at = ? WHERE id = ? AND paid_at IS NULL", [now, order_id]).rowcount == 1


def open_address(row: dict) -> dict | None:
    """The delivery address of an order row, opened (None for an order placed without one, or erased)."""
    sealed = row.get("ship_to")
    return msgspec.json.decode(vault.unseal(SHIP_TO, sealed)) if sealed else None


def forget_addresses(db: Any, user_id: int) -> int:
    """Drop the delivery addresses of a shopper's orders (account erasure); how many orders had one."""
    return db.execute("UPDATE orders SET ship_to = NULL WHERE user_id = ? AND ship_to IS NOT NULL", [user_id]).rowcount
