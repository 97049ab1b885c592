"""Loyalty throughput on one SQLite file: checkouts (cart → order), payments (points + tiers), redemptions.

Prints figures; run: `.venv/bin/python bench/loyalty_bench.py [--orders 400] [--threads 4]`.
Everything goes through the domain services with the single writer, as the HTTP handlers do.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accounts import store as accounts_store  # noqa: E402
from catalog import store as catalog_store  # noqa: E402
from clock import now_iso  # noqa: E402
from loyalty import service  # noqa: E402
from loyalty.models import RewardInput  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.stores import open_database  # noqa: E402
from server.wiring import DISCOUNT_PROVIDERS  # noqa: E402
from sync import store as sync_store  # noqa: E402


def timed(fn, count: int, threads: int) -> tuple[float, list[float]]:
    """Run fn(i) for i in range(count) over ``threads`` threads; (seconds, per-call latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(count))

    def worker() -> None:
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            start = time.perf_counter()
            fn(i)
            with lock:
                latencies.append(time.perf_counter() - start)

    began = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - began, latencies


def report(name: str, seconds: float, latencies: list[float]) -> None:
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(f"{name:<12} {len(latencies):>5} ops  {len(latencies) / seconds:8.0f} ops/s  "
          f"median {statistics.median(latencies) * 1000:6.2f} ms  p95 {p95 * 1000:6.2f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    n = max(10, min(args.orders, 5_000))
    with tempfile.TemporaryDirectory() as tmp:
        database = open_database(Settings(data_dir=Path(tmp)))
        with database.write() as db:
            for i in range(20):
                catalog_store.upsert_product(db, {"id": f"SKU-{i}", "name": f"Item {i}", "description": "", "price": 1_000 + i,
                                                  "currency": "EUR", "category": "misc", "stock": 1_000_000}, [], now_iso())
            users = [accounts_store.create_user(db, f"b{i}@example.com", "x", 0) for i in range(n)]
        for i, user in enumerate(users):
            with database.write() as db:
                for k in range(3):
                    sku = f"SKU-{(i + k) % 20}"
                    sync_store.put_view(db, user, f"cart/{sku}", {"sku": sku, "qty": 1 + k, "addedAt": 0})
        order_ids: list[int] = [0] * n

        def checkout(i: int) -> None:
            result = service.place_order(database, users[i], f"bench-{i}", b"{}", discount_providers=DISCOUNT_PROVIDERS)
            order_ids[i] = result.order_id or 0

        report("checkout", *timed(checkout, n, args.threads))
        report("replay", *timed(lambda i: service.place_order(database, users[i], f"bench-{i}", b"{}", discount_providers=DISCOUNT_PROVIDERS), n, args.threads))
        report("pay", *timed(lambda i: service.set_order_status(database, order_ids[i], "paid", 0), n, args.threads))
        service.create_reward(database, RewardInput(id="pin", name="Pin", kind="coupon", points_cost=100, stock=n * 5,
                                                    value=100, currency="EUR"))
        report("redeem", *timed(lambda i: service.redeem(database, users[i % n], "pin"), n, args.threads))
        report("points read", *timed(lambda i: service.points(database, users[i]), n, args.threads))
        database.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
