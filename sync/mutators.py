"""Mutators: a mutation name → the function applying it inside the push's write transaction.

Each room lists the mutations it offers in a ``MUTATORS`` tuple (sync: cart, wishlist, prefs; loyalty:
points.redeem). Nothing registers itself on import: ``server/wiring.py`` puts every room's list into one
``MutatorTable`` and the engine is handed that table; a name the table lacks is a permanent error.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Iterable

import msgspec


@dataclass(frozen=True, slots=True)
class MutationContext:
    """What a mutator may use: the write transaction and who/when the mutation is."""

    db: Any
    user_id: int
    client_id: str
    mutation_id: int
    at: int  # the mutation's HLC ms, far-future values clamped to ``now``
    now: int  # server time in ms


MutatorFn = Callable[[MutationContext, Any], None]
PrefetchFn = Callable[[Any, int, list], None]
"""``prefetch(db, user_id, [args, ...])``: load, in a few queries, what this push's mutations of one name will read."""


@dataclass(frozen=True, slots=True)
class Mutator:
    """One mutation a room offers: ``fn(ctx, args)`` applies ``name`` whose args decode as ``args_type``."""

    name: str
    args_type: Any
    fn: MutatorFn
    prefetch: PrefetchFn | None = None


@dataclass(frozen=True, slots=True)
class Registered:
    """A mutator with the decoders of its args type (built once, when the table is)."""

    name: str
    fn: MutatorFn
    json: msgspec.json.Decoder
    msgpack: msgspec.msgpack.Decoder
    prefetch: PrefetchFn | None = None


class MutatorTable:
    """The mutations one engine knows, by name (immutable once built)."""

    __slots__ = ("_table",)

    def __init__(self, mutators: Iterable[Mutator] = ()) -> None:
        table: dict[str, Registered] = {}
        for m in mutators:
            if m.name in table:
                raise ValueError(f"mutator {m.name!r} is registered already")
            table[m.name] = Registered(
                m.name, m.fn, msgspec.json.Decoder(m.args_type), msgspec.msgpack.Decoder(m.args_type), m.prefetch
            )
        self._table = MappingProxyType(table)

    def lookup(self, name: str) -> Registered | None:
        """The mutator of this name, or None."""
        return self._table.get(name)

    def names(self) -> list[str]:
        """Every mutation name in the table."""
        return sorted(self._table)
