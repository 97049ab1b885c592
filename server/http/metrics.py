"""Request metrics: a Prometheus registry for /metrics and the shared per-minute counts behind the dashboard.

The middleware notes each answered request twice: in this process's Prometheus counters and histogram
(scraped per process, or summed across workers with ``PROMETHEUS_MULTIPROC_DIR``), and in the insights
recorder, which a background task flushes into the database every few seconds so every process's traffic
reaches the dashboard and the alerts.
"""

from __future__ import annotations

import logging
import time

import anyio
from anyio import to_thread
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from insights.recorder import Recorder
from sync.poke import broker

FLUSH_SECONDS = 5.0
UNMATCHED = "unmatched"  # requests no route took (404s): one label, so strangers cannot grow the label set

REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("lastmile_http_requests", "HTTP requests answered, by route and status",
                   ["route", "status"], registry=REGISTRY)
LATENCY = Histogram("lastmile_http_request_duration_seconds", "Time to answer an HTTP request, by route",
                    ["route"], registry=REGISTRY,
                    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0))
SYNC_PUSHES = Counter("lastmile_sync_pushes", "Sync push requests applied", registry=REGISTRY)
SYNC_MUTATIONS = Counter("lastmile_sync_mutations", "Mutations received in sync pushes", registry=REGISTRY)
SYNC_ERRORS = Counter("lastmile_sync_mutation_errors", "Mutations rejected for good (errors/{id})", registry=REGISTRY)
POKES_OPEN = Gauge("lastmile_sync_pokes_open", "Open poke event streams in this process", registry=REGISTRY)

RECORDER = Recorder()
LOG = logging.getLogger("lastmile.metrics")


def watch_pokes() -> None:
    """Let POKES_OPEN read the poke broker's open streams (create_app calls it: nothing is set up on import)."""
    POKES_OPEN.set_function(broker.total)


def route_label(scope: Scope) -> str:
    """``GET /api/products/{product_id:str}``: the route's template, never the raw path."""
    template = scope.get("path_template")
    return f"{scope['method']} {template}" if template else UNMATCHED


def record_sync_push(mutations: int, errors: int) -> None:
    """A sync push went through: how many mutations it carried and how many were rejected for good."""
    SYNC_PUSHES.inc()
    SYNC_MUTATIONS.inc(mutations)
    SYNC_ERRORS.inc(errors)
    RECORDER.count("sync.pushes")
    RECORDER.count("sync.mutations", mutations)
    RECORDER.count("sync.errors", errors)


def measure_requests(app: ASGIApp) -> ASGIApp:
    """Middleware: count and time every HTTP request (event streams are counted as pokes open instead)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        streaming = False

        async def noting_send(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = message["status"]
                streaming = any(k == b"content-type" and v.startswith(b"text/event-stream")
                                for k, v in message.get("headers", ()))
            await send(message)

        try:
            await app(scope, receive, noting_send)
        finally:
            if not streaming:
                elapsed = time.perf_counter() - started
                route = route_label(scope)
                REQUESTS.labels(route, str(status)).inc()
                LATENCY.labels(route).observe(elapsed)
                RECORDER.request(route, status, elapsed * 1000)

    return middleware


async def flush_forever(database) -> None:
    """Flush the recorder into the database every FLUSH_SECONDS (off the event loop) until cancelled."""
    while True:
        await anyio.sleep(FLUSH_SECONDS)
        try:
            await to_thread.run_sync(RECORDER.flush, database)
        except Exception:  # a busy or failing database must not end the loop: the counts wait for next time
            LOG.warning("could not flush request counts; kept for the next try")
