"""Pokes: wake the user's open event streams when their view changed. notify() is thread-safe.

In-process only; the stream also re-reads the user's version at every heartbeat, which covers
writes made by other worker processes.
"""

from __future__ import annotations

import asyncio
import threading


class Subscription:
    """One open stream of a user, bound to the event loop that created it."""

    def __init__(self, user_id: int):
        self.user_id = user_id
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """True when poked within ``timeout`` seconds (the flag is reset)."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except asyncio.TimeoutError:
            return False
        self.event.clear()
        return True


class Broker:
    """User id → open subscriptions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[int, set[Subscription]] = {}

    def subscribe(self, user_id: int) -> Subscription:
        """Register a stream (call on its event loop)."""
        sub = Subscription(user_id)
        with self._lock:
            self._subs.setdefault(user_id, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Forget a closed stream."""
        with self._lock:
            subs = self._subs.get(sub.user_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.user_id]

    def notify(self, user_id: int) -> int:
        """Wake every stream of the user from any thread; how many were woken."""
        with self._lock:
            subs = list(self._subs.get(user_id, ()))
        woken = 0
        for sub in subs:
            try:
                sub.loop.call_soon_threadsafe(sub.event.set)
                woken += 1
            except RuntimeError:  # its loop has closed; the stream's finally will unsubscribe
                pass
        return woken

    def count(self, user_id: int) -> int:
        """Open streams of the user."""
        with self._lock:
            return len(self._subs.get(user_id, ()))

    def total(self) -> int:
        """Open streams of every user (the /metrics gauge)."""
        with self._lock:
            return sum(len(subs) for subs in self._subs.values())


broker = Broker()


def notify(user_id: int) -> int:
    """Tell the user's devices to pull now (call after the write transaction commits)."""
    return broker.notify(user_id)
