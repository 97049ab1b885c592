"""The address book, synced across devices: `addresses/{id}` → the address; `address.put` / `address.remove`.

Each address is one last-writer-wins key (by HLC `at`, ties to the greater clientId, as `prefs.set`), so two
devices editing the same address converge on the later edit and a removal beats an older edit that arrives
after it. Addresses are personal data: sync.store seals `addresses/` values at rest (SEALED_PREFIXES).
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from . import store
from .errors import PermanentError
from .mutators import MutationContext, Mutator
from .prefs import wins

PREFIX = "addresses/"
MAX_ADDRESSES = 20
AddressId = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")]
Line = Annotated[str, Meta(min_length=1, max_length=120)]
Optional = Annotated[str, Meta(max_length=120)]
Country = Annotated[str, Meta(pattern=r"^[A-Z]{2}$")]  # ISO 3166-1 alpha-2
Postcode = Annotated[str, Meta(max_length=16, pattern=r"^[A-Za-z0-9 -]*$")]
Phone = Annotated[str, Meta(max_length=24, pattern=r"^[0-9+ ()-]*$")]


class Address(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    """One delivery address as the shopper typed it (the wire form and the view value)."""

    id: AddressId
    name: Line
    line1: Line
    city: Line
    country: Country
    line2: Optional = ""
    region: Optional = ""
    postcode: Postcode = ""
    phone: Phone = ""


class AddressRemove(msgspec.Struct, rename="camel"):
    id: AddressId


def _key(address_id: str) -> str:
    return PREFIX + address_id


def address_put(ctx: MutationContext, args: Address) -> None:
    """Add or replace an address unless a later write (put or remove) already holds it; at most MAX_ADDRESSES."""
    key = _key(args.id)
    stamp = (ctx.at, ctx.client_id)
    if not wins(stamp, store.get_lww(ctx.db, ctx.user_id, key)):
        return
    if store.get_value(ctx.db, ctx.user_id, key) is None and len(store.get_view(ctx.db, ctx.user_id, PREFIX)) >= MAX_ADDRESSES:
        raise PermanentError("too-many-addresses", f"an address book holds at most {MAX_ADDRESSES} addresses")
    store.set_lww(ctx.db, ctx.user_id, key, *stamp)
    store.put_view(ctx.db, ctx.user_id, key, msgspec.to_builtins(args))


def address_remove(ctx: MutationContext, args: AddressRemove) -> None:
    """Remove an address (absent is fine); an older `address.put` arriving later does not bring it back."""
    key = _key(args.id)
    stamp = (ctx.at, ctx.client_id)
    if not wins(stamp, store.get_lww(ctx.db, ctx.user_id, key)):
        return
    store.set_lww(ctx.db, ctx.user_id, key, *stamp)
    store.delete_view(ctx.db, ctx.user_id, key)


def address_of(db, user_id: int, address_id: str) -> Address | None:
    """The shopper's own address by id (None for another shopper's or a removed one: callers answer 404)."""
    value = store.get_value(db, user_id, _key(address_id)) if len(address_id) <= 40 else None
    return msgspec.convert(value, Address) if value is not None else None


MUTATORS: tuple[Mutator, ...] = (
    Mutator("address.put", Address, address_put),
    Mutator("address.remove", AddressRemove, address_remove),
)
"""The address book mutations (server/wiring.py installs them in the engine's table)."""
