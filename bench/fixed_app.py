"""Bench-only app: the production app plus `/bench/fixed`, a bare endpoint returning fixed bytes.

The fixed bytes are a real product's JSON, encoded once at start-up, so the two endpoints answer the
same bytes from the same process and differ only in the work the product handler does per request.
Never imported by the production app.
"""

from __future__ import annotations

import msgspec
from litestar import Litestar, Response, get

from catalog import service
from catalog import store as catalog_store
from server.app import create_app
from server.db import Database
from server.settings import load_settings

FIXED_PATH = "/bench/fixed"


def _first_product_json(database: Database) -> bytes:
    """The JSON of the first product in id order (b'{}' on an empty catalog)."""
    with database.snapshot() as db:
        rows = catalog_store.list_products(db, after=None, limit=1, category=None)
        if not rows:
            return b"{}"
        return msgspec.json.encode(service.product_detail(db, rows[0]["id"]))


def bench_app() -> Litestar:
    """Factory for the bench server (uvicorn --factory / granian --factory)."""
    app = create_app(load_settings())
    body = _first_product_json(app.state["database"])

    @get(FIXED_PATH, include_in_schema=False)
    async def fixed() -> Response[bytes]:
        """The same bytes every time: the floor of what this stack can serve."""
        return Response(content=body, media_type="application/json")

    app.register(fixed)
    return app
