"""Sync throughput and pull latency over real HTTP: one uvicorn process on 127.0.0.1, several clients.

    .venv/bin/python bench/sync.py [--clients 8] [--pushes 60] [--pulls 50] [--workers 1] [--postgres]

Prints mutations applied per second (20 mutations per push, each client a shopper of its own,
pushing concurrently over keep-alive connections) and the time of a full pull of a 1,000-key view.
Bounded: clients × pushes requests, then the pulls; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog import store as catalog_store  # noqa: E402
from clock import now_iso  # noqa: E402
from server.settings import load_settings  # noqa: E402
from server.stores import open_database  # noqa: E402
from bench.pg import postgres_url  # noqa: E402
from bench.server_process import free_port  # noqa: E402

PER_PUSH = 20
SKUS = [f"BENCH-{i:03d}" for i in range(50)]
PASSWORD = "bench password 123"


def seed(env: dict[str, str]) -> None:
    database = open_database(load_settings({**os.environ, **env}))
    with database.write() as db:
        for sku in SKUS:
            row = {"id": sku, "name": sku, "description": "", "price": 100, "currency": "EUR", "category": "bench", "stock": 10_000}
            catalog_store.upsert_product(db, row, [], now_iso())
    database.close()


def start_server(env: dict[str, str], port: int, workers: int = 1) -> subprocess.Popen:
    cmd = [
        sys.executable, "-m", "uvicorn", "server.app:app_from_env", "--factory", "--workers", str(workers),
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
        "--http", "httptools", "--loop", "uvloop",
    ]
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("bench: the server did not start")


def sign_up(base: str, email: str) -> dict[str, str]:
    r = httpx.post(base + "/api/auth/signup", json={"email": email, "password": PASSWORD, "deviceName": "bench"}, timeout=30)
    r.raise_for_status()
    return {"Authorization": "Bearer " + r.json()["token"]}


def batches(client_id: str, pushes: int, offset: int):
    next_id = 1
    for p in range(pushes):
        mutations = []
        for i in range(PER_PUSH):
            k = p * PER_PUSH + i
            if k % 4 == 3:
                m = {"name": "prefs.set", "args": {"name": f"p{k % 7}", "value": k}}
            else:
                m = {"name": "cart.add", "args": {"sku": SKUS[(k + offset) % len(SKUS)], "qty": 1}}
            mutations.append({"id": next_id, "at": 1_700_000_000_000 + k, **m})
            next_id += 1
        yield {"clientId": client_id, "mutations": mutations}


def run_client(base: str, headers: dict[str, str], pushes: int, offset: int, barrier: threading.Barrier, out: list) -> None:
    client_id = str(uuid.uuid4())
    bodies = list(batches(client_id, pushes, offset))
    applied = 0
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        barrier.wait()
        for body in bodies:
            r = http.post("/api/sync/push", json=body)
            r.raise_for_status()
            applied = r.json()["lastMutationId"]
    out.append(applied)


def bench_pushes(base: str, clients: int, pushes: int) -> tuple[int, float]:
    sessions = [sign_up(base, f"bench{i}@example.com") for i in range(clients)]
    barrier = threading.Barrier(clients + 1)
    out: list[int] = []
    threads = [
        threading.Thread(target=run_client, args=(base, h, pushes, i, barrier, out)) for i, h in enumerate(sessions)
    ]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    assert len(out) == clients and all(a == pushes * PER_PUSH for a in out), out
    return sum(out), elapsed


def bench_pull(base: str, pulls: int) -> tuple[list[float], int, int]:
    headers = sign_up(base, "bigview@example.com")
    client_id = str(uuid.uuid4())
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        next_id = 1
        for _ in range(1000 // PER_PUSH):
            mutations = []
            for _ in range(PER_PUSH):
                mutations.append({"id": next_id, "name": "prefs.set", "args": {"name": f"setting-{next_id:04d}", "value": {"on": True, "n": next_id}}, "at": 1})
                next_id += 1
            http.post("/api/sync/push", json={"clientId": client_id, "mutations": mutations}).raise_for_status()
        times = []
        for _ in range(pulls):
            start = time.perf_counter()
            r = http.post("/api/sync/pull", json={"clientId": client_id, "cookie": None})
            body = r.json()
            times.append((time.perf_counter() - start) * 1000)
        keys = sum(1 for op in body["patch"] if op["op"] == "put")
        wire = {}
        for accept in ("application/json", "application/msgpack"):
            for coding in ("identity", "br"):
                r = http.post(
                    "/api/sync/pull",
                    json={"clientId": client_id, "cookie": None},
                    headers={"Accept": accept, "Accept-Encoding": coding},
                )
                wire[f"{accept.split('/')[1]}+{coding}"] = int(r.headers.get("content-length") or len(r.content))
    return times, keys, wire


def bench_in_process(tmp: str, pushes: int) -> tuple[float, list[float]]:
    """The engine alone (no HTTP): mutations/s of one client, and full pulls of a 1,000-key view in ms."""
    import msgspec

    from accounts import store as accounts_store
    from server.wiring import install
    from sync import engine
    from sync.limits import SyncLimits
    from sync.models import PullRequest, PushRequest

    env = {"LASTMILE_DATA_DIR": tmp}
    seed(env)
    database = open_database(load_settings({**os.environ, **env}))
    mutators = install().mutators
    with database.write() as db:
        user_id = accounts_store.create_user(db, f"engine-{uuid.uuid4().hex[:8]}@example.com", "-", 0)
    bodies = [msgspec.json.encode(b) for b in batches(str(uuid.uuid4()), pushes, 0)]
    start = time.perf_counter()
    for body in bodies:
        engine.push(database, user_id, engine.decode(body, PushRequest), SyncLimits(), mutators)
    rate = pushes * PER_PUSH / (time.perf_counter() - start)
    client_id = str(uuid.uuid4())
    mutations = [
        {"id": i, "name": "prefs.set", "args": {"name": f"setting-{i:04d}", "value": {"on": True, "n": i}}, "at": 1}
        for i in range(1, 1001)
    ]
    for k in range(0, 1000, 100):
        body = msgspec.json.encode({"clientId": client_id, "mutations": mutations[k : k + 100]})
        engine.push(database, user_id, engine.decode(body, PushRequest), SyncLimits(), mutators)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        msgspec.json.encode(engine.pull(database, user_id, PullRequest(client_id=client_id)))
        times.append((time.perf_counter() - start) * 1000)
    database.close()
    return rate, sorted(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--pushes", type=int, default=60, help="pushes per client (20 mutations each)")
    parser.add_argument("--pulls", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL cluster (Debian's binaries)")
    args = parser.parse_args()
    with postgres_url(args.postgres):
        return run(args)


def run(args: argparse.Namespace) -> int:
    if not (1 <= args.clients <= 64 and 1 <= args.pushes <= 1000 and 1 <= args.pulls <= 1000):
        raise SystemExit("bench: keep it bounded (clients ≤ 64, pushes ≤ 1000, pulls ≤ 1000)")
    with tempfile.TemporaryDirectory() as tmp:
        # Signup cost is not what is measured here: a low scrypt cost keeps set-up short.
        env = {"LASTMILE_DATA_DIR": tmp, "LASTMILE_SCRYPT_N": str(2**12), "LASTMILE_ADMIN_TOKEN": "bench-admin-token-0123456789"}
        seed(env)
        port = free_port()
        server = start_server(env, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        try:
            applied, elapsed = bench_pushes(base, args.clients, args.pushes)
            times, keys, wire = bench_pull(base, args.pulls)
        finally:
            server.terminate()
            server.wait(timeout=10)
    with tempfile.TemporaryDirectory() as tmp:
        engine_rate, engine_pulls = bench_in_process(tmp, args.pushes * 4)
    store = "PostgreSQL" if args.postgres else "SQLite"
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end; {store}, {args.workers} worker(s)")
    print(f"push: {applied} mutations in {applied // PER_PUSH} pushes by {args.clients} clients in {elapsed:.2f} s"
          f" -> {applied / elapsed:,.0f} mutations/s ({applied / PER_PUSH / elapsed:,.0f} pushes/s)")
    times.sort()
    sizes = ", ".join(f"{k} {v:,} B" for k, v in wire.items())
    print(f"pull of a {keys}-key view: median {statistics.median(times):.1f} ms,"
          f" p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, min {times[0]:.1f} ms over {len(times)} pulls (brotli)")
    print(f"pull body sizes: {sizes}")
    print(f"engine alone (no HTTP, one client): {engine_rate:,.0f} mutations/s;"
          f" pull + JSON encode of 1,000 keys: median {statistics.median(engine_pulls):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
