"""An order's status timeline from the times its row carries: what happened when, and what comes next.

Card (and orders paid through the operators' route): placed → paid → shipped → delivered.
Cash on delivery: placed → awaiting cash → shipped → delivered (paid at the door). Shipped is the status
``fulfilled`` (``fulfilled_at``), delivered the carrier's confirmation (``delivered_at``). A cancelled or refunded
order ends with that step and shows no steps it will never reach. Pure: the row in, the steps out.
"""

from __future__ import annotations

from .models import TimelineStep


def timeline(row: dict) -> list[TimelineStep]:
    """The steps of the order in ``row`` (an ``orders`` row), reached ones with their time."""
    second = ("awaiting_cod", row["created_at"]) if row.get("payment_method") == "cod" else ("paid", row.get("paid_at"))
    path = [("placed", row["created_at"]), second, ("shipped", row.get("fulfilled_at")),
            ("delivered", row.get("delivered_at"))]
    ended = [(status, row.get(f"{status}_at")) for status in ("cancelled", "refunded") if row.get(f"{status}_at")]
    if ended:
        path = [(status, at) for status, at in path if at] + ended
    return [TimelineStep(status=status, at=at) for status, at in path]
