"""The sync room's invariants for `lastmile verify`: cart rows are what the cart mutators write."""

from __future__ import annotations

from typing import Any

import msgspec

from . import store
from .cart import MAX_QTY


def check(db: Any) -> list[str]:
    """Every `cart/{sku}` row holds that sku and a quantity in 1..MAX_QTY."""
    found = []
    for user_id, key, text, _ in store.rows_with_prefix(db, "cart/"):
        sku = key.removeprefix("cart/")
        try:
            value = msgspec.json.decode(text)
        except msgspec.DecodeError:
            found.append(f"sync: user {user_id} {key}: not JSON")
            continue
        if not isinstance(value, dict) or value.get("sku") != sku:
            found.append(f"sync: user {user_id} {key}: the row names sku {value.get('sku') if isinstance(value, dict) else None!r}")
        elif not isinstance(value.get("qty"), int) or not 1 <= value["qty"] <= MAX_QTY:
            found.append(f"sync: user {user_id} {key}: qty {value.get('qty')!r} outside 1..{MAX_QTY}")
    return found
