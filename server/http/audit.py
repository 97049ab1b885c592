"""Audit of operator writes over the JSON API: every non-GET request that passed the role guard is recorded with
who, what (method and route), the path, the status it ended with and the client address. Bodies are never logged.
A read that asked to reveal personal data (server/http/reveal.py) is recorded too, as `reveal GET ...` with its reason.
"""

from __future__ import annotations

from anyio import to_thread
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from operators import service
from operators.models import Principal
from server.http.roles import STATE_KEY

READS = frozenset({"GET", "HEAD", "OPTIONS"})
AUDIT_DETAIL = "audit_detail"  # scope state key: a handler's detail for its write's audit line
REVEAL_REASON = "reveal_reason"  # scope state key: set when a read asked to reveal personal data (its reason)
ADMIN_API = "/api/admin/"


def audit_writes(app: ASGIApp) -> ASGIApp:
    """Middleware for operator controllers (``middleware=[audit_writes]``)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        reading = scope["type"] == "http" and scope["method"] in READS
        # Reads are watched only on the admin API (where reveals happen), so the shop's GETs pay nothing.
        if scope["type"] != "http" or (reading and not scope["path"].startswith(ADMIN_API)):
            await app(scope, receive, send)
            return
        status = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_and_note)
        finally:
            state = scope.get("state", {})
            principal = state.get(STATE_KEY)
            if isinstance(principal, Principal) and (not reading or REVEAL_REASON in state):
                client = scope.get("client")
                database = scope["app"].state.database
                action = f"{scope['method']} {scope.get('path_template') or scope['path']}"
                detail = str(state.get(AUDIT_DETAIL, ""))
                if reading:
                    action, detail = f"reveal {action}", f"personal data revealed; reason: {state[REVEAL_REASON]}"
                await to_thread.run_sync(lambda: service.audit(
                    database, principal, action, target=scope["path"], detail=detail,
                    address=client[0] if client else "", status=status or 500,
                ))

    return middleware
