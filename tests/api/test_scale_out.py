"""Two server processes (`lastmile serve`, uvicorn) on one PostgreSQL database: what one writer gave for free holds.

A poke crosses from one server to the other's stream; six concurrent checkouts of a product with stock 3
give exactly three orders; one Idempotency-Key raced over both servers gives one order; the same push sent
to both at once applies once; two delivery workers send each queued message once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from server.settings import Settings
from server.stores import open_database
from tests.utils import ADMIN_TOKEN, TEST_SCRYPT_N, add_product, read_stream_until
from tests.pg_cluster import free_port

PASSWORD = "correct horse battery"
ROOT = Path(__file__).resolve().parents[2]


class Servers:
    """Two `lastmile serve` processes sharing one data dir and one PostgreSQL database."""

    def __init__(self, url: str, data_dir: Path):
        self.settings = Settings(data_dir=data_dir, admin_token=ADMIN_TOKEN, scrypt_n=TEST_SCRYPT_N, database_url=url)
        self.database = open_database(self.settings)  # migrates, and installs the shared data keys
        env = {
            **os.environ,
            "LASTMILE_DATA_DIR": str(data_dir),
            "LASTMILE_DATABASE_URL": url,
            "LASTMILE_ADMIN_TOKEN": ADMIN_TOKEN,
            "LASTMILE_SCRYPT_N": str(TEST_SCRYPT_N),
            "LASTMILE_SYNC_HEARTBEAT_SECONDS": "30",  # a poke must come from NOTIFY, not from a heartbeat's re-read
            "LASTMILE_DB_POOL_SIZE": "8",
        }
        self.urls: list[str] = []
        self._processes: list[subprocess.Popen] = []
        for _ in range(2):
            port = free_port()
            self._processes.append(subprocess.Popen(
                [sys.executable, "-m", "server.cli.main", "serve", "--port", str(port)],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            ))
            self.urls.append(f"http://127.0.0.1:{port}")
        for url, process in zip(self.urls, self._processes):
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {process.stderr.read().decode(errors='replace')[-2000:]}")
                time.sleep(0.1)

    def close(self) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.database.close()


@pytest.fixture(scope="module")
def servers(pg_cluster, tmp_path_factory) -> Iterator[Servers]:
    name = f"scale_out_{os.getpid()}"
    pg_cluster.execute(f"CREATE DATABASE {name}")
    running = Servers(pg_cluster.url(name), tmp_path_factory.mktemp("scale-out") / "var")
    yield running
    running.close()
    pg_cluster.execute(f"DROP DATABASE {name} WITH (FORCE)")


def shopper(url: str, email: str | None = None, signup: bool = True) -> dict[str, str]:
    email = email or f"{uuid.uuid4().hex[:12]}@example.com"
    path = "/api/auth/signup" if signup else "/api/auth/login"
    response = httpx.post(url + path, json={"email": email, "password": PASSWORD, "deviceName": "d"}, timeout=30)
    assert response.status_code in (200, 201), response.text
    return {"Authorization": "Bearer " + response.json()["token"], "X-Email": email}


def push(url: str, headers: dict[str, str], client_id: str, mutations: list[dict]) -> httpx.Response:
    body = {"clientId": client_id, "schemaVersion": 1, "mutations": mutations}
    return httpx.post(url + "/api/sync/push", headers=headers, json=body, timeout=30)


def add_to_cart(url: str, headers: dict[str, str], sku: str, qty: int = 1) -> None:
    response = push(url, headers, str(uuid.uuid4()), [{"id": 1, "name": "cart.add", "args": {"sku": sku, "qty": qty}, "at": 1}])
    assert (200, []) == (response.status_code, response.json()["errors"]), response.text


def checkout(url: str, headers: dict[str, str], key: str) -> httpx.Response:
    return httpx.post(url + "/api/orders", headers={**headers, "Idempotency-Key": key}, json={}, timeout=30)


def at_once(calls: list) -> list:
    """Run the calls in threads released together, so they reach the servers at the same moment."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_a_poke_crosses_from_one_server_to_the_others_stream(servers):
    a, b = servers.urls
    add_product(servers.database, "POKE-1", stock=10)
    phone = shopper(a)
    laptop = shopper(b, phone["X-Email"], signup=False)
    with httpx.stream("GET", b + "/api/sync/poke", headers=laptop, timeout=20) as stream:
        lines = stream.iter_lines()
        assert any(line.startswith("event: ready") for line in read_stream_until(lines, "event: ready", limit=20))
        add_to_cart(a, phone, "POKE-1")  # written through server A
        assert read_stream_until(lines, "event: poke", limit=20)[-1].startswith("event: poke")  # heard on server B's stream


def test_six_concurrent_checkouts_of_three_in_stock_give_three_orders(servers):
    add_product(servers.database, "LAST-3", stock=3, price=500)
    shoppers = [shopper(servers.urls[i % 2]) for i in range(6)]
    for i, headers in enumerate(shoppers):
        add_to_cart(servers.urls[i % 2], headers, "LAST-3")
    answers = at_once([
        (lambda i=i, h=h: checkout(servers.urls[i % 2], h, f"key-{i}")) for i, h in enumerate(shoppers)
    ])
    assert [201] * 3 + [409] * 3 == sorted(r.status_code for r in answers), [r.text for r in answers]
    with servers.database.snapshot() as db:
        assert 0 == db.execute("SELECT stock FROM products WHERE id = ?", ["LAST-3"]).fetchone()[0]
        assert 3 == db.execute("SELECT count(*) FROM order_lines WHERE sku = ?", ["LAST-3"]).fetchone()[0]


def test_one_idempotency_key_raced_over_both_servers_gives_one_order(servers):
    add_product(servers.database, "RACE-1", stock=50)
    headers = shopper(servers.urls[0])
    add_to_cart(servers.urls[0], headers, "RACE-1", 2)
    key = str(uuid.uuid4())
    answers = at_once([(lambda url=url: checkout(url, headers, key)) for url in servers.urls * 2])
    assert [201] * 4 == [r.status_code for r in answers], [r.text for r in answers]
    assert 1 == len({r.json()["id"] for r in answers})
    orders = httpx.get(servers.urls[1] + "/api/orders", headers=headers, timeout=30).json()["items"]
    assert 1 == len(orders)


def test_the_same_push_sent_to_both_servers_at_once_applies_once(servers):
    add_product(servers.database, "DUP-1", stock=50)
    headers = shopper(servers.urls[0])
    client_id = str(uuid.uuid4())
    mutations = [{"id": n, "name": "cart.add", "args": {"sku": "DUP-1", "qty": 1}, "at": n} for n in range(1, 6)]
    answers = at_once([(lambda url=url: push(url, headers, client_id, mutations)) for url in servers.urls * 2])
    assert [200] * 4 == [r.status_code for r in answers], [r.text for r in answers]
    assert {5} == {r.json()["lastMutationId"] for r in answers}
    pulled = httpx.post(servers.urls[1] + "/api/sync/pull", headers=headers,
                        json={"clientId": client_id, "cookie": None}, timeout=30).json()
    cart = {op["key"]: op["value"] for op in pulled["patch"] if op["op"] == "put" and op["key"].startswith("cart/")}
    assert 5 == cart["cart/DUP-1"]["qty"]  # five adds of one, applied once each
    assert 5 == pulled["lastMutationId"]


def test_two_delivery_workers_send_each_message_once(servers, vapid, double):
    from datetime import datetime, timezone

    from accounts import store as accounts_store
    from retention import push_store
    from retention.config import RetentionConfig
    from retention.delivery import PushSender, deliver_due
    from retention.planner import enqueue_message
    from server.postgres import PostgresDatabase

    now = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
    config = RetentionConfig(test_origins=(double.origin,), quiet_hours=(0, 0), cap_per_day=100, cap_per_week=100)
    subscriptions = []
    for n in range(30):
        sub = double.new_subscription()
        with servers.database.write() as db:
            user_id = accounts_store.create_user(db, f"push{n}-{uuid.uuid4().hex[:6]}@example.com", "not-a-hash", 0)
            keys = sub["keys"]
            push_store.add_subscription(db, user_id, None, sub["endpoint"], keys["p256dh"], keys["auth"], "2026-01-01T00:00:00Z")
            enqueue_message(db, user_id=user_id, trigger="test", dedupe="once", context={}, campaign=None, now=now,
                            config=config)
        subscriptions.append(sub)
    # Two workers as two processes would be: each its own pool (its own PostgreSQL sessions) and sender.
    workers = [PostgresDatabase(servers.settings.database_url, max_size=2) for _ in range(2)]
    senders = [PushSender(vapid, config, clock=lambda: now) for _ in workers]
    reports = at_once([
        (lambda d=d, s=s: deliver_due(d, s, batch=1)) for d, s in zip(workers, senders)
    ])
    for d, s in zip(workers, senders):
        s.close()
        d.close()
    assert 30 == sum(r.accepted for r in reports)
    assert all(r.accepted > 0 for r in reports), [r.accepted for r in reports]  # both really worked
    assert [1] * 30 == [len(double.for_subscription(sub)) for sub in subscriptions]
