"""Sync HTTP routes: push, pull, and the poke event stream; protocol logic lives in sync.engine."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, AsyncIterator

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Parameter
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from accounts import service as accounts_service
from accounts.errors import NotAuthenticated
from accounts.models import CurrentUser, StreamTicket
from server.db import Database
from server.http.auth import auth_policy, bearer_token
from server.http.body import read_body
from server.http.conditional import MSGPACK, wants_msgpack
from server.http.metrics import record_sync_push
from server.settings import Settings
from sync import engine
from sync import store as sync_store
from sync.limits import SyncLimits
from sync.models import PullRequest, PullResponse, PushRequest, PushResponse
from sync.poke import broker

_json = msgspec.json.Encoder()
_msgpack = msgspec.msgpack.Encoder()
NO_STORE = {"Cache-Control": "no-store"}


@lru_cache(maxsize=8)
def sync_limits(settings: Settings) -> SyncLimits:
    """The sync room's limits from the settings."""
    return SyncLimits(max_mutations=settings.sync_max_mutations, max_args_bytes=settings.sync_max_args_bytes)


def _codec(request: Request) -> engine.Codec:
    return "msgpack" if "msgpack" in request.headers.get("content-type", "") else "json"


def _respond(request: Request, payload: object) -> Response:
    body = _json.encode(payload)
    if wants_msgpack(request):
        # Pull values are raw JSON from the store: re-decode once for the MessagePack form.
        return Response(content=_msgpack.encode(msgspec.json.decode(body)), media_type=MSGPACK, headers=NO_STORE)
    return Response(content=body, media_type="application/json", headers=NO_STORE)


class SyncController(Controller):
    """`/api/sync/...`: the Replicache-style protocol of docs/sync.md."""

    path = "/api/sync"
    tags = ["sync"]

    @post("/push", status_code=200, response_model=PushResponse, request_max_body_size=None)  # type: ignore[call-overload]
    async def push(
        self, request: Request, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database], settings: NamedDependency[Settings]
    ) -> Response[PushResponse]:
        """Apply this client's new mutations (JSON or MessagePack body) in one transaction."""
        body = await read_body(request, settings.max_body_bytes)
        codec = _codec(request)

        def work() -> PushResponse:
            push_request = engine.decode(body, PushRequest, codec)
            mutators = request.app.state.hooks.mutators
            response = engine.push(database, current_user.user_id, push_request, sync_limits(settings), mutators, codec=codec)
            record_sync_push(len(push_request.mutations), len(response.errors))
            return response

        return _respond(request, await to_thread.run_sync(work))

    @post("/pull", status_code=200, response_model=PullResponse, request_max_body_size=None)  # type: ignore[call-overload]
    async def pull(
        self, request: Request, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database], settings: NamedDependency[Settings]
    ) -> Response[PullResponse]:
        """The patch from the client's cookie to now, and its lastMutationId."""
        body = await read_body(request, 4096)
        codec = _codec(request)

        def work() -> PullResponse:
            return engine.pull(database, current_user.user_id, engine.decode(body, PullRequest, codec))

        return _respond(request, await to_thread.run_sync(work))

    @post("/poke-ticket", status_code=200, sync_to_thread=True)
    def poke_ticket(
        self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database], settings: NamedDependency[Settings]
    ) -> Response[StreamTicket]:
        """A short-lived ticket for `GET /api/sync/poke?ticket=...` (EventSource cannot send headers)."""
        ticket = accounts_service.mint_ticket(database, auth_policy(settings), current_user)
        return Response(content=ticket, headers=NO_STORE)

    @get("/poke", cache_control=None)
    async def poke(
        self, request: Request, database: NamedDependency[Database], settings: NamedDependency[Settings], ticket: Annotated[str | None, Parameter(max_length=100)] = None
    ) -> ServerSentEvent:
        """Server-sent events: `poke` whenever the user's view changes, a comment heartbeat otherwise."""
        token = bearer_token(request)

        def authenticate() -> CurrentUser:
            if token is not None:
                return accounts_service.authenticate(database, auth_policy(settings), token)
            if ticket is not None:
                return accounts_service.authenticate_ticket(database, ticket)
            raise NotAuthenticated("send a bearer token or ?ticket= from POST /api/sync/poke-ticket")

        current = await to_thread.run_sync(authenticate)
        heartbeat = settings.sync_heartbeat_seconds

        def check() -> tuple[bool, int]:
            active = accounts_service.device_active(database, current)
            return active, sync_store.user_version(database.read(), current.user_id)[0]

        async def events() -> AsyncIterator[ServerSentEventMessage]:
            sub = broker.subscribe(current.user_id)
            try:
                _, seen = await to_thread.run_sync(check)
                yield ServerSentEventMessage(event="ready", data=str(seen), retry=5000)
                while True:
                    if await sub.wait(heartbeat):
                        _, seen = await to_thread.run_sync(check)
                        yield ServerSentEventMessage(event="poke", data=str(seen))
                        continue
                    # Heartbeat: also catches revoked devices and writes made by other worker processes.
                    active, version = await to_thread.run_sync(check)
                    if not active:
                        return
                    if version != seen:
                        seen = version
                        yield ServerSentEventMessage(event="poke", data=str(version))
                    else:
                        yield ServerSentEventMessage(comment="heartbeat")
            finally:
                broker.unsubscribe(sub)

        return ServerSentEvent(events(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
