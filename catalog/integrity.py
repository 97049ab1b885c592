"""The catalog's invariants for `lastmile verify`: each discrepancy as one line naming its ids."""

from __future__ import annotations

from typing import Any

from . import store


def check(db: Any) -> list[str]:
    """Stock never below zero."""
    return [f"catalog: product {r['id']} has stock {r['stock']} (below zero)" for r in store.negative_stock(db)]
