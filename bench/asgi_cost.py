"""Per-request cost of catalog endpoints inside the ASGI app, without sockets or a load client.

    .venv/bin/python -m bench.asgi_cost [--requests 2000] [--repeats 5]

Calls the bench app (production app + `/bench/fixed`) directly with ASGI scopes, one request at a time, and
prints the best-of-N microseconds per request for: the fixed-bytes endpoint, `GET /api/products/{id}`, the
same handler written with two injected dependencies (`database`, `settings`) as it was first written, a
handler that only hops to a worker thread, and the listing. The differences show where the product
endpoint's time goes (docs/performance.md, API). Best-of-N because the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import timeit
from pathlib import Path
from typing import Annotated

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from catalog import service
from server.db import Database
from server.http.conditional import cacheable, strong_etag
from server.settings import Settings


@get("/bench/product-di/{product_id:str}", sync_to_thread=True, include_in_schema=False)
def product_with_di(
    request: Request,
    database: NamedDependency[Database],
    settings: NamedDependency[Settings],
    product_id: Annotated[str, Parameter(max_length=64)],
) -> Response:
    """The product handler as first written: two dependencies resolved per request."""
    with database.snapshot() as db:
        product = service.product_detail(db, product_id)
    return cacheable(request, product, max_age=settings.catalog_max_age,
                     stale_while_revalidate=settings.catalog_stale_while_revalidate)


_CACHED: dict[str, object] = {}


@get("/bench/product-cached/{product_id:str}", include_in_schema=False)
async def product_cached(request: Request, product_id: str) -> Response:
    """Upper bound of an in-process cache: the product served on the loop, never revalidated (bench only)."""
    product = _CACHED[product_id]
    return cacheable(request, product, max_age=60, stale_while_revalidate=60)


@get("/bench/thread-hop", sync_to_thread=True, include_in_schema=False)
def thread_hop() -> Response:
    """Nothing but the hop to a worker thread and back."""
    return Response(content=b"{}", media_type="application/json")


def _scope(path: str, query: bytes = b"") -> dict:
    return {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query,
        "root_path": "", "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000), "state": {},
    }


async def _receive() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _time(app, path: str, query: bytes, n: int) -> float:
    statuses: set[int] = set()

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    start = time.perf_counter()
    for _ in range(n):
        await app(_scope(path, query), _receive, send)
    elapsed = time.perf_counter() - start
    if statuses != {200}:
        raise SystemExit(f"{path} answered {statuses}")
    return elapsed / n * 1e6


async def _main(requests: int, repeats: int, products: int) -> None:
    from bench.api import seed
    from bench.fixed_app import bench_app

    with tempfile.TemporaryDirectory(prefix="lastmile-asgi-") as tmp:
        data_dir = Path(tmp) / "var"
        seed(data_dir, products)
        os.environ["LASTMILE_DATA_DIR"] = str(data_dir)
        os.environ.setdefault("LASTMILE_ADMIN_TOKEN", "bench-admin-token-0123456789")
        app = bench_app()
        app.register(product_with_di)
        app.register(thread_hop)
        app.register(product_cached)
        database = app.state["database"]
        product_id = next(iter(database.read().query("SELECT id FROM products ORDER BY id LIMIT 1")))["id"]

        def db_work():
            with database.snapshot() as db:
                return service.product_detail(db, product_id)

        product = _CACHED[product_id] = db_work()
        body = msgspec.json.encode(product)
        cases = [
            ("fixed bytes (async, no DB)", "/bench/fixed", b""),
            ("thread hop only (sync_to_thread)", "/bench/thread-hop", b""),
            ("GET /api/products/{id}", f"/api/products/{product_id}", b""),
            ("  same, with 2 injected deps", f"/bench/product-di/{product_id}", b""),
            ("  upper bound: cached, on the loop", f"/bench/product-cached/{product_id}", b""),
            ("GET /api/products?limit=20", "/api/products", b"limit=20"),
        ]
        for _, path, query in cases:  # warm-up
            await _time(app, path, query, 200)
        best = {label: float("inf") for label, _, _ in cases}
        for _ in range(repeats):
            for label, path, query in cases:
                best[label] = min(best[label], await _time(app, path, query, requests))
        print(f"{os.cpu_count()} cores; best of {repeats} x {requests} sequential requests, microseconds each:")
        for label, _, _ in cases:
            print(f"  {label:36s} {best[label]:7.0f} us")
        parts = {
            "  of which DB work (snapshot, 3 queries)": db_work,
            "  of which encode + ETag": lambda: strong_etag(msgspec.json.encode(product) + b"application/json"),
        }
        for label, fn in parts.items():
            best_part = min(timeit.timeit(fn, number=requests) for _ in range(repeats)) / requests * 1e6
            print(f"  {label:36s} {best_part:7.1f} us")
        print(f"  (product JSON: {len(body)} bytes)")
        database.close()


def main(argv: list[str] | None = None) -> int:
    """Parse options and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--products", type=int, default=12)
    args = parser.parse_args(argv)
    if not (1 <= args.requests <= 100_000 and 1 <= args.repeats <= 50):
        parser.error("keep it bounded: requests 1-100000, repeats 1-50")
    asyncio.run(_main(args.requests, args.repeats, args.products))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
