"""An order's status timeline from the times its row carries: what happened when, and what comes next.

Card (and orders paid through the operators' route): placed → paid → shipped → delivered.
Cash on delivery: placed → awaiting cash → shipped → delivered (the cash is collected then, so ``paid_at`` is the
delivery time unless the carrier's own delivery time is known). A cancelled or refunded order ends with that step
and shows no steps it will never reach. Pure: the row in, the steps out.
"""

from __future__ import annotations

from .models import TimelineStep


def timeline(row: dict) -> list[TimelineStep]:
    """The steps of the order in ``row`` (an ``orders`` row), reached ones with their time."""
    cod = row.get("payment_method") == "cod"
    delivered = row.get("delivered_at") or (row.get("paid_at") if cod else None)
    if cod:
        path = [("placed", row["created_at"]), ("awaiting_cod", row["created_at"]),
                ("shipped", row.get("fulfilled_at")), ("delivered", delivered)]
    else:
        path = [("placed", row["created_at"]), ("paid", row.get("paid_at")),
                ("shipped", row.get("fulfilled_at")), ("delivered", delivered)]
    ended = [(status, row.get(f"{status}_at")) for status in ("cancelled", "refunded") if row.get(f"{status}_at")]
    if ended:
        path = [(status, at) for status, at in path if at] + ended
    return [TimelineStep(status=status, at=at) for status, at in path]
