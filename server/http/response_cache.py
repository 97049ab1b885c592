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
from typing import Awaitable, Callable, Hashable


class ResponseCache:
    """LRU of (generation, body, media type) per key; used from the event loop only."""

    def __init__(self, *, max_entries: int = 2048):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[int, bytes, str]] = OrderedDict()
        self._loading: dict[tuple[Hashable, int], asyncio.Future] = {}

    async def fetch(
        self, key: Hashable, generation: int, load: Callable[[], Awaitable[tuple[bytes, str]]]
    ) -> tuple[bytes, str]:
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
            self.put(key, generation, *result)
            return result
        finally:
            del self._loading[flight]

    def get(self, key: Hashable, generation: int) -> tuple[bytes, str] | None:
        """The cached body and media type, if stored at this generation."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_generation, body, media_type = entry
        if stored_generation != generation:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return body, media_type

    def put(self, key: Hashable, generation: int, body: bytes, media_type: str) -> None:
        """Keep a body read at ``generation`` (the value taken before the read began)."""
        self._entries[key] = (generation, body, media_type)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
