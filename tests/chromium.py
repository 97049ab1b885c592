"""Debian's Chromium for the browser tests and benches: its path and the flags it is launched with."""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# As root in a closed network: no sandbox, and nothing that phones home at start-up.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
