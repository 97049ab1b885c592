"""Hit-rate@10 of "for you" against a popularity baseline on a held-out split of the demo orders.

    .venv/bin/python bench/recommend.py [--shoppers 2000] [--products 72] [--seed 7] [--data-dir DIR]

The shoppers are the ones `lastmile seed-demo` makes (retention.demo.plan_shoppers, the same seed gives the same
people, orders and views), over the demo catalog (catalog.demo). Split: for every shopper with at least two kept
orders (not cancelled or refunded), their last kept order is held out; their history is cut 3 days before it
(the demo plants a purchase's views 0-2 days before it, which would hand the answer over). The model
(recs.similarity, the code `lastmile recs refresh` runs) is learnt once from everything else: every other
order, every view before each held-out shopper's cut-off, views only of shoppers who agreed to analytics (as
recs.service does). A hit: at least one product of the held-out order is among the 10 recommended. Both lists
leave out what the shopper bought before; sold-out products are not filtered (the held-out order bought them).

With ``--data-dir`` (a shop made by `lastmile seed-demo`), it also times the served path on that database: one
``recs.service.refresh`` and ``recs.service.for_you`` (limit 8, one snapshot each) for every shopper id 1..N.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog.demo import write_demo_catalog  # noqa: E402
from recs import similarity  # noqa: E402
from recs.similarity import Event  # noqa: E402
from retention.demo import plan_shoppers  # noqa: E402

K = 10
GAP = timedelta(days=3)
KEPT = ("placed", "paid", "fulfilled")


def demo_products(count: int, seed: int) -> list[dict]:
    """The demo catalog's product lines (the photos are written to a temporary folder and dropped)."""
    with tempfile.TemporaryDirectory() as folder:
        path = write_demo_catalog(Path(folder), count=count, seed=seed)
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def split(shoppers, now: datetime):
    """(training histories, {shopper: (history before the cut-off, held-out SKUs, cut-off)}, consenting shoppers)."""
    training: dict[int, list[Event]] = defaultdict(list)
    held: dict[int, tuple[list[Event], set[str], datetime]] = {}
    consenting = {s.n for s in shoppers if "analytics" in s.consents}
    for s in shoppers:
        kept = sorted((o for o in s.orders if o.status in KEPT), key=lambda o: o.placed_at)
        cut = kept[-1].placed_at - GAP if len(kept) >= 2 else now + timedelta(days=1)
        events: list[Event] = []
        for order in kept[:-1] if len(kept) >= 2 else kept:
            if order.placed_at < cut:
                events += [Event(line.sku, order.placed_at.timestamp(), "order") for line in order.lines]
        if s.n in consenting:
            for (sku, day), views in s.views.items():
                at = datetime.fromisoformat(day).replace(tzinfo=timezone.utc) + timedelta(hours=12)
                if at < cut:
                    events.append(Event(sku, at.timestamp(), "view", views))
        training[s.n] = events
        if len(kept) >= 2:
            held[s.n] = (events, {line.sku for line in kept[-1].lines}, cut)
    return training, held, consenting


def evaluate(held, near, popular, consenting, *, personal_for) -> tuple[float, int]:
    hits = 0
    for n, (history, truth, cut) in held.items():
        bought = {e.sku for e in history if e.kind == "order"}
        if personal_for(n):
            chosen, _ = similarity.rank(similarity.seeds(history, cut.timestamp()), near, popular, bought, K)
        else:
            chosen = [sku for sku in popular if sku not in bought][:K]
        hits += bool(truth & set(chosen))
    return hits / max(1, len(held)), len(held)


def served(data_dir: Path, count: int) -> None:
    """Time one refresh and ``for_you`` per shopper on a seeded shop."""
    os.environ["LASTMILE_DATA_DIR"] = str(data_dir)
    import clock
    from recs import service
    from server.settings import load_settings
    from server.stores import open_database

    database = open_database(load_settings())
    started = time.perf_counter()
    info = service.refresh(database, clock.now())
    refresh_s = time.perf_counter() - started
    times, bases = [], {"history": 0, "popular": 0}
    for user_id in range(1, count + 1):
        started = time.perf_counter()
        with database.snapshot() as db:
            answer = service.for_you(db, user_id, clock.now(), 8)
        times.append((time.perf_counter() - started) * 1000)
        bases[answer.basis] += 1
    database.close()
    times.sort()
    print(f"served path on {data_dir}: refresh {refresh_s:.2f} s ({info.shoppers} shoppers, {info.items} items);"
          f" for_you over {len(times)} shoppers p50 {statistics.median(times):.1f} ms,"
          f" p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, max {times[-1]:.1f} ms;"
          f" basis history {bases['history']}, popular {bases['popular']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shoppers", type=int, default=2000)
    parser.add_argument("--products", type=int, default=72)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="a seeded shop: also time refresh and for_you on it")
    args = parser.parse_args()
    now = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    products = demo_products(args.products, args.seed)
    shoppers = plan_shoppers(args.shoppers, products, now, seed=args.seed)
    training, held, consenting = split(shoppers, now)
    started = time.perf_counter()
    near = similarity.neighbours(training)
    orders_only = similarity.neighbours({n: [e for e in ev if e.kind == "order"] for n, ev in training.items()})
    popular = [sku for sku, _ in similarity.popularity(training, now.timestamp())]
    learnt = time.perf_counter() - started
    print(f"{args.shoppers} demo shoppers, {len(products)} products, {len(held)} with a held-out last order "
          f"({sum(n in consenting for n in held)} agreed to analytics); model learnt in {learnt:.2f} s")
    print(f"{'list':<52} {'shoppers':>8} {'hit-rate@10':>12}")
    rows = [
        ("popularity (baseline)", held, near, lambda n: False),
        ("for you, as served (history only with consent)", held, near, lambda n: n in consenting),
        ("for you, orders-only neighbours, as served", held, orders_only, lambda n: n in consenting),
    ]
    subset = {n: v for n, v in held.items() if n in consenting}
    rows += [
        ("popularity, shoppers who agreed to analytics", subset, near, lambda n: False),
        ("for you, shoppers who agreed to analytics", subset, near, lambda n: True),
    ]
    for name, group, model, personal in rows:
        rate, count = evaluate(group, model, popular, consenting, personal_for=personal)
        print(f"{name:<52} {count:>8} {rate:>12.1%}")
    if args.data_dir:
        served(args.data_dir, args.shoppers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
