"""`consent.set {purpose, granted}`: a shopper's consent per purpose, last decision wins by (at, clientId).

The decision is kept by the accounts room (accounts/consents.py) and shown to every device in the view
key `consents` = {purpose: {granted, at}}.
"""

from __future__ import annotations

import msgspec

from accounts import consents
from accounts.consents import Purpose

from . import store
from .mutators import MutationContext, Mutator
from .prefs import wins

VIEW_KEY = "consents"


class ConsentSet(msgspec.Struct, rename="camel"):
    purpose: Purpose
    granted: bool


def publish(db, user_id: int) -> None:
    """Write the shopper's decisions to their view (in the caller's transaction)."""
    view = {purpose: msgspec.structs.asdict(c) for purpose, c in sorted(consents.of(db, user_id).items())}
    store.put_view(db, user_id, VIEW_KEY, view)


def record(db, user_id: int, purpose: str, granted: bool, at_ms: int, client_id: str = "server") -> bool:
    """Record a decision unless a later one holds the purpose; True when it was taken. Views follow."""
    key = f"{VIEW_KEY}/{purpose}"
    stamp = (at_ms, client_id)
    if not wins(stamp, store.get_lww(db, user_id, key)):
        return False
    store.set_lww(db, user_id, key, *stamp)
    consents.record(db, user_id, purpose, granted, at_ms)
    publish(db, user_id)
    return True


def consent_set(ctx: MutationContext, args: ConsentSet) -> None:
    """Agree to or withdraw one purpose; a later decision from another device is not overwritten."""
    record(ctx.db, ctx.user_id, args.purpose, args.granted, ctx.at, ctx.client_id)


MUTATORS: tuple[Mutator, ...] = (
    Mutator("consent.set", ConsentSet, consent_set),
)
"""The consent mutation (server/wiring.py installs it in the engine's table)."""
