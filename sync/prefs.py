"""`prefs.set {name, value}`: last writer wins by HLC `at`, ties to the greater clientId."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from . import store
from .mutators import MutationContext, Mutator

PrefName = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]


class PrefsSet(msgspec.Struct, rename="camel"):
    name: PrefName
    value: Any = None


def wins(incoming: tuple[int, str], holder: tuple[int, str] | None) -> bool:
    """True when a write stamped ``incoming`` (at, clientId) beats the one holding the key."""
    return holder is None or incoming >= holder  # equal: the same client again, its later mutation wins


def prefs_set(ctx: MutationContext, args: PrefsSet) -> None:
    """Set `prefs/{name}` unless a later write (by at, then clientId) already holds it."""
    key = f"prefs/{args.name}"
    stamp = (ctx.at, ctx.client_id)
    if not wins(stamp, store.get_lww(ctx.db, ctx.user_id, key)):
        return
    store.set_lww(ctx.db, ctx.user_id, key, *stamp)
    store.put_view(ctx.db, ctx.user_id, key, args.value)


def prefetch_prefs(db: Any, user_id: int, args: list[PrefsSet]) -> None:
    """A push's prefs.set mutations: their keys and LWW stamps, read in two queries."""
    keys = [f"prefs/{a.name}" for a in args]
    store.warm(db, user_id, view_keys=keys, lww_keys=keys)


MUTATORS: tuple[Mutator, ...] = (
    Mutator("prefs.set", PrefsSet, prefs_set, prefetch_prefs),
)
"""The prefs mutation (server/wiring.py installs it in the engine's table)."""
