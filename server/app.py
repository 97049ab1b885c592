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
from litestar.openapi import OpenAPIConfig

from accounts.masking import install_log_redaction
from server.api.accounts import AccountsController
from server.api.admin.catalog import AdminCatalogController
from server.api.admin.loyalty import AdminLoyaltyController
from server.api.admin.retention import AdminRetentionController
from server.api.catalog import CatalogController
from server.api.health import health
from server.api.loyalty import LoyaltyController, OrdersController, RewardsController
from server.api.media import media_variant
from server.api.metrics import metrics
from server.api.push import PushController
from server.api.sync import SyncController
from server.data_keys import install_data_keys
from server.db import Database
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
from server.pages.shop import PAGE_ROUTES
from server.settings import Settings, load_settings
from server.stores import open_database
from server.wiring import Hooks, install

ROUTE_HANDLERS: list = [
    health,
    metrics,
    CatalogController,
    AdminCatalogController,
    AccountsController,
    SyncController,
    media_variant,
    OrdersController,
    LoyaltyController,
    RewardsController,
    AdminLoyaltyController,
    *PAGE_ROUTES,
    schema_asset,
    *CLIENT_PAGE_ROUTES,
    *PRIVACY_PAGE_ROUTES,
    *LOCALE_ROUTES,
    AdminRetentionController,
    PushController,
    console_router,
]


def create_app(settings: Settings, database: Database | None = None, hooks: Hooks | None = None) -> Litestar:
    """A configured application; pass ``database`` to share one (tests), else one is opened and migrated.

    ``hooks`` are the cross-room hooks (server/wiring.py): every room's, unless a test passes its own.
    """
    install_data_keys(settings)
    database = database or open_database(settings)
    hooks = hooks or install()
    watch_pokes()
    admin_token = settings.resolved_admin_token()

    def close_database() -> None:
        database.close()

    @asynccontextmanager
    async def flushing_metrics(_app: Litestar) -> AsyncIterator[None]:
        # Request counts reach the shared tables every few seconds, and once more on the way out.
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(flush_forever, database)
            try:
                yield
            finally:
                tasks.cancel_scope.cancel()
        await to_thread.run_sync(RECORDER.flush, database)

    app = Litestar(
        route_handlers=ROUTE_HANDLERS,
        dependencies={
            "database": Provide(lambda: database, use_cache=True, sync_to_thread=False),
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "current_user": Provide(current_user, sync_to_thread=True),
        },
        state=State({"admin_token": admin_token, "database": database, "settings": settings, "hooks": hooks,
                     "product_cache": ResponseCache()}),
        exception_handlers=exception_handlers(),
        compression_config=compression_config(),
        middleware=[audit_writes],
        lifespan=[flushing_metrics],
        request_max_body_size=settings.max_body_bytes,
        request_class=BoundedRequest,  # depth, integer and decoding checks of every JSON body (server/http/body.py)
        openapi_config=OpenAPIConfig(
            title="Lastmile",
            version="1",
            path="/schema",
            render_plugins=[render_plugin()],
        ),
        on_shutdown=[close_database],
    )
    # Around the router itself, not as route middleware: unknown paths (404) and wrong methods (405) never
    # reach route middleware, and they are exactly what an error-rate alert must see.
    app.asgi_handler = measure_requests(app.asgi_handler)
    return app


def app_from_env() -> Litestar:
    """Factory for uvicorn: settings from LASTMILE_* variables."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()
    return create_app(load_settings())
