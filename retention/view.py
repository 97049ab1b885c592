"""Offers in the shopper's synced view (`offers/{id}`), so they reach every device, with or without push."""

from __future__ import annotations

from typing import Any

from sync import poke
from sync import store as sync_store


def publish_offer(db: Any, user_id: int, view: dict) -> None:
    """Put the offer into the shopper's view inside the caller's transaction (call ``notify`` after commit)."""
    sync_store.put_view(db, user_id, f"offers/{view['id']}", view)


def notify(user_ids: Any) -> None:
    """Poke the shoppers' devices (after the transaction committed) so they pull at once."""
    for user_id in set(user_ids):
        poke.notify(user_id)
