"""Wishlist mutators: `wishlist/{sku}` → {sku, addedAt}; add and remove are idempotent."""

from __future__ import annotations

import msgspec

from catalog.models import Sku

from . import store
from .cart import prefetch_products, product
from .errors import PermanentError
from .mutators import MutationContext, Mutator


class WishlistSku(msgspec.Struct, rename="camel"):
    sku: Sku


def wishlist_add(ctx: MutationContext, args: WishlistSku) -> None:
    """Keep a product (out-of-stock ones too: that is what wishlists are for); adding twice keeps the first."""
    if product(ctx, args.sku) is None:
        raise PermanentError("unknown-sku", f"there is no product {args.sku}")
    key = f"wishlist/{args.sku}"
    if store.get_value(ctx.db, ctx.user_id, key) is None:
        store.put_view(ctx.db, ctx.user_id, key, {"sku": args.sku, "addedAt": ctx.at})


def prefetch_wishlist(db, user_id: int, args: list) -> None:
    """A push's wishlist mutations: their products and wishlist keys, read in two queries."""
    prefetch_products(db, [a.sku for a in args])
    store.warm(db, user_id, view_keys=[f"wishlist/{a.sku}" for a in args])


def wishlist_remove(ctx: MutationContext, args: WishlistSku) -> None:
    """Drop a product from the wishlist (absent is fine)."""
    store.delete_view(ctx.db, ctx.user_id, f"wishlist/{args.sku}")


MUTATORS: tuple[Mutator, ...] = (
    Mutator("wishlist.add", WishlistSku, wishlist_add, prefetch_wishlist),
    Mutator("wishlist.remove", WishlistSku, wishlist_remove, prefetch_wishlist),
)
"""The wishlist mutations (server/wiring.py installs them in the engine's table)."""
