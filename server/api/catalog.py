"""Catalog HTTP routes: thin wrappers around catalog.service with HTTP caching."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from litestar import Controller, Request, Response, get
from litestar.params import Parameter

from catalog import search, service
from loyalty import store as loyalty_store
from catalog.models import Product, ProductPage, Suggestions
from server.db import Database
from server.http.api_description import problems
from server.http.conditional import PreparedResponse, answer, cacheable, prepared, wants_msgpack
from server.http.response_cache import ResponseCache
from server.settings import Settings


def _hot_path_deps(request: Request) -> tuple[Database, Settings]:
    """Database and settings from app state: two injected dependencies cost the hottest GETs an anyio task
    group per request (~150 us, a third of the product endpoint; docs/performance.md, API)."""
    state = request.app.state
    return state["database"], state["settings"]


class CatalogController(Controller):
    """`/api/products`: the public catalog."""

    path = "/api/products"
    tags = ["catalog"]

    @get("/", sync_to_thread=True, response_model=ProductPage, summary="List or search products",  # type: ignore[call-overload]
         responses=problems(400))
    def list_products(
        self,
        request: Request,
        cursor: Annotated[str | None, Parameter(max_length=512)] = None,
        limit: Annotated[int, Parameter(ge=1, le=100)] = 20,
        q: Annotated[str | None, Parameter(max_length=200)] = None,
        category: Annotated[str | None, Parameter(pattern=r"^[a-z0-9][a-z0-9-]{0,47}$")] = None,
    ) -> Response[ProductPage]:
        """A page of products in id order (best match first with `q`); `nextCursor` resumes after it."""
        database, settings = _hot_path_deps(request)
        with database.snapshot() as db:
            page = service.product_page(db, cursor=cursor, limit=limit, q=q, category=category)
        return cacheable(
            request,
            page,
            max_age=settings.catalog_max_age,
            stale_while_revalidate=settings.catalog_stale_while_revalidate,
        )

    @get("/suggest", sync_to_thread=True, response_model=Suggestions, summary="Search-as-you-type suggestions",  # type: ignore[call-overload]
         responses=problems(400))
    def suggest(
        self,
        request: Request,
        q: Annotated[str, Parameter(min_length=1, max_length=100)],
        limit: Annotated[int, Parameter(ge=1, le=10)] = 6,
    ) -> Response[Suggestions]:
        """Completions of the last word typed and the best-matching products, for search-as-you-type."""
        database, settings = _hot_path_deps(request)
        with database.snapshot() as db:
            found = search.suggest(db, q, limit)
        return cacheable(
            request,
            found,
            max_age=settings.catalog_max_age,
            stale_while_revalidate=settings.catalog_stale_while_revalidate,
        )

    @get("/{product_id:str}/bought-together", sync_to_thread=True, response_model=ProductPage,  # type: ignore[call-overload]
         summary="Products bought together with this one", responses=problems(400, 404))
    def bought_together(
        self,
        request: Request,
        product_id: Annotated[str, Parameter(max_length=64)],
        limit: Annotated[int, Parameter(ge=1, le=20)] = 8,
    ) -> Response[ProductPage]:
        """Products most often in the same (not cancelled or refunded) order as this one; 404 for no such product."""
        database, settings = _hot_path_deps(request)
        with database.snapshot() as db:
            service.require_product(db, product_id)
            items = service.summaries(db, loyalty_store.bought_together(db, product_id, limit))
        return cacheable(
            request,
            ProductPage(items=items),
            max_age=settings.catalog_max_age,
            stale_while_revalidate=settings.catalog_stale_while_revalidate,
        )

    @get("/{product_id:str}", response_model=Product, summary="One product", responses=problems(400, 404))  # type: ignore[call-overload]
    async def get_product(
        self,
        request: Request,
        product_id: Annotated[str, Parameter(max_length=64)],
    ) -> Response[Product]:
        """One product with its images, variants and inline placeholders."""
        database, settings = _hot_path_deps(request)
        cache: ResponseCache[PreparedResponse] = request.app.state["product_cache"]
        key = (product_id, wants_msgpack(request))
        generation = database.generation  # taken before the read: a commit during it invalidates the entry
        response = await cache.fetch(
            key, generation, lambda: to_thread.run_sync(_prepared_product, database, settings, request, product_id)
        )
        return answer(request, response)


def _prepared_product(database: Database, settings: Settings, request: Request, product_id: str) -> PreparedResponse:
    """Read, encode and prepare one product's response (in a worker thread: SQLite never runs on the event loop,
    nor the encoding and hashing)."""
    with database.snapshot() as db:
        product = service.product_detail(db, product_id)
    return prepared(request, product, max_age=settings.catalog_max_age,
                    stale_while_revalidate=settings.catalog_stale_while_revalidate)
