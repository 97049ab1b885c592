"""A small in-process cache of encoded GET bodies, valid while the database has seen no change.

The hottest catalog GET costs a thread hop plus three queries; a hit here is a dict lookup on the event
loop (no database there). An entry is valid only while ``Database.generation`` is unchanged: it moves
on every commit through this process and on every other process's change (``Database.watch``: NOTIFY
from catalog/media triggers on PostgreSQL, ``PRAGMA data_version`` on SQLite), so several workers and
hosts stay correct without an expiry (and without its reload spikes).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Awaitable, Callable, Generic, Hashable, TypeVar

V = TypeVar("V")


class ResponseCache(Generic[V]):
    """LRU of (generation, value) per key, the value being what a response needs (body, media type, ETag: all
    worked out once per entry, not per request); used from the event loop only."""

    def __init__(self, *, max_entries: int = 2048):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, V]] = OrderedDict()
        self._loading: dict[tuple[Hashable, int], asyncio.Future] = {}

    async def fetch(self, key: Hashable, generation: int, load: Callable[[], Awaitable[V]]) -> V:
        """The cached entry, else one ``load()`` shared by every request that misses at the same time.

        Without the sharing, every connection waiting when an entry expires would run its own read at once.
        """
        hit = self.get(key, generation)
        if hit is not None:
            return hit
        flight = (key, generation)
        pending = self._loading.get(flight)
        if pending is not None:
            return await asyncio.shield(pending)
        future = asyncio.get_running_loop().create_future()
        self._loading[flight] = future
        try:
            result = await load()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters (if any) re-raise it themselves
            raise
        else:
            future.set_result(result)
            self.put(key, generation, result)
            return result
        finally:
            del self._loading[flight]

    def get(self, key: Hashable, generation: int) -> V | None:
        """The cached value, if stored at this generation."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_generation, value = entry
        if stored_generation != generation:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, generation: int, value: V) -> None:
        """Keep a value read at ``generation`` (the generation taken before the read began)."""
        self._entries[key] = (generation, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
