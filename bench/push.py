"""Push delivery throughput: notifications per second (and per CPU-second of the sender) to the local double.

The push double runs in a child process on 127.0.0.1 and does a real push service's work (VAPID JWT
check, aes128gcm decryption), so the figures are the sender's: claim from the outbox, encrypt, sign
fresh VAPID claims, POST over keep-alive connections from the thread pool, record the outcome.

    .venv/bin/python bench/push.py --count 2000 --concurrency 8
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accounts import store as accounts_store  # noqa: E402
from clock import iso  # noqa: E402
from retention import campaign_store, push_store  # noqa: E402
from retention import store as retention_store  # noqa: E402
from retention.config import RetentionConfig  # noqa: E402
from retention.delivery import PushSender, deliver_due  # noqa: E402
from retention.vapid_keys import application_server_key, load_vapid  # noqa: E402
from server.db import SqliteDatabase  # noqa: E402

MAX_COUNT = 20_000


def _double(public_key: str, count: int, subs_out, stop, counts_out) -> None:
    from tests.push_double import PushDouble

    with PushDouble(public_key, record_payloads=False) as double:
        subs_out.put((double.origin, [double.new_subscription() for _ in range(count)]))
        stop.wait(600)
        counts_out.put((sum(1 for r in double.received if r.status == 201), sum(1 for r in double.received if r.status != 201)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help=f"notifications to send (at most {MAX_COUNT})")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    count = max(1, min(args.count, MAX_COUNT))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        vapid = load_vapid(data)
        ctx = mp.get_context("spawn")
        subs_q, counts_q, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
        child = ctx.Process(target=_double, args=(application_server_key(vapid), count, subs_q, stop, counts_q), daemon=True)
        child.start()
        origin, subs = subs_q.get(timeout=120)
        database = SqliteDatabase(data / "bench.db")
        database.migrate([accounts_store, retention_store])
        now = datetime.now(timezone.utc)
        stamp = iso(now)
        payload = b'{"title":"Bench","body":"A notification of a typical size for the bench run.","url":"/offers","messageId":1}'
        with database.write() as db:
            for i, sub in enumerate(subs, start=1):
                accounts_store.create_user(db, f"bench{i}@example.com", "not-a-hash", 0)
                sid = push_store.add_subscription(db, i, None, sub["endpoint"], sub["keys"]["p256dh"], sub["keys"]["auth"], stamp)
                mid = campaign_store.add_message(db, {"user_id": i, "trigger": "test", "dedupe": "bench", "campaign_id": 0, "variant": "",
                                             "offer_id": None, "due_at": stamp, "created_at": stamp})
                push_store.enqueue(db, mid, sid, payload, topic="bench", urgency="normal", ttl=3600, not_before=stamp)
        config = RetentionConfig(test_origins=(origin,), concurrency=args.concurrency)
        sender = PushSender(vapid, config)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        report = deliver_due(database, sender, now=now, batch=256)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        sender.close()
        stop.set()
        accepted, refused = counts_q.get(timeout=60)
        child.join(10)
        database.close()
    print(f"notifications: {count}, concurrency: {args.concurrency}")
    print(f"sender accepted: {report.accepted}, double accepted: {accepted}, double refused: {refused}")
    print(f"wall: {wall:.2f} s -> {report.accepted / wall:.0f} notifications/s")
    print(f"sender CPU: {cpu:.2f} s -> {report.accepted / cpu:.0f} notifications per CPU-second (per core)")
    return 0 if report.accepted == count == accepted else 1


if __name__ == "__main__":
    raise SystemExit(main())
