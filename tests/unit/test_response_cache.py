"""The in-process response cache: valid only at its generation; concurrent misses share one read."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from server.http.response_cache import ResponseCache


def test_an_entry_is_valid_only_at_its_generation():
    cache = ResponseCache()
    cache.put("p1", 7, (b"body", "application/json"))
    assert (b"body", "application/json") == cache.get("p1", 7)
    assert cache.get("p1", 8) is None
    assert cache.get("p1", 7) is None  # a stale entry is dropped, not kept for later


def test_least_recently_used_entries_go_first():
    cache = ResponseCache(max_entries=2)
    cache.put("a", 1, (b"a", "t"))
    cache.put("b", 1, (b"b", "t"))
    cache.get("a", 1)
    cache.put("c", 1, (b"c", "t"))
    assert [None, b"a", b"c"] == [
        (hit or (None,))[0] for hit in (cache.get("b", 1), cache.get("a", 1), cache.get("c", 1))
    ]


def test_concurrent_misses_share_one_load_and_errors_are_not_cached():
    cache = ResponseCache()
    loads = []

    async def load():
        loads.append(1)
        await asyncio.sleep(0.01)
        return b"body", "application/json"

    async def failing():
        raise LookupError("no such product")

    async def main():
        results = await asyncio.gather(*(cache.fetch("p", 1, load) for _ in range(20)))
        assert [(b"body", "application/json")] * 20 == results
        errors = await asyncio.gather(*(cache.fetch("q", 1, failing) for _ in range(3)), return_exceptions=True)
        assert all(isinstance(e, LookupError) for e in errors)
        assert cache.get("q", 1) is None

    # A thread of its own: browser tests may leave Playwright's loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, main()).result()
    assert 1 == len(loads)
