"""The mutator registry: a name → a function applying one mutation inside the push's write transaction.

Rooms add theirs with ``@register("points.redeem", RedeemArgs)``; an unregistered name is a permanent error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

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


Mutator = Callable[[MutationContext, Any], None]


@dataclass(frozen=True, slots=True)
class Registered:
    """A mutator with the decoders of its args type (built once)."""

    name: str
    fn: Mutator
    json: msgspec.json.Decoder
    msgpack: msgspec.msgpack.Decoder


_registry: dict[str, Registered] = {}


def register(name: str, args_type: Any = dict) -> Callable[[Mutator], Mutator]:
    """Decorator: ``fn(ctx, args)`` applies mutation ``name`` whose args decode as ``args_type``."""

    def add(fn: Mutator) -> Mutator:
        existing = _registry.get(name)
        if existing is not None and existing.fn is not fn:
            raise ValueError(f"mutator {name!r} is registered already")
        _registry[name] = Registered(name, fn, msgspec.json.Decoder(args_type), msgspec.msgpack.Decoder(args_type))
        return fn

    return add


def lookup(name: str) -> Registered | None:
    """The registered mutator, or None."""
    return _registry.get(name)


def names() -> list[str]:
    """Every registered mutation name."""
    return sorted(_registry)
