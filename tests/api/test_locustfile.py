"""The load test cannot rot: a tiny bounded `make load` run (a handful of shoppers, a few seconds) must not fail."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from server.app import ROUTE_HANDLERS

ROOT = Path(__file__).resolve().parents[2]


def _route_modules() -> set[str]:
    """Modules of the app's route handlers, to know which shopper tasks the run must have exercised."""
    return {handler.__module__ for handler in ROUTE_HANDLERS}


def test_small_load_run_has_no_failures(tmp_path):
    out = tmp_path / "load"
    run = subprocess.run(
        [sys.executable, str(ROOT / "load_tests" / "run.py"), "--users", "4", "--spawn-rate", "4",
         "--duration", "6", "--products", "3", "--out", str(out), "--seed-cache", str(tmp_path / "seed")],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert 0 == run.returncode, run.stdout + run.stderr
    with open(out / "locust_stats.csv", newline="") as f:
        rows = {f"{r['Type']} {r['Name']}": r for r in csv.DictReader(f)}
    assert 0 == int(rows[" Aggregated"]["Failure Count"])
    assert "verify: 0 discrepancies" in run.stdout  # load_tests/run.py ends with `lastmile verify`
    expected = {"GET /api/products", "GET /api/products/{id}"}
    modules = _route_modules()
    if "server.api.accounts" in modules:
        expected.add("POST /api/auth/signup")
    if "server.api.sync" in modules:
        expected |= {"POST /api/sync/push", "POST /api/sync/pull"}
        assert "sync checks passed" in run.stdout
        assert ", 0 failed" in run.stdout.split("sync checks passed")[1].splitlines()[0]
    missing = expected - set(rows)
    assert set() == missing, run.stdout
    assert (out / "report.html").stat().st_size > 0
