"""Counts a server process gathers between flushes: requests per minute, route and status, and named counters.

Each process adds to its own buffer (a lock, no I/O) and ``flush`` adds the buffer to the shared tables in
one write, so the dashboard and the alerts see every process's traffic within one flush interval.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from typing import Any

from insights import store


class Recorder:
    """Thread-safe per-minute tallies with a ``flush(database)`` that empties them into the database."""

    def __init__(self, clock=time.time):
        self._clock = clock
        self._lock = threading.Lock()
        self._requests: dict[tuple[int, str, int], list] = defaultdict(lambda: [0, 0.0])
        self._named: dict[tuple[int, str], int] = defaultdict(int)

    def request(self, route: str, status: int, latency_ms: float) -> None:
        """One answered request."""
        minute = int(self._clock()) // 60
        with self._lock:
            cell = self._requests[(minute, route, status)]
            cell[0] += 1
            cell[1] += latency_ms

    def count(self, name: str, value: int = 1) -> None:
        """Add ``value`` to the named counter of this minute."""
        if value:
            minute = int(self._clock()) // 60
            with self._lock:
                self._named[(minute, name)] += value

    def flush(self, database: Any) -> int:
        """Write and forget what was gathered; how many rows. On a failed write the counts are kept for next time."""
        with self._lock:
            requests, self._requests = self._requests, defaultdict(lambda: [0, 0.0])
            named, self._named = self._named, defaultdict(int)
        if not requests and not named:
            return 0
        try:
            with database.write() as db:
                store.add_counts(db, [(m, r, s, n, lat) for (m, r, s), (n, lat) in requests.items()])
                store.add_named(db, [(m, name, v) for (m, name), v in named.items()])
        except BaseException:
            with self._lock:
                for key, (n, lat) in requests.items():
                    cell = self._requests[key]
                    cell[0] += n
                    cell[1] += lat
                for key, v in named.items():
                    self._named[key] += v
            raise
        return len(requests) + len(named)
