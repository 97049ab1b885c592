"""Weak-network product page figures: cold and warm LCP and bytes over Slow 3G and Slow 4G, in real Chromium.

Starts its own server on 127.0.0.1 over a fresh demo catalog, then for each network preset and product:
  cold  a new browser context (empty HTTP cache, no service worker), one visit;
  warm  a context that visited the product once unthrottled (service worker installed, page saved), then
        a second visit with the preset applied to the page AND its service worker (bench/netem.py).
LCP is the last largest-contentful-paint entry (PerformanceObserver, buffered) after the load event settles.
"doc KB" is the first response alone (headers + compressed HTML, the 30 KB budget). Bytes ("KB") are
encodedDataLength over the network until the page is idle: its requests plus its service worker's fetches
(for a warm visit that is the background revalidation of the page, which the shopper does not wait for).
Prints the median over --runs repetitions per product, then the median across products.

    .venv/bin/python bench/weaknet.py --products 4 --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.netem import SLOW_3G, SLOW_4G, NetworkEmulator  # noqa: E402
from bench.server_process import free_port  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
# Headless Chromium says "Sec-CH-UA-Mobile: ?0" even with is_mobile; a real phone says ?1 (the page then
# inlines a 2x first image), so the bench sends what a phone sends.
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "extra_http_headers": {"Sec-CH-UA-Mobile": "?1"}}
TARGETS = {"Slow 3G": (3.0, 1.0)}
LCP = """() => new Promise((resolve) => {
  const entries = [];
  new PerformanceObserver((list) => entries.push(...list.getEntries())).observe({type: "largest-contentful-paint", buffered: true});
  setTimeout(() => {
    const last = entries.at(-1);
    resolve(last ? {ms: last.startTime, url: last.url.slice(0, 30), tag: last.element ? last.element.tagName : ""} : null);
  }, 300);
})"""
SETTLE_MS = 1500


def start_server(data_dir: Path, count: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "LASTMILE_DATA_DIR": str(data_dir)}
    cli = [sys.executable, "-m", "server.cli.main"]
    subprocess.run([*cli, "seed-demo", "--count", str(count), "--shoppers", "0", "--quiet"], env=env, check=True, timeout=900,
                   stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/health", timeout=1).read()
            return server, url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("server did not start")
            time.sleep(0.2)


def measure(page, net, url: str, settle_ms: float = SETTLE_MS) -> tuple[float, int, str]:
    """Navigate, let LCP settle, return (LCP seconds, bytes over the network, what the LCP element was)."""
    net.reset_bytes()
    page.goto(url, wait_until="load", timeout=60_000)
    page.wait_for_timeout(settle_ms)
    lcp = page.evaluate(LCP)
    document = page.evaluate("performance.getEntriesByType('navigation')[0].transferSize")
    net.wait_for_idle(page)  # lazy thumbnails and the like: every byte the visit costs is counted
    return lcp["ms"] / 1000, net.page_bytes + net.worker_bytes, f"{lcp['tag']} {lcp['url']}".strip(), document


def cold(browser, url, conditions):
    context = browser.new_context(service_workers="block", **PHONE)
    page = context.new_page()
    net = NetworkEmulator(browser, page)
    try:
        net.apply(conditions)
        return measure(page, net, url)
    finally:
        net.close()
        context.close()


def warm(browser, url, conditions):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    net = NetworkEmulator(browser, page)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
        page.wait_for_function(
            "(u) => caches.open('lm-pages-v1').then((c) => c.match(u, {ignoreVary: true})).then(Boolean)", arg=url,
            timeout=30_000,
        )
        page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'PING'})")
        net.apply(conditions)  # the page and the (running) service worker
        # long enough for the worker's background revalidation to finish, so its bytes are counted too
        return measure(page, net, url, settle_ms=SETTLE_MS + 2 * conditions.latency_ms + 1000)
    finally:
        net.close()
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--products", type=int, default=4, help="products measured (from the demo catalog)")
    parser.add_argument("--runs", type=int, default=3, help="repetitions per product and kind of visit")
    parser.add_argument("--catalog", type=int, default=24, help="demo catalog size")
    args = parser.parse_args()
    if not 1 <= args.products <= 20 or not 1 <= args.runs <= 10:
        parser.error("--products 1..20 and --runs 1..10 keep the bench bounded")

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="weaknet-") as tmp:
        server, base = start_server(Path(tmp) / "var", max(args.catalog, args.products))
        try:
            with urllib.request.urlopen(f"{base}/api/products?limit={args.products}") as answer:
                import json

                ids = [item["id"] for item in json.load(answer)["items"]]
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                print(f"chromium {browser.version}, {len(ids)} products x {args.runs} runs, phone viewport 390x844 @2x")
                print(f"{'network':8} {'product':9} {'cold LCP':>9} {'cold KB':>8} {'doc KB':>7} {'warm LCP':>9} {'warm KB':>8}"
                      "  LCP element (cold / warm)")
                summary = {}
                for conditions in (SLOW_3G, SLOW_4G):
                    rows = []
                    for product_id in ids:
                        url = f"{base}/p/{product_id}"
                        c = [cold(browser, url, conditions) for _ in range(args.runs)]
                        w = [warm(browser, url, conditions) for _ in range(args.runs)]
                        row = (statistics.median(x[0] for x in c), statistics.median(x[1] for x in c),
                               statistics.median(x[0] for x in w), statistics.median(x[1] for x in w))
                        rows.append(row)
                        doc = statistics.median(x[3] for x in c)
                        print(f"{conditions.name:8} {product_id:9} {row[0]:8.2f}s {row[1] / 1000:7.1f} {doc / 1000:6.1f} "
                              f"{row[2]:8.2f}s {row[3] / 1000:7.1f}  {c[-1][2]} / {w[-1][2]}")
                    summary[conditions.name] = [statistics.median(r[i] for r in rows) for i in range(4)]
                browser.close()
            print()
            print("median across products:")
            ok = True
            for name, (cold_lcp, cold_bytes, warm_lcp, warm_bytes) in summary.items():
                verdict = ""
                if name in TARGETS:
                    cold_target, warm_target = TARGETS[name]
                    met = cold_lcp <= cold_target and warm_lcp <= warm_target
                    ok &= met
                    verdict = f"  targets cold <= {cold_target}s, warm <= {warm_target}s: {'met' if met else 'MISSED'}"
                print(f"  {name}: cold LCP {cold_lcp:.2f}s ({cold_bytes / 1000:.1f} KB), "
                      f"warm LCP {warm_lcp:.2f}s ({warm_bytes / 1000:.1f} KB){verdict}")
            return 0 if ok else 1
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    raise SystemExit(main())
