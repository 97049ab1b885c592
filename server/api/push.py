"""Web Push routes: the VAPID key, the shopper's subscriptions per device, tracking events."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody

import clock
from accounts.models import CurrentUser
from retention import service
from retention.models import (
    EventBatch,
    EventResult,
    NewSubscription,
    PushKey,
    Subscription,
)
from server.db import Database
from server.http.auth import bearer_token, current_user
from server.http.conditional import cacheable
from server.http.params import Id
from server.push_runtime import push_runtime
from server.settings import Settings

EVENTS_MAX_BODY = 16_384
SUBSCRIPTION_MAX_BODY = 8_192


class PushController(Controller):
    """`/api/push/...` and `/api/events`."""

    path = "/api"
    tags = ["push"]
    cache_control = CacheControlHeader(no_store=True)

    @get("/push/key", sync_to_thread=True, cache_control=None)
    def key(self, request: Request, settings: NamedDependency[Settings]) -> Response[PushKey]:
        """The VAPID public key for `pushManager.subscribe({applicationServerKey})`."""
        return cacheable(request, PushKey(public_key=push_runtime(settings).public_key), max_age=3600, stale_while_revalidate=86_400, public=True)

    @post("/push/subscriptions", status_code=201, sync_to_thread=True, request_max_body_size=SUBSCRIPTION_MAX_BODY)
    def subscribe(
        self, data: JSONBody[NewSubscription], current_user: NamedDependency[CurrentUser],
        database: NamedDependency[Database], settings: NamedDependency[Settings],
    ) -> Subscription:
        """Subscribe this device (consent must be true); the endpoint must be a known push service."""
        return service.subscribe(database, push_runtime(settings).config, current_user.user_id, current_user.device_id, data, clock.now())

    @get("/push/subscriptions", sync_to_thread=True)
    def list_subscriptions(self, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> list[Subscription]:
        """The shopper's subscriptions, one per device."""
        return service.subscriptions(database, current_user.user_id)

    @delete("/push/subscriptions/{subscription_id:int}", sync_to_thread=True)
    def unsubscribe(self, subscription_id: Id, current_user: NamedDependency[CurrentUser], database: NamedDependency[Database]) -> None:
        """Unsubscribe; another shopper's subscription answers 404."""
        service.unsubscribe(database, current_user.user_id, subscription_id)

    @post("/events", status_code=200, sync_to_thread=True, request_max_body_size=EVENTS_MAX_BODY)
    def events(
        self, request: Request, data: JSONBody[EventBatch], database: NamedDependency[Database], settings: NamedDependency[Settings],
    ) -> EventResult:
        """Notification shown/clicked (with the payload's receipt, or as the signed-in shopper) and product views."""
        user_id = current_user(request, database, settings).user_id if bearer_token(request) else None
        return service.events(database, push_runtime(settings).config, user_id, data, clock.now())
