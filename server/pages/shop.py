"""Shop pages and PWA files: `/`, `/c/{category}`, `/p/{id}`, `/offline`, `/sw.js`, manifest and `/static/...`.

Thin handlers: catalog.service reads, server.pages.html renders, server.pages.assets holds the bundle.
"""

from __future__ import annotations

import re
from typing import Annotated

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter

from catalog import service
from catalog import store as catalog_store
from catalog.errors import BadCursor, BadQuery, UnknownProduct
from server.db import Database
from server.http.conditional import conditional
from server.http.problems import problem
from server.pages import html as page_html
from server.pages.format import text
from server.pages.assets import MANIFEST_URL, OFFLINE_URL, bundle_for, offline_url
from server.pages.images import ACCEPT_CH, HINT_HEADERS, read_hints
from server.pages.locale import LOCALE_VARY, locale_headers, page_locale
from server.settings import Settings

HTML = "text/html"  # Litestar adds "; charset=utf-8" to text types
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
PAGE_VARY = ", ".join([*HINT_HEADERS, LOCALE_VARY])  # the compression middleware adds Accept-Encoding
RELATED = 5


def _page(request: Request, settings: Settings, html: str, locale: str, status: int = 200) -> Response:
    """An HTML page: cacheable when it is a 200, never stored when it is an error."""
    headers = {"Vary": PAGE_VARY, "Accept-CH": ACCEPT_CH, **locale_headers(locale)}
    if status != 200:
        return Response(content=html.encode(), status_code=status, media_type=HTML,
                        headers={**headers, "Cache-Control": "no-store"})
    cache_control = (
        f"public, max-age={settings.catalog_max_age}, stale-while-revalidate={settings.catalog_stale_while_revalidate}"
    )
    return conditional(request, html.encode(), HTML, {"Cache-Control": cache_control, **headers})


def _categories(db) -> list[str]:
    return [row["category"] for row in catalog_store.categories(db)]


def _listing(request: Request, database: Database, settings: Settings, *, category: str | None,
             cursor: str | None, q: str | None) -> Response:
    shell = bundle_for().shell
    hints = read_hints(request.headers)
    locale = page_locale(request)
    q = q.strip() if q and q.strip() else None
    try:
        with database.snapshot() as db:
            page = service.product_page(db, cursor=cursor, limit=24, q=q, category=category)
            categories = _categories(db)
    except (BadCursor, BadQuery) as exc:
        # The domain's detail is English and for the API; the shopper reads why in the page's language.
        why = text(locale, "badlink.no_words" if isinstance(exc, BadQuery) else "badlink.stale")
        return _page(request, settings, page_html.bad_request_page(shell, why, locale), locale, status=400)
    html = page_html.listing_page(
        shell, page, hints, categories=categories, category=category, q=q, cursor=cursor, locale=locale
    )
    return _page(request, settings, html, locale)


@get("/", sync_to_thread=True, include_in_schema=False)
def home_page(
    request: Request,
    database: NamedDependency[Database],
    settings: NamedDependency[Settings],
    cursor: Annotated[str | None, Parameter(max_length=512)] = None,
    q: Annotated[str | None, Parameter(max_length=200)] = None,
) -> Response:
    """The listing of all products (or search results), 24 per page."""
    return _listing(request, database, settings, category=None, cursor=cursor, q=q)


@get("/c/{category:str}", sync_to_thread=True, include_in_schema=False)
def category_page(
    request: Request,
    database: NamedDependency[Database],
    settings: NamedDependency[Settings],
    category: FromPath[str],
    cursor: Annotated[str | None, Parameter(max_length=512)] = None,
) -> Response:
    """One category's listing."""
    if not _CATEGORY.match(category):
        shell = bundle_for().shell
        locale = page_locale(request)
        with database.snapshot() as db:
            html = page_html.not_found_page(shell, category, _categories(db), locale)
        return _page(request, settings, html, locale, status=404)
    return _listing(request, database, settings, category=category, cursor=cursor, q=None)


@get("/p/{product_id:str}", sync_to_thread=True, include_in_schema=False)
def product_page(
    request: Request,
    database: NamedDependency[Database],
    settings: NamedDependency[Settings],
    product_id: FromPath[str],
) -> Response:
    """The weak-network product page: one response carries the product, its placeholder and first image."""
    shell = bundle_for().shell
    locale = page_locale(request)
    with database.snapshot() as db:
        try:
            if not _SKU.match(product_id):
                raise UnknownProduct(product_id)
            product = service.product_detail(db, product_id)
        except UnknownProduct:
            html = page_html.not_found_page(shell, product_id, _categories(db), locale)
            return _page(request, settings, html, locale, status=404)
        related = service.product_page(db, cursor=None, limit=RELATED, q=None, category=product.category).items
    html = page_html.product_page(shell, product, read_hints(request.headers), settings.media_root, related, locale)
    return _page(request, settings, html, locale)


def _asset(request: Request, url: str, cache_control: str, headers: dict[str, str] | None = None) -> Response:
    asset = bundle_for().assets.get(url)
    if asset is None:
        return problem(404, "not-found", f"no asset at {url} (asset names change with each release)", request=request)
    return conditional(request, asset.body, asset.media_type, {"Cache-Control": cache_control, **(headers or {})})


@get("/static/{name:str}", sync_to_thread=True, include_in_schema=False)
def static_asset(request: Request, name: FromPath[str]) -> Response:
    """A content-hashed shell asset: immutable, cached for a year."""
    return _asset(request, "/static/" + name, "public, max-age=31536000, immutable")


@get(OFFLINE_URL, sync_to_thread=True, include_in_schema=False)
def offline(request: Request) -> Response:
    """The offline page in the reader's language (the worker precaches one per locale, offline_url)."""
    locale = page_locale(request)
    return _asset(request, offline_url(locale), "no-cache", {"Vary": LOCALE_VARY, **locale_headers(locale)})


@get(OFFLINE_URL + "/{locale:str}", sync_to_thread=True, include_in_schema=False)
def offline_in(request: Request, locale: FromPath[str]) -> Response:
    """The offline page in one locale, as the service worker precaches it."""
    return _asset(request, OFFLINE_URL + "/" + locale[:35], "no-cache")


@get(MANIFEST_URL, sync_to_thread=True, include_in_schema=False)
def web_manifest(request: Request) -> Response:
    """The web app manifest (name, icons, colours, start URL)."""
    return _asset(request, MANIFEST_URL, "no-cache")


@get("/sw.js", sync_to_thread=True, include_in_schema=False)
def service_worker(request: Request) -> Response:
    """The service worker: always revalidated, so an update is seen on the next navigation."""
    bundle = bundle_for()
    return conditional(
        request, bundle.sw_js, "text/javascript", {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"}
    )


NOT_PAGES = ("/api/", "/admin", "/static/", "/media/", "/schema", "/metrics", "/health")
"""Paths whose refused addresses answer a problem, whatever the client accepts: the API, the console, files."""


def page_error(request: Request, status: int) -> Response | None:
    """The shop's HTML answer to a browser's navigation that no route could take: 404 for an address no route knows
    (an old or mistyped link), 400 for one whose query a route refused (a pasted search past its length), in the
    shopper's language; None for the API, the console and files, and for clients that do not ask for HTML."""
    if request.method not in ("GET", "HEAD") or "text/html" not in request.headers.get("accept", ""):
        return None
    if request.url.path.startswith(NOT_PAGES) or status not in (400, 404):
        return None
    locale = page_locale(request)
    shell = bundle_for().shell
    html = (page_html.missing_page(shell, locale) if status == 404
            else page_html.bad_request_page(shell, text(locale, "badlink.text"), locale))
    return Response(content=html.encode(), status_code=status, media_type=HTML,
                    headers={"Vary": f"Accept, {LOCALE_VARY}", "Cache-Control": "no-store", **locale_headers(locale)})

PAGE_ROUTES = [home_page, category_page, product_page, static_asset, offline, offline_in, web_manifest, service_worker]
