"""The retention room's invariants for `lastmile verify`: every delivery in the outbox is in a valid state."""

from __future__ import annotations

from typing import Any

from . import push_store


def check(db: Any) -> list[str]:
    """Outbox rows in an unknown state, claimed without a time, or pending for a deleted subscription."""
    found = []
    for r in push_store.outbox_problems(db):
        if r["state"] not in push_store.OUTBOX_STATES:
            why = f"unknown state {r['state']!r}"
        elif r["state"] == "sending":
            why = "claimed ('sending') without a claim time"
        else:
            why = f"pending for subscription {r['subscription_id']}, which no longer exists"
        found.append(f"retention: outbox {r['id']} (message {r['message_id']}): {why}")
    return found
