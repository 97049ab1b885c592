"""Cart mutators: `cart/{sku}` → {sku, qty, addedAt}. Adds add up; setQty sets; remove and clear delete."""

from __future__ import annotations

from typing import Annotated, Any, Iterator

import msgspec
from msgspec import Meta

from catalog import store as catalog_store
from catalog.models import Sku

from . import store
from .errors import PermanentError
from .mutators import MutationContext, Mutator

MAX_QTY = 99
Qty = Annotated[int, Meta(ge=1, le=MAX_QTY)]


class CartAdd(msgspec.Struct, rename="camel"):
    sku: Sku
    qty: Qty = 1


class CartSetQty(msgspec.Struct, rename="camel"):
    sku: Sku
    qty: Annotated[int, Meta(ge=0, le=MAX_QTY)]  # 0 removes the line


class CartSku(msgspec.Struct, rename="camel"):
    sku: Sku


class Empty(msgspec.Struct):
    pass


def _key(sku: str) -> str:
    return f"cart/{sku}"


class LeanRows:
    """sqlite_utils' ``query()`` over the raw connection: the catalog's SQL, without the wrapper's cost."""

    def __init__(self, db: Any):
        self.conn = db.conn

    def query(self, sql: str, params: list) -> Iterator[dict]:
        cursor = self.conn.execute(sql, params)
        columns = [d[0] for d in cursor.description]
        return (dict(zip(columns, row)) for row in cursor)


def product(ctx: MutationContext, sku: str) -> dict | None:
    """The catalog row of a SKU (through catalog.store, on the push's transaction; prefetched ones from memo)."""
    prefetched = store.memo().get("products")
    if prefetched is not None and sku in prefetched:
        return prefetched[sku]
    return catalog_store.get_product(LeanRows(ctx.db), sku)


def prefetch_products(db: Any, skus: list[str]) -> None:
    """Load these SKUs' catalog rows in one query for the push (an unknown SKU is remembered as None)."""
    prefetched = store.memo().setdefault("products", {})
    wanted = sorted(set(skus) - prefetched.keys())
    if wanted:
        found = catalog_store.get_products(LeanRows(db), wanted)
        prefetched.update({sku: found.get(sku) for sku in wanted})


def prefetch_lines(db: Any, user_id: int, args: list) -> None:
    """A push's cart mutations: their products and cart lines, read in two queries."""
    prefetch_products(db, [a.sku for a in args])
    store.warm(db, user_id, view_keys=[_key(a.sku) for a in args])


def _require_product(ctx: MutationContext, sku: str, available: bool) -> None:
    product_row = product(ctx, sku)
    if product_row is None:
        raise PermanentError("unknown-sku", f"there is no product {sku}")
    if available and product_row["stock"] <= 0:
        raise PermanentError("unavailable", f"product {sku} is out of stock")


def cart_add(ctx: MutationContext, args: CartAdd) -> None:
    """Add ``qty`` to the line (two devices adding 1 each make 2), capped at MAX_QTY."""
    _require_product(ctx, args.sku, available=True)
    line = store.get_value(ctx.db, ctx.user_id, _key(args.sku))
    qty = min(MAX_QTY, (line["qty"] if line else 0) + args.qty)
    added_at = line["addedAt"] if line else ctx.at
    store.put_view(ctx.db, ctx.user_id, _key(args.sku), {"sku": args.sku, "qty": qty, "addedAt": added_at})


def cart_set_qty(ctx: MutationContext, args: CartSetQty) -> None:
    """Set the line's quantity (the last applied wins); 0 removes it; a new line needs the product in stock."""
    if args.qty == 0:
        store.delete_view(ctx.db, ctx.user_id, _key(args.sku))
        return
    line = store.get_value(ctx.db, ctx.user_id, _key(args.sku))
    _require_product(ctx, args.sku, available=line is None)
    added_at = line["addedAt"] if line else ctx.at
    store.put_view(ctx.db, ctx.user_id, _key(args.sku), {"sku": args.sku, "qty": args.qty, "addedAt": added_at})


def cart_remove(ctx: MutationContext, args: CartSku) -> None:
    """Remove the line (removing a line that is not there is fine: both devices may remove it)."""
    store.delete_view(ctx.db, ctx.user_id, _key(args.sku))


def cart_clear(ctx: MutationContext, args: Empty) -> None:
    """Remove every line."""
    store.delete_prefix(ctx.db, ctx.user_id, "cart/")


MUTATORS: tuple[Mutator, ...] = (
    Mutator("cart.add", CartAdd, cart_add, prefetch_lines),
    Mutator("cart.setQty", CartSetQty, cart_set_qty, prefetch_lines),
    Mutator("cart.remove", CartSku, cart_remove, prefetch_lines),
    Mutator("cart.clear", Empty, cart_clear),
)
"""The cart mutations (server/wiring.py installs them in the engine's table)."""
