"""`GET /metrics`: Prometheus text format, for a scraper on the allowlist or holding an operator/admin token."""

from __future__ import annotations

import ipaddress

from litestar import Request, Response, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from operators.roles import Permission
from retention import report_store as retention_reports
from server.http.metrics import REGISTRY
from server.http.roles import PERMISSION, role_guard


def _allowed_address(connection: ASGIConnection) -> bool:
    client = connection.scope.get("client")
    if not client:
        return False
    try:
        address = ipaddress.ip_address(client[0])
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in connection.app.state.settings.metrics_allow)


async def metrics_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """An address on LASTMILE_METRICS_ALLOW scrapes freely; anyone else needs a token with the dashboard right."""
    if not _allowed_address(connection):
        await role_guard(connection, handler)


def _database_gauges(database) -> bytes:
    """Figures every process shares, read from the database at scrape time: outbox depth and outcomes."""
    with database.snapshot() as db:
        states = retention_reports.deliveries_by_state(db)
    registry = CollectorRegistry(auto_describe=True)
    depth = Gauge("lastmile_push_outbox_depth", "Deliveries waiting in the outbox (pending or sending)",
                  registry=registry)
    depth.set(states.get("pending", 0) + states.get("sending", 0))
    outcomes = Gauge("lastmile_push_deliveries", "Outbox rows by state (accepted, gone, failed, ...)", ["state"],
                     registry=registry)
    for state, n in sorted(states.items()):
        outcomes.labels(state).set(n)
    return generate_latest(registry)


@get("/metrics", guards=[metrics_guard], opt={PERMISSION: Permission.DASHBOARD}, sync_to_thread=True,
     include_in_schema=False)
def metrics(request: Request) -> Response:
    """This process's request, latency, sync and poke metrics, then the database's delivery figures."""
    body = generate_latest(REGISTRY) + _database_gauges(request.app.state.database)
    return Response(content=body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
