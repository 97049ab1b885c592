"""Recently viewed, synced across devices: the view key `recent` → {items: [{sku, at}], clearedAt}.

`recent.view {sku}` puts the product first (a product viewed again moves up, never twice), newest first by
the view's HLC `at`, at most MAX_RECENT entries; `recent.clear {}` empties the list. The merge is
deterministic whatever order devices' views arrive in: each product keeps the latest `at` it was viewed at,
the list is the MAX_RECENT latest by (at, sku), and views older than the last clear are ignored, so an
offline device's old views cannot bring a cleared list back. The same mutation counts the view in the
retention room's browse history (retention.tracking.record_product_views), so a product page sends one
signal, and views made offline are counted when they sync.
"""

from __future__ import annotations

import msgspec

from catalog.models import Sku
from clock import from_ms
from retention.tracking import record_product_views
from sync import store
from sync.cart import product
from sync.errors import PermanentError
from sync.mutators import MutationContext, Mutator

KEY = "recent"
MAX_RECENT = 30


class RecentView(msgspec.Struct, rename="camel"):
    sku: Sku


class RecentClear(msgspec.Struct, rename="camel"):
    pass


def merged(value: dict | None, sku: str, at: int) -> dict:
    """The list after a view of ``sku`` at ``at`` (pure: the rule pwa/rebase.js replays offline)."""
    value = value or {}
    cleared = int(value.get("clearedAt", 0))
    latest = {item["sku"]: int(item["at"]) for item in value.get("items", [])}
    if at > cleared:
        latest[sku] = max(at, latest.get(sku, 0))
    items = sorted(latest.items(), key=lambda pair: (-pair[1], pair[0]))[:MAX_RECENT]
    return {"items": [{"sku": s, "at": a} for s, a in items], "clearedAt": cleared}


def recent_view(ctx: MutationContext, args: RecentView) -> None:
    """Put a viewed product first in the shopper's recently viewed list, and count the view."""
    if product(ctx, args.sku) is None:
        raise PermanentError("unknown-sku", f"there is no product {args.sku}")
    store.put_view(ctx.db, ctx.user_id, KEY, merged(store.get_value(ctx.db, ctx.user_id, KEY), args.sku, ctx.at))
    day = from_ms(ctx.at).date().isoformat()
    record_product_views(ctx.db, ctx.user_id, day, {args.sku: 1})


def recent_clear(ctx: MutationContext, args: RecentClear) -> None:
    """Empty the list; views stamped before this clear (an offline device's) stay out when they arrive."""
    value = store.get_value(ctx.db, ctx.user_id, KEY) or {}
    cleared = max(ctx.at, int(value.get("clearedAt", 0)))
    store.put_view(ctx.db, ctx.user_id, KEY, {
        "items": [item for item in value.get("items", []) if int(item["at"]) > cleared], "clearedAt": cleared,
    })


MUTATORS: tuple[Mutator, ...] = (
    Mutator("recent.view", RecentView, recent_view),
    Mutator("recent.clear", RecentClear, recent_clear),
)
"""The recently-viewed mutations (server/wiring.py installs them in the engine's table)."""
