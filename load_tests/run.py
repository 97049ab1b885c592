"""`make load`: a fresh server with the demo catalog on 127.0.0.1, Locust headless for a bounded time, a report.

    .venv/bin/python load_tests/run.py [--users 30] [--spawn-rate 10] [--duration 60] [--products 60]
                                       [--workers N] [--postgres]

Writes var/load/locust_*.csv, var/load/report.html and var/load/server.log; prints req/s, p50/p95/p99 and
the error rate per endpoint; exits 1 when any request failed (or the server logged an error), 0 otherwise.
The server runs with LASTMILE_SCRYPT_N=1024 so that the shoppers' sign-ups (one scrypt hash each, and one per
device login) do not dominate the figures, and with the per-address sign-up limit lifted, since every
simulated shopper comes from 127.0.0.1.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench.pg (the throwaway cluster) when run as a script

from bench.pg import postgres_url  # noqa: E402
from bench.server_process import free_port, stop, wait_ready  # noqa: E402

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"

# Server settings for a load run (documented in load_tests/README.md).
LOAD_ENV = {
    "LASTMILE_SCRYPT_N": "1024",  # the lowest cost the settings allow: sign-ups must not dominate
    "LASTMILE_LOGIN_MAX_ATTEMPTS_PER_ADDRESS": "1000000",  # every simulated shopper signs up from 127.0.0.1
}


def seed_key(count: int) -> str:
    """Names a seeded catalog by its size and the code that shapes it (demo, importer, media, every schema)."""
    digest = hashlib.sha256()
    sources = sorted([*ROOT.glob("catalog/*.py"), *ROOT.glob("media/*.py"), *ROOT.glob("*/store.py")])
    for path in sources:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return f"demo-{count}-{digest.hexdigest()[:12]}"


def fresh_data_dir(count: int, cache: Path, dest: Path, env: dict[str, str]) -> None:
    """A fresh copy of a seeded demo catalog in ``dest``: seeding (images and their variants) takes minutes,
    so the pristine seed is kept in ``cache`` and copied for each run; the run itself never touches it."""
    pristine = cache / seed_key(count)
    if not (pristine / "lastmile.db").exists():
        building = cache / (pristine.name + ".building")
        shutil.rmtree(building, ignore_errors=True)
        print(f"load: seeding {count} demo products (images and variants) once into {pristine}", flush=True)
        bin_dir = Path(sys.executable).parent
        subprocess.run([str(bin_dir / "lastmile"), "seed-demo", "--count", str(count), "--shoppers", "0", "--quiet"],
                       env={**env, "LASTMILE_DATA_DIR": str(building)}, check=True, stdout=subprocess.DEVNULL)
        (building / "admin-token").unlink(missing_ok=True)
        building.rename(pristine)
    shutil.copytree(pristine, dest)


def read_stats(prefix: Path) -> list[dict]:
    """Rows of Locust's per-endpoint CSV (the last one is the Aggregated total)."""
    with open(f"{prefix}_stats.csv", newline="") as f:
        return list(csv.DictReader(f))


def print_report(rows: list[dict], out=sys.stdout) -> tuple[int, int]:
    """A table per endpoint; returns (requests, failures) of the aggregate."""
    print(f"{'endpoint':52s} {'reqs':>6s} {'req/s':>7s} {'p50':>6s} {'p95':>6s} {'p99':>6s} {'errors':>7s}", file=out)
    total = (0, 0)
    for row in rows:
        count, failures = int(row["Request Count"]), int(row["Failure Count"])
        name = f"{row['Type']} {row['Name']}".strip() if row["Name"] != "Aggregated" else "all requests"
        rate = failures / count if count else 0.0
        print(f"{name[:52]:52s} {count:6d} {float(row['Requests/s']):7.1f} {row['50%']:>6s} {row['95%']:>6s} "
              f"{row['99%']:>6s} {rate:7.2%}", file=out)
        if row["Name"] == "Aggregated":
            total = (count, failures)
    print("(latencies in ms)", file=out)
    return total


def run(users: int, spawn_rate: float, duration: int, products: int, out_dir: Path, workers: int | None,
        seed_cache: Path, database_url: str | None = None) -> int:
    """Seed, serve, load, report; the process exit status."""
    out_dir.mkdir(parents=True, exist_ok=True)
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="lastmile-load-") as tmp:
        data_dir = Path(tmp) / "var"
        env = {**os.environ, **LOAD_ENV, "LASTMILE_DATA_DIR": str(data_dir),
               "LASTMILE_ADMIN_TOKEN": secrets.token_urlsafe(24)}
        env.pop("LASTMILE_DB_PATH", None)
        env.pop("LASTMILE_DATABASE_URL", None)  # the seed is a SQLite shop, copied to PostgreSQL when asked
        fresh_data_dir(products, seed_cache, data_dir, env)
        if database_url:
            subprocess.run([str(bin_dir / "lastmile"), "db", "copy", "--to", database_url, "--quiet"],
                           env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            env["LASTMILE_DATABASE_URL"] = database_url
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [str(bin_dir / "lastmile"), "serve", "--host", "127.0.0.1", "--port", str(port)]
        if workers:
            serve += ["--workers", str(workers)]
        log_path = out_dir / "server.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(serve, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
            try:
                wait_ready(base, server, "load")
                prefix = out_dir / "locust"
                print(f"load: {users} shoppers (spawn {spawn_rate}/s) for {duration} s against {base} "
                      f"(server with LASTMILE_SCRYPT_N={LOAD_ENV['LASTMILE_SCRYPT_N']})", flush=True)
                locust_log = out_dir / "locust.log"
                with open(locust_log, "wb") as llog:
                    locust = subprocess.run(
                        [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary",
                         "-u", str(users), "-r", str(spawn_rate), "-t", f"{duration}s", "--stop-timeout", "10",
                         "--host", base, "--csv", str(prefix), "--html", str(out_dir / "report.html"),
                         "--loglevel", "WARNING"],
                        cwd=ROOT, timeout=duration + 120, stdout=llog, stderr=subprocess.STDOUT,
                    )
                for line in locust_log.read_text(errors="replace").splitlines():
                    if "/WARNING/" in line or "/ERROR/" in line or "/CRITICAL/" in line:
                        print(line.split(": ", 1)[-1] if "lastmile.load" in line else line)
            finally:
                stop(server)
        # The invariants across rooms over what the load left behind (points = ledger, totals, views, outbox).
        verify = subprocess.run([str(bin_dir / "lastmile"), "verify"], env=env, cwd=ROOT, capture_output=True,
                                text=True, timeout=600)
    rows = read_stats(prefix)
    print()
    requests, failures = print_report(rows)
    server_errors = [line for line in log_path.read_text(errors="replace").splitlines()
                     if " ERROR " in line or line.startswith("Traceback")]
    print(f"\nload: {requests} requests, {failures} failed ({failures / max(requests, 1):.2%}); "
          f"reports in {out_dir}/ (report.html, locust_stats.csv, locust_failures.csv, locust.log, server.log)")
    if server_errors:
        print(f"load: the server logged {len(server_errors)} errors, first: {server_errors[0]}", file=sys.stderr)
    print(verify.stdout.rstrip() or verify.stderr.rstrip())
    if locust.returncode != 0 or failures or server_errors or not requests or verify.returncode != 0:
        print(f"load: FAILED (locust exit {locust.returncode}, {failures} failed requests, "
              f"{len(server_errors)} server errors, lastmile verify exit {verify.returncode})", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse bounded options and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--spawn-rate", type=float, default=10.0)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--products", type=int, default=60, help="demo catalog size")
    parser.add_argument("--workers", type=int, default=None, help="server workers (default: LASTMILE_WORKERS)")
    parser.add_argument("--postgres", action="store_true",
                        help="serve from a throwaway PostgreSQL cluster (the seeded shop copied into it by `lastmile db copy`)")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load")
    parser.add_argument("--seed-cache", type=Path, default=ROOT / "var" / "load-seed",
                        help="where pristine seeded catalogs are kept between runs")
    args = parser.parse_args(argv)
    if not (1 <= args.users <= 500 and 1 <= args.duration <= 600 and 1 <= args.products <= 1000):
        parser.error("keep it bounded: users 1-500, duration 1-600 s, products 1-1000")
    with postgres_url(args.postgres) as url:
        return run(args.users, args.spawn_rate, args.duration, args.products, args.out, args.workers, args.seed_cache, url)


if __name__ == "__main__":
    raise SystemExit(main())
