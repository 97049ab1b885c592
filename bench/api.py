"""GET /api/products/{id} against a bare fixed-bytes endpoint in the same server process, same load client.

    .venv/bin/python -m bench.api                       # uvicorn (httptools + uvloop), 1 worker
    .venv/bin/python -m bench.api --runtime all         # every runtime x worker count, one table
    .venv/bin/python -m bench.api --runtime granian --workers 2 --rounds 5

It seeds a demo catalog into a fresh temp data dir, starts the bench app (the production app plus
`/bench/fixed`, see bench/fixed_app.py) on 127.0.0.1, then drives both endpoints with Debian's `wrk`
(one thread, C, so the client takes little of the 2 cores) at 50 connections, alternating the two
endpoints in each round so that background noise hits both alike. With several runtimes or worker
counts, every server is started at once and each round visits them all in turn, for the same reason. It prints the median req/s and
latency of each and the ratio product/fixed. Targets (issue 12): ratio >= 0.9 and product p99 <= 2x fixed's.
Traffic goes to 127.0.0.1 only and every run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pg import postgres_url  # noqa: E402
from bench.server_process import free_port, stop, wait_ready  # noqa: E402

FIXED_PATH = "/bench/fixed"
RUNTIMES = ("uvicorn", "uvicorn-h11", "granian")
TARGET_RATIO = 0.9  # issue 12: product GET >= 0.9 of the bare endpoint ...
TARGET_P99_FACTOR = 2.0  # ... with its p99 at most twice the bare endpoint's (quiet machine, SQLite)

# wrk script: rotate through the given paths; print one machine-readable line when done.
LUA = """
local paths = {%(paths)s}
local i = 0
%(headers)s
%(delay)s
request = function()
  i = i + 1
  if i > #paths then i = 1 end
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p90_us":%%d,"p99_us":%%d,"max_us":%%d,' ..
    '"connect":%%d,"read":%%d,"write":%%d,"status":%%d,"timeout":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class Run:
    """One wrk run's figures."""

    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int


def need_wrk() -> str:
    """Path of wrk, or exit with how to get it (`make bench` installs it with apt-get)."""
    path = shutil.which("wrk")
    if path is None:
        sys.exit("bench/api.py needs Debian's wrk HTTP load generator: `apt-get install wrk` (or run `make bench`)")
    return path


def seed(data_dir: Path, count: int) -> None:
    """A fresh database with the demo catalog (migrated here, so workers never race on the schema)."""
    env = {**os.environ, "LASTMILE_DATA_DIR": str(data_dir)}
    lastmile = Path(sys.executable).parent / "lastmile"
    subprocess.run([str(lastmile), "seed-demo", "--count", str(count), "--quiet"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def server_command(runtime: str, workers: int, port: int) -> list[str]:
    """The command line that serves bench/fixed_app.py with this runtime."""
    target = "bench.fixed_app:bench_app"
    common = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if runtime == "granian":
        granian = str(Path(sys.executable).parent / "granian")
        return [granian, "--interface", "asgi", "--factory", "--no-ws", "--loop", "uvloop",
                "--log-level", "warning", *common, target]
    http, loop = ("h11", "asyncio") if runtime == "uvicorn-h11" else ("httptools", "uvloop")
    return [sys.executable, "-m", "uvicorn", "--factory", target, *common, "--http", http, "--loop", loop,
            "--no-access-log", "--log-level", "warning"]


def product_paths(base: str) -> list[str]:
    """Every product's detail path (the catalog is small: one page of 100)."""
    with urllib.request.urlopen(base + "/api/products?limit=100", timeout=5) as r:
        items = json.load(r)["items"]
    return ["/api/products/" + urllib.parse.quote(item["id"], safe="") for item in items]


def wrk(wrk_path: str, base: str, paths: list[str], *, connections: int, seconds: float, encoding: str | None,
        workdir: Path, rate: int = 0) -> Run:
    """One bounded wrk run over ``paths`` (one client thread); ``rate`` > 0 paces it to about that many req/s."""
    headers = f'wrk.headers["Accept-Encoding"] = "{encoding}"' if encoding else ""
    # Pacing: each connection waits connections/rate seconds between requests (a think time, so the
    # offered load is about `rate` while the server keeps up).
    delay = f"delay = function() return {max(1, round(connections * 1000 / rate))} end" if rate else ""
    script = workdir / "bench.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths), "headers": headers, "delay": delay})
    out = subprocess.run(
        [wrk_path, "-t1", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "5s", "-s", str(script), base],
        check=True, capture_output=True, text=True, timeout=seconds + 30,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON "):])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Run(
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
    )


def median_run(runs: list[Run]) -> Run:
    """Median of each figure across rounds (errors are summed)."""
    return Run(
        rps=statistics.median(r.rps for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p90_ms=statistics.median(r.p90_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        errors=sum(r.errors for r in runs),
    )


@dataclass
class Server:
    """One running bench server (a runtime with a worker count) and what was measured on it."""

    runtime: str
    workers: int
    proc: subprocess.Popen
    base: str
    paths: list[str] = field(default_factory=list)
    results: dict[str, list[Run]] = field(default_factory=lambda: {"product": [], "fixed": []})
    paced: dict[str, Run] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.runtime} w={self.workers}"

    def ratio(self) -> float:
        """Median of the per-round ratios: each round's two runs sit side by side in time."""
        return statistics.median(p.rps / f.rps for p, f in zip(self.results["product"], self.results["fixed"]))


def start_server(data_dir: Path, runtime: str, workers: int) -> Server:
    """Start one bench server on a free port of 127.0.0.1 (not yet ready)."""
    port = free_port()
    env = {**os.environ, "LASTMILE_DATA_DIR": str(data_dir), "LASTMILE_ADMIN_TOKEN": secrets.token_urlsafe(24)}
    proc = subprocess.Popen(server_command(runtime, workers, port), cwd=ROOT, env=env, start_new_session=True)
    return Server(runtime, workers, proc, f"http://127.0.0.1:{port}")


def bench_servers(args: argparse.Namespace, wrk_path: str, data_dir: Path, servers: list[Server]) -> None:
    """Warm every server up, then in each round drive every server's two endpoints in turn.

    All servers stay up (idle ones cost nothing) so that the runtimes, too, are compared side by side in
    time: on a shared machine, background load changes more between minutes than between seconds.
    """
    kw = dict(connections=args.connections, encoding=args.encoding, workdir=data_dir)
    for server in servers:
        wait_ready(server.base, server.proc, "bench/api.py")
        server.paths = product_paths(server.base)
        for paths in (server.paths, [FIXED_PATH]):  # imports, thread pool, SQLite page cache, every worker
            wrk(wrk_path, server.base, paths, seconds=args.warmup, **kw)
    for round_no in range(args.rounds):
        shift = round_no % len(servers)
        for server in servers[shift:] + servers[:shift]:
            order = ["product", "fixed"] if round_no % 2 == 0 else ["fixed", "product"]
            for name in order:
                paths = server.paths if name == "product" else [FIXED_PATH]
                run = wrk(wrk_path, server.base, paths, seconds=args.duration, **kw)
                server.results[name].append(run)
                print(f"  {server.label} round {round_no + 1} {name:7s} {run.rps:8.0f} req/s "
                      f"p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:6.2f} ms  errors {run.errors}", flush=True)
    if args.rate:
        for server in servers:
            for name in ("product", "fixed"):
                paths = server.paths if name == "product" else [FIXED_PATH]
                server.paced[name] = run = wrk(wrk_path, server.base, paths, seconds=args.duration,
                                               rate=args.rate, **kw)
                print(f"  {server.label} paced ~{args.rate}/s {name:7s} {run.rps:8.0f} req/s "
                      f"p50 {run.p50_ms:6.2f} ms  p99 {run.p99_ms:6.2f} ms  errors {run.errors}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the matrix, print the table; exit 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtime", choices=(*RUNTIMES, "all"), default="uvicorn")
    parser.add_argument("--workers", type=int, nargs="+", default=None,
                        help="worker counts to try (default: 1; with --runtime all: 1 2)")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--duration", type=int, default=8, help="seconds per endpoint per round")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--products", type=int, default=12, help="demo catalog size")
    parser.add_argument("--rate", type=int, default=0,
                        help="also run each endpoint paced to about this many req/s (latency below saturation)")
    parser.add_argument("--encoding", default=None, help="Accept-Encoding to send (e.g. br); default none")
    parser.add_argument("--postgres", action="store_true", help="on a throwaway PostgreSQL cluster (Debian's binaries)")
    args = parser.parse_args(argv)
    with postgres_url(args.postgres):
        return run(parser, args)


def run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """The matrix of one invocation."""
    if not 1 <= args.duration <= 60 or not 1 <= args.rounds <= 15 or not 1 <= args.connections <= 1000:
        parser.error("keep it bounded: duration 1-60 s, rounds 1-15, connections 1-1000")
    wrk_path = need_wrk()
    runtimes = RUNTIMES if args.runtime == "all" else (args.runtime,)
    workers = args.workers or ([1, 2] if args.runtime == "all" else [1])

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; client: wrk -t1 "
          f"-c{args.connections}, {args.rounds} rounds x {args.duration:g} s per endpoint, medians; "
          f"{'PostgreSQL' if args.postgres else 'SQLite'}; "
          f"Accept-Encoding: {args.encoding or 'none'}", flush=True)
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-") as tmp:
        data_dir = Path(tmp) / "var"
        seed(data_dir, args.products)
        try:
            for runtime in runtimes:
                for w in workers:
                    servers.append(start_server(data_dir, runtime, w))
            bench_servers(args, wrk_path, data_dir, servers)
        finally:
            for server in servers:
                stop(server.proc)
    rows = [(s.runtime, s.workers, median_run(s.results["product"]), median_run(s.results["fixed"]), s.ratio())
            for s in servers]

    print()
    print("| runtime | workers | product req/s | product p50 / p99 ms | fixed req/s | fixed p50 / p99 ms | ratio (median of rounds) |")
    print("|---|---|---|---|---|---|---|")
    failed = 0
    for runtime, w, product, fixed, ratio in rows:
        failed += product.errors + fixed.errors
        print(f"| {runtime} | {w} | {product.rps:.0f} | {product.p50_ms:.2f} / {product.p99_ms:.2f} | "
              f"{fixed.rps:.0f} | {fixed.p50_ms:.2f} / {fixed.p99_ms:.2f} | {ratio:.2f} |")
    if args.rate:
        print(f"\nPaced at about {args.rate} req/s offered, {args.connections} connections (one run each):")
        print("| runtime | workers | product req/s | product p50 / p99 ms | fixed req/s | fixed p50 / p99 ms |")
        print("|---|---|---|---|---|---|")
        for server in servers:
            p, f = server.paced["product"], server.paced["fixed"]
            failed += p.errors + f.errors
            print(f"| {server.runtime} | {server.workers} | {p.rps:.0f} | {p.p50_ms:.2f} / {p.p99_ms:.2f} | "
                  f"{f.rps:.0f} | {f.p50_ms:.2f} / {f.p99_ms:.2f} |")
    for runtime, w, product, fixed, ratio in rows:
        bound = TARGET_P99_FACTOR * fixed.p99_ms
        print(f"{runtime} w={w}: ratio {ratio:.2f} (target >= {TARGET_RATIO}: "
              f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}), product p99 {product.p99_ms:.1f} ms "
              f"(target <= {TARGET_P99_FACTOR:g} x fixed's {fixed.p99_ms:.1f} = {bound:.1f} ms: "
              f"{'met' if product.p99_ms <= bound else 'MISSED'})")
    if failed:
        print(f"{failed} requests failed (non-2xx/3xx, timeouts or socket errors)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
