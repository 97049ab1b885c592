"""The PWA sync client in Debian's Chromium: bytes on the wire, full-pull apply time, local mutation latency.

    .venv/bin/python bench/sync_client.py [--keys 1000] [--runs 7] [--mutations 50]

One uvicorn server on 127.0.0.1 (in a thread), one shopper whose view holds --keys `prefs/*` rows (pushed
over the API first), one headless Chromium page. Prints medians of: a full pull (cookie reset) applied to
IndexedDB and rebased; one local mutation (IndexedDB transaction + rebase + re-render) made offline; a pure
rebase of the whole view with 100 pending mutations. Bounded: --runs pulls and --mutations mutations.
"""

from __future__ import annotations

import argparse
import gzip
import logging
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import brotli
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog import store as catalog_store  # noqa: E402
from clock import now_iso  # noqa: E402
from server.app import create_app  # noqa: E402
from server.settings import Settings  # noqa: E402
from server.stores import open_database  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.live_server import free_port  # noqa: E402

PASSWORD = "bench password 123"
SKU = "BENCH-001"


def serve(settings: Settings):
    """The app in a uvicorn thread on 127.0.0.1; returns (url, server)."""
    import uvicorn

    database = open_database(settings)
    with database.write() as db:
        row = {"id": SKU, "name": "Bench item", "description": "x", "price": 500, "currency": "EUR", "category": "misc", "stock": 10_000}
        catalog_store.upsert_product(db, row, [], now_iso())
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, database), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def seed_view(url: str, email: str, keys: int) -> None:
    """Give the shopper a view of ``keys`` rows (prefs.set, 100 per push)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        token = http.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).json()["token"]
        client_id = f"bench-{uuid.uuid4()}"
        headers = {"authorization": f"Bearer {token}"}
        for start in range(0, keys, 100):
            mutations = [
                {"id": i + 1, "name": "prefs.set", "args": {"name": f"p{i:05d}", "value": {"n": i, "label": f"value {i}"}}, "at": 0}
                for i in range(start, min(keys, start + 100))
            ]
            response = http.post("/api/sync/push", json={"clientId": client_id, "mutations": mutations}, headers=headers)
            response.raise_for_status()


def sizes() -> list[tuple[str, int, int, int]]:
    out = []
    for name in ("rebase.js", "sync-client.js", "sync-store.js", "cart-ui.js", "dom.js", "money.js"):
        data = (ROOT / "pwa" / name).read_bytes()
        out.append((name, len(data), len(gzip.compress(data, 9)), len(brotli.compress(data, quality=11))))
    return out


FULL_PULL = """async () => {
  const c = window.lastmileSync;
  await c.store.run(["meta"], "readwrite", async ({ meta }) => { meta.delete("cookie"); });
  const t0 = performance.now();
  await c.pull();
  return [performance.now() - t0, c.view.size];
}"""

MUTATE = """async (n) => {
  const c = window.lastmileSync, times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await c.mutate("cart.add", { sku: "BENCH-001", qty: 1 });
    times.push(performance.now() - t0);
  }
  return times;
}"""

REBASE = """() => {
  const c = window.lastmileSync, pending = [];
  for (let i = 1; i <= 100; i++) pending.push({ id: i, name: i % 2 ? "cart.add" : "prefs.set", args: { sku: "S" + (i % 7), qty: 1, name: "p" + i, value: i }, at: i });
  const times = [];
  for (let r = 0; r < 20; r++) {
    const t0 = performance.now();
    c.constructor.rebase(c.serverView, pending);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[10];
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--mutations", type=int, default=50)
    args = parser.parse_args()
    if not (1 <= args.keys <= 10_000 and 1 <= args.runs <= 50 and 1 <= args.mutations <= 500):
        parser.error("keys 1..10000, runs 1..50, mutations 1..500")

    from playwright.sync_api import sync_playwright

    logging.getLogger("httpx").setLevel(logging.WARNING)

    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="lastmile-bench-")) / "var", scrypt_n=2**10)
    url, server = serve(settings)
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    seed_view(url, email, args.keys)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context()
            page = context.new_page()
            page.goto(f"{url}/signin")
            page.wait_for_function("document.documentElement.dataset.sync === 'ready'")
            page.fill("#lm-signin-form input[name=email]", email)
            page.fill("#lm-signin-form input[name=password]", PASSWORD)
            page.click("#lm-signin-form button[value=login]")
            page.wait_for_selector("#lm-signed-in")
            page.wait_for_function(f"window.lastmileSync.view.size >= {args.keys}")
            pulls = [page.evaluate(FULL_PULL) for _ in range(args.runs)]
            assert all(size >= args.keys for _, size in pulls)
            rebase_ms = page.evaluate(REBASE)
            context.set_offline(True)  # local cost only: nothing is pushed
            mutate_ms = page.evaluate(MUTATE, args.mutations)
            browser.close()
    finally:
        server.should_exit = True

    print(f"sync client in {CHROMIUM} (headless), view of {args.keys} keys")
    for name, raw, gz, br in sizes():
        print(f"  {name:16s} {raw:7d} B raw  {gz:6d} B gzip-9  {br:6d} B brotli-11")
    print(f"  full pull applied + rebased: median {statistics.median(t for t, _ in pulls):7.1f} ms over {args.runs} runs")
    print(f"  rebase of the view + 100 pending: median {rebase_ms:7.2f} ms")
    print(
        f"  local mutation (IndexedDB tx + rebase + render), offline: median {statistics.median(mutate_ms):6.2f} ms, "
        f"p90 {sorted(mutate_ms)[int(len(mutate_ms) * 0.9) - 1]:6.2f} ms over {args.mutations}"
    )


if __name__ == "__main__":
    main()
