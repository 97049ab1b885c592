"""The Litestar application factory: wiring only; behaviour lives in the domain rooms."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

import anyio
from anyio import to_thread
from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide

from accounts.masking import install_log_redaction
from server.api.accounts import AccountsController
from server.api.admin.catalog import AdminCatalogController
from server.api.admin.loyalty import AdminLoyaltyController
from server.api.admin.retention import AdminRetentionController
from server.api.admin.returns import AdminReturnsController
from server.api.catalog import CatalogController
from server.api.checkout import CheckoutController
from server.api.health import health
from server.api.loyalty import LoyaltyController, OrdersController, RewardsController
from server.api.media import media_variant
from server.api.metrics import metrics
from server.api.push import PushController
from server.api.recs import RecsController
from server.api.reviews import ReviewsController
from server.api.sync import SyncController
from server.data_keys import install_data_keys
from server.db import Database
from server.http.api_description import openapi_config
from server.http.audit import audit_writes
from server.http.auth import current_user
from server.http.body import BoundedRequest
from server.http.compression import compression_config
from server.http.metrics import RECORDER, flush_forever, measure_requests, watch_pokes
from server.http.problems import exception_handlers
from server.http.response_cache import ResponseCache
from server.pages.admin import console_router
from server.pages.api_docs import render_plugin, schema_asset
from server.pages.client import CLIENT_PAGE_ROUTES
from server.pages.locale import LOCALE_ROUTES
from server.pages.privacy import PRIVACY_PAGE_ROUTES
from server.pages.shop import PAGE_ROUTES, page_error
from server.pages.unsubscribe import UNSUBSCRIBE_ROUTES
from server.settings import Settings, load_settings
from server.push_runtime import push_runtime
from server.stores import open_database
from server.wiring import Hooks, install
from sync.poke import broker

ROUTE_HANDLERS: list = [
    health,
    metrics,
    CatalogController,
    AdminCatalogController,
    AccountsController,
    SyncController,
    media_variant,
    OrdersController,
    CheckoutController,
    LoyaltyController,
    RewardsController,
    AdminLoyaltyController,
    *PAGE_ROUTES,
    schema_asset,
    *CLIENT_PAGE_ROUTES,
    *PRIVACY_PAGE_ROUTES,
    *UNSUBSCRIBE_ROUTES,
    *LOCALE_ROUTES,
    AdminRetentionController,
    AdminReturnsController,
    PushController,
    RecsController,
    ReviewsController,
    console_router,
]


def _database(state: State) -> Database:
    return state.database


def _settings(state: State) -> Settings:
    return state.settings


async def _watch_database(app: Litestar) -> None:
    # Other processes' commits invalidate the product cache; on PostgreSQL their pokes reach our streams.
    database = app.state.database
    await to_thread.run_sync(lambda: database.watch(on_poke=broker.notify))


def _close_database(app: Litestar) -> None:
    if app.state.owns_database:
        app.state.database.close()


@asynccontextmanager
async def _flushing_metrics(app: Litestar) -> AsyncIterator[None]:
    # Request counts reach the shared tables every few seconds, and once more on the way out.
    database = app.state.database
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(flush_forever, database)
        try:
            yield
        finally:
            tasks.cancel_scope.cancel()
    await to_thread.run_sync(RECORDER.flush, database)


def build_app(max_body_bytes: int) -> Litestar:
    """The application's routes, middleware and lifespan, before ``bind`` gives it a deployment's state.

    Everything that differs between deployments (settings, database, hooks, admin token, caches) is read
    from ``app.state`` at request time, so one built app can be bound again (the tests reuse one: building
    ~240 handlers costs about a second, which per test was most of the suite's time).
    """
    app = Litestar(
        route_handlers=ROUTE_HANDLERS,
        dependencies={
            # Not use_cache: a cached Provide keeps its first value for the app's life, past a re-bind.
            "database": Provide(_database, sync_to_thread=False),
            "settings": Provide(_settings, sync_to_thread=False),
            "current_user": Provide(current_user, sync_to_thread=True),
        },
        state=State(),
        exception_handlers=exception_handlers(page_error=page_error),  # a browser's refused shop address: a page
        compression_config=compression_config(),
        middleware=[audit_writes],
        lifespan=[_flushing_metrics],
        request_max_body_size=max_body_bytes,
        request_class=BoundedRequest,  # depth, integer and decoding checks of every JSON body (server/http/body.py)
        openapi_config=openapi_config([render_plugin()]),  # security schemes, problems: server/http/api_description.py
        on_startup=[_watch_database],
        on_shutdown=[_close_database],
    )
    # Around the router itself, not as route middleware: unknown paths (404) and wrong methods (405) never
    # reach route middleware, and they are exactly what an error-rate alert must see.
    app.asgi_handler = measure_requests(app.asgi_handler)
    return app


def bind(app: Litestar, settings: Settings, database: Database | None = None, hooks: Hooks | None = None) -> Litestar:
    """Give a built app its settings, database and hooks (fresh caches too); the app, ready to start.

    ``settings.max_body_bytes`` must be the one the app was built with (it is fixed at build time).
    """
    install_data_keys(settings)
    owned = database is None
    database = database or open_database(settings)
    hooks = hooks or install(retention=lambda: push_runtime(settings).config)
    watch_pokes()
    app.state.update({
        "admin_token": settings.resolved_admin_token(), "database": database, "owns_database": owned,
        "settings": settings, "hooks": hooks, "product_cache": ResponseCache(),
    })
    return app


def create_app(settings: Settings, database: Database | None = None, hooks: Hooks | None = None) -> Litestar:
    """A configured application; pass ``database`` to share one (tests), else one is opened and migrated.

    ``hooks`` are the cross-room hooks (server/wiring.py): every room's, unless a test passes its own.

    The app closes the database at shutdown only when it opened it: a shared one belongs to its caller.
    """
    return bind(build_app(settings.max_body_bytes), settings, database, hooks)


def app_from_env() -> Litestar:
    """Factory for uvicorn: settings from LASTMILE_* variables."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    return create_app(load_settings())
