"""Client-rendered shell pages: `/cart`, `/signin` (pwa/sync-client.js), `/points`, `/mall`, `/orders`
(pwa/loyalty.js), `/returns` (pwa/returns.js) and `/checkout`, `/orders/{id}` (pwa/checkout.js), filled from the
synced view in IndexedDB.

They hold nothing personal (the cart lives in the browser), so every shopper with the same language gets the
same bytes.
"""

from __future__ import annotations

from html import escape

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler

from server.http.conditional import conditional
from server.http.params import Id
from server.i18n import t
from server.pages import html as page_html
from server.pages.assets import bundle_for
from server.pages.locale import LOCALE_VARY, locale_headers, page_locale


def _shell_page(request: Request, *, page: str, mount: str, title: str, loading: str) -> Response:
    """A page frame with an empty mount the client renders into, in the reader's locale; revalidated, 304 when
    unchanged. ``title`` (the heading too) and ``loading`` are shop.json keys."""
    locale = page_locale(request)
    needs_js = f"<noscript><p>{escape(t(locale, 'shop.needs_js'))}</p></noscript>"
    body = (f'<main id="{mount}"><h1>{escape(t(locale, title))}</h1>'
            f'<p class="lm-muted">{escape(t(locale, loading))}</p>{needs_js}</main>')
    html = page_html.document(
        bundle_for().shell, title=t(locale, title) + " · Lastmile", body=body, html_attrs=f' data-page="{page}"',
        locale=locale,
    ).encode()
    headers = {"Cache-Control": "no-cache", "Vary": LOCALE_VARY, **locale_headers(locale)}
    return conditional(request, html, "text/html", headers)


# path, data-page (what the client script renders there), mount, title key (the heading too), loading text key
SHELL_PAGES = [
    ("/cart", "cart", "lm-cart", "shop.cart.title", "shop.cart.loading"),  # works offline once the worker has it
    ("/signin", "signin", "lm-signin", "shop.signin.title", "shop.loading"),  # the token is kept in IndexedDB
    # pwa/loyalty.js, from the synced view keys `points`, `orders/*`, `coupons/*`: the balance, tier and lots
    # expiring soon; the points mall (redeeming is the sync mutation points.redeem, queued offline); the orders.
    ("/points", "points", "lm-loyalty", "shop.points.title", "shop.points.loading"),
    ("/mall", "mall", "lm-loyalty", "shop.mall.title", "shop.mall.loading"),
    ("/orders", "orders", "lm-loyalty", "shop.orders.title", "shop.orders.loading"),
    # Delivered orders' lines to return (the sync mutation returns.request, queued offline) and each return's
    # status from the synced `returns/*` view keys.
    ("/returns", "returns", "lm-returns", "returns.title", "returns.loading"),
    # Address, delivery, payment, then the review step and Place order (online only; the cart stays editable).
    ("/checkout", "checkout", "lm-checkout", "checkout.title", "checkout.loading"),
]


def _shell_route(path: str, page: str, mount: str, title: str, loading: str) -> HTTPRouteHandler:
    """`GET path`: the shell page of one row of SHELL_PAGES."""

    def shell(request: Request) -> Response:
        return _shell_page(request, page=page, mount=mount, title=title, loading=loading)

    shell.__name__ = f"{page}_page"
    return get(path, sync_to_thread=True, include_in_schema=False)(shell)


@get("/orders/{order_id:int}", sync_to_thread=True, include_in_schema=False)
def order_page(request: Request, order_id: Id) -> Response:
    """One order with its status timeline (pwa/checkout.js, from the synced `orders/{id}` row; the same shell for
    every order: the id is read from the address, and only checked here)."""
    return _shell_page(request, page="order", mount="lm-order", title="checkout.order.title",
                       loading="checkout.order.loading")


CLIENT_PAGE_ROUTES = [*(_shell_route(*spec) for spec in SHELL_PAGES), order_page]
